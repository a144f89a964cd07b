"""Links that search results lead to, shared by the results page and the API."""

from urllib.parse import urlencode

from portal.services.matching import DEFAULT_RADIUS


def request_info_path(program_id: int, zip_code: str, radius_miles: int) -> str:
    """The path of a listing's Request Info form, carrying the searched ZIP (and radius)."""
    query = {"zip": zip_code}
    if radius_miles != DEFAULT_RADIUS:
        query["radius"] = radius_miles
    return f"/programs/{program_id}/request-info?{urlencode(query)}"
