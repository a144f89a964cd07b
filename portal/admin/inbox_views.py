"""The admin's inbox under /admin: contact messages, and acting on "Do Not Sell or Share"
requests (listed on the data deletion page). Messages and requests are personal data: shown
only here, never logged."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.admin.deletion import deletion_page
from portal.admin.delivery_forms import ActionForm
from portal.admin.forms import DeleteDataForm
from portal.admin.inbox_forms import CloseRequestForm, HandledForm, MessageListForm
from portal.admin.views import admin_area, safe_next
from portal.models import CONTACT_TOPICS
from portal.services.erasure import NoteRequired, PrivacyRequestNotFound, close_privacy_request
from portal.services.inbox import (
    MessageNotFound,
    delete_message,
    list_messages,
    set_message_handled,
)

bp = Blueprint("admin_inbox", __name__, url_prefix="/admin")
admin_area(bp)


@bp.get("/messages")
@login_required
def messages():
    """The contact form's messages, newest first, all or only those not yet handled."""
    form = MessageListForm(request.args)
    if not form.validate():
        return render_template("admin/messages.html", form=form, page=None), 400
    page = list_messages(form.page.data or 1, open_only=form.show.data == "open")
    return render_template(
        "admin/messages.html",
        form=form,
        page=page,
        topics=CONTACT_TOPICS,
        handled_form=HandledForm(formdata=None),
        action_form=ActionForm(formdata=None),
    )


@bp.post("/messages/<id:message_id>/handled")
@login_required
def message_handled(message_id: int):
    """Mark a message handled, or not handled again; back to the list."""
    form = HandledForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        set_message_handled(message_id, current_user.id, form.handled.data == "1")
    except MessageNotFound:
        abort(404)
    flash(f"Message {message_id} marked {'handled' if form.handled.data == '1' else 'open'}.")
    return redirect(safe_next(request.args.get("next"), url_for(".messages")))


@bp.post("/messages/<id:message_id>/delete")
@login_required
def message_delete(message_id: int):
    """Delete a message for good; back to the list."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        delete_message(message_id)
    except MessageNotFound:
        abort(404)
    flash(f"Message {message_id} deleted.")
    return redirect(safe_next(request.args.get("next"), url_for(".messages")))


@bp.post("/privacy/requests/<id:request_id>/close")
@login_required
def close_request(request_id: int):
    """Act on a "Do Not Sell or Share" request: delete the person's data, or close it with a
    note; either way it is recorded and the address is erased. Back to the deletion page."""
    form = CloseRequestForm()
    if not form.validate_on_submit():
        if form.note.errors and not (form.action.errors or form.csrf_token.errors):
            errors = {request_id: " ".join(form.note.errors)}
            return deletion_page(DeleteDataForm(formdata=None), form, errors, status=422)
        abort(400)
    try:
        closed = close_privacy_request(
            request_id, current_user.id, form.action.data == "delete", form.note.data or ""
        )
    except PrivacyRequestNotFound:
        abort(404)
    except NoteRequired as error:
        errors = {request_id: str(error)}
        return deletion_page(DeleteDataForm(formdata=None), form, errors, status=422)
    flash(f"Request {request_id} closed. {closed.outcome}")
    return redirect(url_for("admin.delete_data"))
