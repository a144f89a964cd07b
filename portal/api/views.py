"""The partner API's program search: the same search as /programs, as JSON."""

import json

from flask import current_app, jsonify, request

from portal.api import bp
from portal.api.openapi import document
from portal.models import today_utc
from portal.search.forms import ApiSearchForm
from portal.search.links import program_page_url, request_info_url
from portal.services.geo import UnknownZip
from portal.services.listing_stats import record_impressions
from portal.services.search import Listing, SearchResults, find_programs
from portal.services.search_log import record_search


@bp.get("/programs")
def programs():
    """The listings serving a ZIP as JSON, a 422 naming each bad parameter, or a 404 for a
    well-formed ZIP code we do not know."""
    form = ApiSearchForm(request.args)
    if not form.validate():
        return invalid(form.errors)
    filters, page = form.filters(), form.page_number()
    try:
        results = find_programs(form.zip.data, filters, page, today_utc())
    except UnknownZip as error:
        record_search(form.zip.data, None, filters, 0, page)
        return not_found_field("zip", str(error))
    record_search(form.zip.data, results.state, filters, results.total, page)
    record_impressions(results.shown_ids)
    return jsonify(results_json(results))


@bp.get("/openapi.json")
def openapi_document():
    """The API's OpenAPI 3.1 document: public, cached like any public page."""
    body = json.dumps(document(), ensure_ascii=False, indent=1)
    return current_app.response_class(body, mimetype="application/json")


def invalid(fields: dict[str, list[str]]):
    """A 422 answer in the API's error shape, with the messages for each bad parameter."""
    error = {"status": 422, "title": "Unprocessable request", "fields": fields}
    return jsonify(error=error), 422


def not_found_field(name: str, message: str):
    """A 404 in the API's error shape: the value of parameter `name` is well-formed but names
    nothing we know (a ZIP code, a cursor)."""
    error = {"status": 404, "title": "Not found", "fields": {name: [message]}}
    return jsonify(error=error), 404


def results_json(results: SearchResults) -> dict:
    """The documented JSON shape of one page of search results."""
    filters = results.filters
    return {
        "zip": results.zip_code,
        "city": results.city,
        "state": results.state,
        "filters": {
            "career": filters.career,
            "level": filters.credential_level,
            "modality": filters.modality,
            "radius": filters.radius_miles,
        },
        "sort": filters.sort,
        "pagination": {
            "page": results.page,
            "per_page": results.per_page,
            "total": results.total,
            "pages": results.pages,
        },
        "results": [listing_json(item, results) for item in results.listings],
        "online_in_state": [listing_json(item, results) for item in results.online_in_state],
    }


def listing_json(listing: Listing, results: SearchResults) -> dict:
    """One listing in the API's shape (bids are never shown)."""
    radius = results.filters.radius_miles
    site = current_app.config["SITE_URL"]
    campus = None
    if listing.campus_zip is not None:
        campus = {
            "name": listing.campus_name,
            "city": listing.campus_city,
            "state": listing.campus_state,
            "zip": listing.campus_zip,
        }
    miles = listing.distance_miles
    return {
        "program_id": listing.program_id,
        "school": listing.school,
        "program": listing.title,
        "career": listing.career,
        "credential_level": listing.credential_level,
        "modality": listing.modality,
        "duration": listing.duration,
        "campus": campus,
        "distance_miles": None if miles is None else round(miles, 1),
        "tuition_min_usd": usd(listing.tuition_min_cents),
        "tuition_max_usd": usd(listing.tuition_max_cents),
        "schedule": list(listing.schedule),
        "next_start_dates": [day.isoformat() for day in listing.next_start_dates],
        "accreditation": listing.accreditation,
        "financial_aid": listing.financial_aid,
        "program_url": listing.program_url,
        "sponsored": True,
        "request_info_url": site + request_info_url(listing.program_id, results.zip_code, radius),
        "program_page_url": site + program_page_url(listing.program_id, results.zip_code, radius),
    }


def usd(cents: int | None) -> int | float | None:
    """An amount of cents as a JSON number of dollars: whole when it is, else to the cent."""
    if cents is None:
        return None
    return cents // 100 if cents % 100 == 0 else cents / 100
