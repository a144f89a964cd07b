"""Links that search results lead to, shared by the results page, the program page and the
API."""

from urllib.parse import urlencode

from flask import g, url_for

from portal.models import DB_INT_MAX
from portal.services.matching import DEFAULT_RADIUS


def _for_program(endpoint: str, program_id: int, **values) -> str:
    """url_for(endpoint, program_id=..., **values), built once per request for the other values.

    A results page links every listing twice with the same ZIP and radius: the URL is built
    once with a stand-in id, which each listing's id then replaces (much cheaper than routing's
    URL builder ten times over).
    """
    before, after = _pattern(endpoint, **values)
    return f"{before}{program_id}{after}"


def _pattern(endpoint: str, **values) -> tuple[str, str]:
    """What comes before and after the id in `endpoint`'s path with these values (built once
    per request)."""
    patterns = g.setdefault("program_url_patterns", {})
    key = (endpoint, *sorted(values.items()))
    if key not in patterns:
        built = url_for(endpoint, program_id=DB_INT_MAX, **values)
        before, _, after = built.partition(f"/{DB_INT_MAX}")
        patterns[key] = (before + "/", after)
    return patterns[key]


def listing_links(zip_code: str | None, radius_miles: int):
    """A function giving a listing's (page, request form) paths for a search from `zip_code`
    within the radius: what program_page_url and request_info_url give, with the patterns
    looked up once for a whole list of results."""
    page = _pattern(
        "search.program", zip=zip_code or None, radius=_page_radius(zip_code, radius_miles)
    )
    form = _pattern("leads.request_info", zip=zip_code or None, radius=_radius(radius_miles))
    return lambda program_id: (
        f"{page[0]}{program_id}{page[1]}",
        f"{form[0]}{program_id}{form[1]}",
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


# The characters url_for leaves as they are in a query string (werkzeug's choice, the WHATWG's).
QUERY_SAFE = "!$'()*,/:;?@"


def search_url(**values) -> str:
    """url_for("search.programs", **values), in a fraction of its time: the search's path is
    built once per request, and the values (None left out) follow as the query string, encoded
    as url_for encodes them. A results page links to its other orders and pages this way."""
    path = g.get("search_path")
    if path is None:
        path = g.search_path = url_for("search.programs")
    query = urlencode([(k, v) for k, v in values.items() if v is not None], safe=QUERY_SAFE)
    return f"{path}?{query}" if query else path
