"""Links that search results lead to, shared by the results page, the program page and the
API."""

from flask import g, url_for

from portal.models import DB_INT_MAX
from portal.services.matching import DEFAULT_RADIUS


def _for_program(endpoint: str, program_id: int, **values) -> str:
    """url_for(endpoint, program_id=..., **values), built once per request for the other values.

    A results page links every listing twice with the same ZIP and radius: the URL is built
    once with a stand-in id, which each listing's id then replaces (much cheaper than routing's
    URL builder ten times over).
    """
    patterns = g.setdefault("program_url_patterns", {})
    key = (endpoint, *sorted(values.items()))
    if key not in patterns:
        built = url_for(endpoint, program_id=DB_INT_MAX, **values)
        before, _, after = built.partition(f"/{DB_INT_MAX}")
        patterns[key] = (before + "/", after)
    before, after = patterns[key]
    return f"{before}{program_id}{after}"


def _radius(radius_miles: int) -> int | None:
    """The radius as a URL carries it: only when it is not the default."""
    return None if radius_miles == DEFAULT_RADIUS else radius_miles


def request_info_url(program_id: int, zip_code: str | None, radius_miles: int) -> str:
    """The path of a listing's Request Info form, carrying the searched ZIP (and radius)."""
    return _for_program(
        "leads.request_info", program_id, zip=zip_code or None, radius=_radius(radius_miles)
    )


def program_page_url(program_id: int, zip_code: str | None, radius_miles: int) -> str:
    """The path of a listing's own page, carrying the searched ZIP (and radius) when known."""
    radius = _radius(radius_miles) if zip_code else None
    return _for_program("search.program", program_id, zip=zip_code or None, radius=radius)


def results_url(zip_code: str, radius_miles: int, **filters) -> str:
    """The path of a search for `zip_code` within the radius (and any other filters given)."""
    return url_for("search.programs", zip=zip_code, radius=_radius(radius_miles), **filters)
