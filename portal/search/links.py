"""Links that search results lead to, shared by the results page and the API."""

from flask import url_for

from portal.services.matching import DEFAULT_RADIUS


def request_info_url(program_id: int, zip_code: str, radius_miles: int) -> str:
    """The path of a listing's Request Info form, carrying the searched ZIP (and radius)."""
    radius = None if radius_miles == DEFAULT_RADIUS else radius_miles
    return url_for("leads.request_info", program_id=program_id, zip=zip_code, radius=radius)
