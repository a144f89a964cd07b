"""The program search page: the form, and one page of sponsored results for a ZIP."""

from dataclasses import dataclass

from flask import Blueprint, render_template, request

from portal.core.page_cache import RenderedPage, cached_page
from portal.models import today_utc
from portal.search.forms import MODALITY_NAMES, SearchForm, search_box_form
from portal.search.links import request_info_url
from portal.services.careers import career_name
from portal.services.geo import UnknownZip
from portal.services.matching import Filters
from portal.services.search import find_programs
from portal.services.search_log import record_search

bp = Blueprint("search", __name__)
bp.add_app_template_global(request_info_url)
bp.add_app_template_global(search_box_form)
bp.add_app_template_global(career_name)
bp.add_app_template_global(MODALITY_NAMES, "modality_names")


@dataclass(frozen=True)
class Outcome:
    """What a results page found, as its search log row says it: where and how many."""

    state: str | None
    total: int


@bp.get("/programs")
def programs():
    """Show the search form and, when a ZIP is given, the listings that serve it.

    Every search with a ZIP is logged once, whether its page is built now or was kept.
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
    return page.html, page.status


def results_page(form: SearchForm, filters: Filters, number: int) -> RenderedPage:
    """One page of results, rendered; UnknownZip for a ZIP we don't have."""
    results = find_programs(form.zip.data, filters, number, today_utc())
    html = render_template("search/results.html", form=form, results=results)
    return RenderedPage(html, 200, Outcome(results.state, results.total))
