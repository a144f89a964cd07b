"""The program search pages."""

from flask import Blueprint, render_template

bp = Blueprint("search", __name__)


@bp.get("/programs")
def programs():
    """The search page; until listings land it explains that search is coming."""
    return render_template("search/coming.html")
