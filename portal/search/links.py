"""Links that search results lead to, shared by the results page, the program page and the
API."""

from flask import url_for

from portal.services.matching import DEFAULT_RADIUS


def _radius(radius_miles: int) -> int | None:
    """The radius as a URL carries it: only when it is not the default."""
    return None if radius_miles == DEFAULT_RADIUS else radius_miles


def request_info_url(program_id: int, zip_code: str | None, radius_miles: int) -> str:
    """The path of a listing's Request Info form, carrying the searched ZIP (and radius)."""
    return url_for(
        "leads.request_info",
        program_id=program_id,
        zip=zip_code or None,
        radius=_radius(radius_miles),
    )


def program_page_url(program_id: int, zip_code: str | None, radius_miles: int) -> str:
    """The path of a listing's own page, carrying the searched ZIP (and radius) when known."""
    radius = _radius(radius_miles) if zip_code else None
    return url_for("search.program", program_id=program_id, zip=zip_code or None, radius=radius)


def results_url(zip_code: str, radius_miles: int, **filters) -> str:
    """The path of a search for `zip_code` within the radius (and any other filters given)."""
    return url_for("search.programs", zip=zip_code, radius=_radius(radius_miles), **filters)
