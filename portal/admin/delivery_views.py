"""The schools' delivery settings under /admin: the schools, each school's destinations (add,
switch on or off, rotate a secret, send a test event), its delivery log, and redelivering.

Every page needs a signed-in admin (portal.admin.views.require_admin covers all of /admin);
every change is a POST with a CSRF token. A new signing secret is shown in the answer to the
POST that made it and never again: it is not put in the session or a flash message.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from portal.admin.account_forms import InviteForm
from portal.admin.delivery_forms import (
    ActionForm,
    DestinationEnabledForm,
    EmailDestinationForm,
    WebhookForm,
)
from portal.admin.forms import MAX_PAGE
from portal.admin.views import admin_area, safe_next
from portal.delivery.send import send_test_to_destination
from portal.models import utcnow
from portal.services.deliveries import (
    CannotRedeliver,
    DeliveryNotFound,
    describe,
    redeliver,
)
from portal.services.destinations import (
    DestinationNotFound,
    InvalidDestination,
    SchoolNotFound,
    add_email,
    add_webhook,
    get_destination,
    rotate_secret,
    school_deliveries,
    schools_overview,
    set_enabled,
)
from portal.services.school_accounts import school_users
from portal.services.transport import DeliverySettings

bp = Blueprint("admin_delivery", __name__, url_prefix="/admin")
admin_area(bp)


def _production() -> bool:
    return current_app.config["PORTAL_ENV"] == "production"


def _school_page(school_id: int, webhook_form=None, email_form=None, status: int = 200, **accounts):
    """Render the school page (with forms carrying errors, when given); `accounts` may give
    the school users' part its invitation form or a new password to show once."""
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    try:
        found = school_deliveries(school_id, page)
    except SchoolNotFound:
        abort(404)
    return render_template(
        "admin/school.html",
        page=found,
        webhook_form=webhook_form or WebhookForm(formdata=None),
        email_form=email_form or EmailDestinationForm(formdata=None),
        action_form=ActionForm(formdata=None),
        enabled_form=DestinationEnabledForm(formdata=None),
        production=_production(),
        now=utcnow(),
        users=school_users(school_id),
        invite_form=accounts.get("invite_form") or InviteForm(formdata=None),
        invited=accounts.get("invited"),
    ), status


def _destination_or_404(destination_id: int):
    try:
        return get_destination(destination_id)
    except DestinationNotFound:
        abort(404)


def _checked(form) -> None:
    """Refuse a POST whose form (its CSRF token, its fields) does not validate."""
    if not form.validate_on_submit():
        abort(400)


@bp.get("/schools")
@login_required
def schools():
    """Every school, its destinations, and its pending and failed deliveries."""
    return render_template("admin/schools.html", schools=schools_overview())


@bp.get("/schools/<id:school_id>")
@login_required
def school(school_id: int):
    """One school's delivery settings and delivery log."""
    return _school_page(school_id)


@bp.post("/schools/<id:school_id>/webhooks")
@login_required
def add_webhook_destination(school_id: int):
    """Add a webhook; the answer shows its new signing secret, once."""
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            allow_private = current_app.config["DELIVERY_ALLOW_PRIVATE_TARGETS"]
            created = add_webhook(school_id, form.url.data, _production(), allow_private)
        except SchoolNotFound:
            abort(404)
        except InvalidDestination as error:
            form.url.errors.append(str(error))
        else:
            return render_template("admin/secret.html", created=created, rotated=False)
    return _school_page(school_id, webhook_form=form, status=422)


@bp.post("/schools/<id:school_id>/emails")
@login_required
def add_email_destination(school_id: int):
    """Add an email destination."""
    form = EmailDestinationForm()
    if form.validate_on_submit():
        try:
            destination = add_email(school_id, form.addresses.data)
        except SchoolNotFound:
            abort(404)
        except InvalidDestination as error:
            form.addresses.errors.append(str(error))
        else:
            flash(f"Leads will also be emailed to {destination.email_to}.")
            return redirect(url_for(".school", school_id=school_id))
    return _school_page(school_id, email_form=form, status=422)


@bp.post("/destinations/<id:destination_id>/enabled")
@login_required
def destination_enabled(destination_id: int):
    """Switch a destination on or off."""
    form = DestinationEnabledForm()
    _checked(form)
    try:
        destination = set_enabled(destination_id, form.enabled.data == "1")
    except DestinationNotFound:
        abort(404)
    flash(f"{destination.target} is now {'on' if destination.is_enabled else 'off'}.")
    return redirect(url_for(".school", school_id=destination.school_id))


@bp.post("/destinations/<id:destination_id>/rotate")
@login_required
def rotate_destination_secret(destination_id: int):
    """Give a webhook a new secret (the old one signs too for 24 hours); show it once."""
    _checked(ActionForm())
    try:
        rotated = rotate_secret(destination_id, utcnow())
    except DestinationNotFound:
        abort(404)
    except InvalidDestination as error:
        abort(400, str(error))
    return render_template("admin/secret.html", created=rotated, rotated=True)


@bp.post("/destinations/<id:destination_id>/test")
@login_required
def test_destination_view(destination_id: int):
    """Send a test event (or email) now and show what the endpoint answered."""
    _checked(ActionForm())
    destination = _destination_or_404(destination_id)
    settings = DeliverySettings.from_config(current_app.config)
    answer = send_test_to_destination(destination, settings, utcnow())
    return render_template(
        "admin/test_result.html",
        destination=_destination_or_404(destination_id),
        answer=answer,
        outcome=describe(answer),
    )


@bp.post("/deliveries/<id:delivery_id>/redeliver")
@login_required
def redeliver_view(delivery_id: int):
    """Send a failed (or delivered) lead again, with the same webhook-id; back to `next`."""
    _checked(ActionForm())
    try:
        delivery = redeliver(delivery_id, utcnow())
    except DeliveryNotFound:
        abort(404)
    except CannotRedeliver as error:
        flash(str(error))
    else:
        flash(f"Delivery {delivery.id} is queued again; the worker sends it within seconds.")
    return redirect(safe_next(request.args.get("next"), url_for("admin_delivery.schools")))
