"""The program search page: the form, and one page of sponsored results for a ZIP."""

from flask import Blueprint, render_template, request

from portal.search.forms import SearchForm, search_options
from portal.search.links import request_info_path
from portal.services.careers import career_name
from portal.services.geo import InvalidZip, UnknownZip
from portal.services.matching import today_utc
from portal.services.search import find_programs

bp = Blueprint("search", __name__)
bp.add_app_template_global(request_info_path)
bp.add_app_template_global(search_options)
bp.add_app_template_global(career_name)


@bp.get("/programs")
def programs():
    """Show the search form and, when a ZIP is given, the listings that serve it."""
    form = SearchForm(request.args)
    if not form.validate():
        return render_template("search/results.html", form=form), 422
    if not form.has_zip:
        return render_template("search/results.html", form=form)
    try:
        results = find_programs(form.zip.data, form.filters(), form.page_number(), today_utc())
    except (InvalidZip, UnknownZip) as error:
        form.zip.errors.append(str(error))
        return render_template("search/results.html", form=form), 422
    return render_template("search/results.html", form=form, results=results)
