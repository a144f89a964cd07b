"""The program search page, with one page of sponsored results for a ZIP, and each listing's
own page."""

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request
from werkzeug.exceptions import NotFound

from portal.core.errors import render_error
from portal.core.page_cache import RenderedPage, cached_page
from portal.models import today_utc
from portal.search import presentation
from portal.search.forms import MODALITY_NAMES, SearchForm, search_box_form
from portal.search.links import program_page_url, request_info_url, results_url, search_url
from portal.services.careers import career_name
from portal.services.geo import UnknownZip
from portal.services.listing_stats import record_impressions
from portal.services.matching import RADIUS_CHOICES, Filters, parse_radius
from portal.services.program_pages import ProgramGone, program_page
from portal.services.programs import ProgramNotFound
from portal.services.search import NEAREST_CAMPUS_MILES, find_programs
from portal.services.search_log import record_search

bp = Blueprint("search", __name__)
bp.add_app_template_global(request_info_url)
bp.add_app_template_global(program_page_url)
bp.add_app_template_global(results_url)
bp.add_app_template_global(search_url)
bp.add_app_template_global(search_box_form)
bp.add_app_template_global(career_name)
bp.add_app_template_global(MODALITY_NAMES, "modality_names")
bp.add_app_template_global(presentation.result_cards)
bp.add_app_template_global(presentation.search_form)
bp.add_app_template_filter(presentation.tuition_text, "tuition")
bp.add_app_template_filter(presentation.schedule_text, "schedule")
bp.add_app_template_filter(presentation.long_date, "long_date")
bp.add_app_template_filter(presentation.dollars, "dollars")


@dataclass(frozen=True)
class Outcome:
    """What a results page found, as its search log row says it (where and how many), and the
    listings it shows, each counted as shown whenever the page is answered."""

    state: str | None
    total: int
    shown: tuple[int, ...] = ()


@bp.get("/programs")
def programs():
    """Show the search form and, when a ZIP is given, the listings that serve it.

    Every search with a ZIP is logged once, and each listing it shows counted as shown once,
    whether its page is built now or was kept.
    """
    form = SearchForm(request.args)
    if not form.validate():
        return render_template("search/results.html", form=form), 422
    if not form.has_zip:
        return render_template("search/results.html", form=form)
    filters, number = form.filters(), form.page_number()
    key = ("search", form.zip.data, filters, number)
    try:
        page = cached_page("pages", key, lambda: results_page(form, filters, number))
    except UnknownZip as error:
        form.zip.errors.append(str(error))
        html = render_template("search/results.html", form=form)
        page = RenderedPage(html, 422, Outcome(None, 0))
    record_search(form.zip.data, page.data.state, filters, page.data.total, number)
    record_impressions(page.data.shown)
    return page.html, page.status


def results_page(form: SearchForm, filters: Filters, number: int) -> RenderedPage:
    """One page of results, rendered; UnknownZip for a ZIP we don't have."""
    results = find_programs(form.zip.data, filters, number, today_utc(), nearest=True)
    html = render_template(
        "search/results.html",
        form=form,
        results=results,
        sort_labels=presentation.SORT_LABELS,
        sort_explanation=presentation.SORT_EXPLANATIONS[filters.sort],
        widest_radius=RADIUS_CHOICES[-1],
        nearest_limit=NEAREST_CAMPUS_MILES,
    )
    return RenderedPage(html, 200, Outcome(results.state, results.total, results.shown_ids))


@bp.get("/programs/<id:program_id>")
def program(program_id: int):
    """One listing's page: everything a visitor decides on, and its Request Info button.

    The same for everyone who comes from the same ZIP (no session is read or written), so it
    is cached like any public page, and kept by this process for PAGE_CACHE_SECONDS.
    """
    zip_text, radius = request.args.get("zip", "")[:10], parse_radius(request.args.get("radius"))
    key = ("program", program_id, zip_text, radius)
    page = cached_page("pages", key, lambda: program_html(program_id, zip_text, radius))
    return page.html, page.status


def program_html(program_id: int, zip_text: str, radius: int) -> RenderedPage:
    """A listing's page, rendered: 200, or 410 for a listing that is gone."""
    try:
        page = program_page(program_id, zip_text, radius, today_utc())
    except ProgramGone as gone:
        html = render_template("search/program_gone.html", gone=gone, radius=radius)
        return RenderedPage(html, 410)
    origin = page.origin.code if page.origin else None
    url = current_app.config["SITE_URL"] + program_page_url(program_id, None, radius)
    html = render_template(
        "search/program.html",
        page=page,
        program=page.program,
        zip_code=origin,
        radius=radius,
        json_ld=presentation.program_json_ld(page, url),
    )
    return RenderedPage(html, 200)


@bp.errorhandler(ProgramNotFound)
def program_not_found(_error: ProgramNotFound):
    """No listing has that id: the site's 404 page."""
    return render_error(NotFound())
