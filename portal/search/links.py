"""Links that search results lead to, shared by the results page, the program page and the
API."""

import re
from urllib.parse import quote_plus

from portal.core.urls import remembered_url
from portal.models import DB_INT_MAX
from portal.services.matching import DEFAULT_RADIUS


def _for_program(endpoint: str, program_id: int, **values) -> str:
    """url_for(endpoint, program_id=..., **values), without routing's URL builder."""
    before, after = _path(endpoint)
    return f"{before}{program_id}{after}{_query(values)}"


def _path(endpoint: str) -> tuple[str, str]:
    """What comes before and after the id in `endpoint`'s path (built once per process)."""
    before, _, after = remembered_url(endpoint, program_id=DB_INT_MAX).partition(f"/{DB_INT_MAX}")
    return before + "/", after


# The characters url_for leaves as they are in a query string (werkzeug's choice, the WHATWG's).
QUERY_SAFE = "!$'()*,/:;?@"
# Text no encoding changes: a ZIP, a career's slug, a number. Everything else is quoted.
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def _query(values: dict) -> str:
    """The query string url_for adds for these values ("" for none): None left out, the rest
    in order, encoded as url_for encodes them."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        text = str(value)
        if not _PLAIN(text):
            text = quote_plus(text, safe=QUERY_SAFE)
        parts.append(f"{key}={text}")
    return "?" + "&".join(parts) if parts else ""


def listing_links(zip_code: str | None, radius_miles: int):
    """A function giving a listing's (page, request form) paths for a search from `zip_code`
    within the radius: what program_page_url and request_info_url give, with the parts that
    are the same for every listing built once for a whole list of results."""
    page_before, page_after = _path("search.program")
    form_before, form_after = _path("leads.request_info")
    radius = _page_radius(zip_code, radius_miles)
    page_after += _query({"zip": zip_code or None, "radius": radius})
    form_after += _query({"zip": zip_code or None, "radius": _radius(radius_miles)})
    return lambda program_id: (
        f"{page_before}{program_id}{page_after}",
        f"{form_before}{program_id}{form_after}",
    )


def _radius(radius_miles: int) -> int | None:
    """The radius as a URL carries it: only when it is not the default."""
    return None if radius_miles == DEFAULT_RADIUS else radius_miles


def request_info_url(program_id: int, zip_code: str | None, radius_miles: int) -> str:
    """The path of a listing's Request Info form, carrying the searched ZIP (and radius)."""
    return _for_program(
        "leads.request_info", program_id, zip=zip_code or None, radius=_radius(radius_miles)
    )


def _page_radius(zip_code: str | None, radius_miles: int) -> int | None:
    """The radius a listing's page carries: only with a ZIP, and only when not the default."""
    return _radius(radius_miles) if zip_code else None


def program_page_url(program_id: int, zip_code: str | None, radius_miles: int) -> str:
    """The path of a listing's own page, carrying the searched ZIP (and radius) when known."""
    radius = _page_radius(zip_code, radius_miles)
    return _for_program("search.program", program_id, zip=zip_code or None, radius=radius)


def results_url(zip_code: str, radius_miles: int, **filters) -> str:
    """The path of a search for `zip_code` within the radius (and any other filters given)."""
    return search_url(zip=zip_code, radius=_radius(radius_miles), **filters)


def search_url(**values) -> str:
    """url_for("search.programs", **values), in a fraction of its time: the path is built once
    per process, and the values (None left out) follow as url_for encodes them. A results page
    links to its other orders and pages this way."""
    return remembered_url("search.programs") + _query(values)
