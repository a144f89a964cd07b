"""The admin's data deletion page, shared by its own form and by closing a privacy request
from it: the deletion form, the open "Do Not Sell or Share" requests with their actions, and
what was done before (deletions, retention runs, closed requests)."""

from flask import current_app, render_template

from portal.admin.inbox_forms import CloseRequestForm
from portal.services.erasure import recent_deletions
from portal.services.inbox import closed_privacy_requests, open_privacy_requests
from portal.services.retention import period_in_words, recent_retention_runs


def deletion_page(form, close_form=None, close_errors: dict | None = None, status: int = 200):
    """The page, with `form` (the deletion form) and, after a failed close, its form and the
    message beside the request it was for (`close_errors`: {request id: message})."""
    return render_template(
        "admin/delete.html",
        form=form,
        deletions=recent_deletions(),
        requests=open_privacy_requests(),
        closed=closed_privacy_requests(),
        close_form=close_form or CloseRequestForm(formdata=None),
        close_errors=close_errors or {},
        retention_runs=recent_retention_runs(),
        retention_period=period_in_words(current_app.config["LEAD_RETENTION_DAYS"]),
    ), status
