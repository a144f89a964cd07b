"""The API reference for partners at /api/docs: a page read from the OpenAPI document."""

from flask import Blueprint, render_template

from portal.api.openapi import document
from portal.api.reference import inline, reference

bp = Blueprint("api_docs", __name__)
bp.add_app_template_filter(inline, "api_markup")


@bp.get("/api/docs")
def api_reference():
    """The API, its webhooks and its objects, for people (the same document as openapi.json)."""
    return render_template("api/docs.html", api=reference(document()))
