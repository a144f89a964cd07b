"""The program search page: the form, and one page of sponsored results for a ZIP."""

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request

from portal.search.forms import SearchForm, search_options
from portal.search.links import request_info_path
from portal.services.careers import career_name
from portal.services.geo import InvalidZip, UnknownZip
from portal.services.matching import today_utc
from portal.services.search import find_programs
from portal.services.search_log import record_search

bp = Blueprint("search", __name__)
bp.add_app_template_global(request_info_path)
bp.add_app_template_global(search_options)
bp.add_app_template_global(career_name)


@dataclass(frozen=True)
class RenderedSearch:
    """A results page as sent, with what its search log row needs when it is sent again."""

    html: str
    state: str
    total: int


@bp.get("/programs")
def programs():
    """Show the search form and, when a ZIP is given, the listings that serve it."""
    form = SearchForm(request.args)
    if not form.validate():
        return render_template("search/results.html", form=form), 422
    if not form.has_zip:
        return render_template("search/results.html", form=form)
    filters, page = form.filters(), form.page_number()
    cache = current_app.extensions["page_cache"]
    key = ("search", form.zip.data, filters, page)
    rendered = cache.get(key)
    if rendered is not None:
        if page == 1:
            record_search(form.zip.data, rendered.state, filters, rendered.total)
        return rendered.html
    try:
        results = find_programs(form.zip.data, filters, page, today_utc())
    except (InvalidZip, UnknownZip) as error:
        form.zip.errors.append(str(error))
        return render_template("search/results.html", form=form), 422
    html = render_template("search/results.html", form=form, results=results)
    cache.put(key, RenderedSearch(html, results.state, results.total))
    return html
