"""The admin's side of the schools' accounts: users (invite, disable), returns to decide,
and every school's statements with a month's totals."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import login_required

from portal.admin.account_forms import DecisionForm, InviteForm, UserEnabledForm
from portal.admin.delivery_views import _school_page
from portal.admin.forms import MAX_PAGE
from portal.admin.views import admin_area, editor
from portal.models import RETURN_REASONS, RETURN_STATES, today_utc, utcnow
from portal.services.lead_returns import (
    AlreadyDecided,
    ReturnNotFound,
    decide_return,
    list_returns,
)
from portal.services.school_accounts import (
    AccountError,
    UnknownSchoolUser,
    create_school_user,
    generate_password,
    set_school_user_enabled,
)
from portal.services.statements import (
    InvalidMonth,
    NoSuchSchool,
    month_text,
    month_totals,
    next_month,
    parse_month,
    previous_month,
    statement,
    statement_csv,
)

bp = Blueprint("admin_accounts", __name__, url_prefix="/admin")
admin_area(bp)


@bp.post("/schools/<id:school_id>/users")
@login_required
def invite(school_id: int):
    """Add a user to the school with a new password, shown in this answer only."""
    form = InviteForm()
    if form.validate_on_submit():
        password = generate_password()
        try:
            user = create_school_user(school_id, form.email.data, password)
        except AccountError as error:
            form.email.errors.append(str(error))
        else:
            invited = {"email": user.email, "password": password}
            return _school_page(school_id, status=201, invited=invited)
    return _school_page(school_id, status=422, invite_form=form)


@bp.post("/schools/<id:school_id>/users/<id:user_id>/enabled")
@login_required
def user_enabled(school_id: int, user_id: int):
    """Disable (ending their sessions) or enable a school user."""
    form = UserEnabledForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        user = set_school_user_enabled(school_id, user_id, form.enabled.data == "1")
    except UnknownSchoolUser:
        abort(404)
    if user.is_enabled:
        flash(f"{user.email} is enabled.")
    else:
        flash(f"{user.email} is disabled, signed out, and the API tokens they made are revoked.")
    return redirect(url_for("admin_delivery.school", school_id=school_id, _anchor="users"), 303)


@bp.get("/returns")
@login_required
def returns():
    """The schools' returns: waiting ones first, each with approve/deny and a note."""
    status = request.args.get("status")
    if status not in (None, "", *RETURN_STATES):
        abort(400)
    return _returns_page(status or None, page=request.args.get("page", 1, type=int))


def _decision_form(return_id: int, formdata=None) -> DecisionForm:
    """The decision form of one return: prefixed, so each on the page has its own ids."""
    kwargs = {} if formdata is False else {"formdata": None}
    return DecisionForm(prefix=f"return-{return_id}", **kwargs)


def _returns_page(status, form=None, form_for=None, code: int = 200, page: int = 1):
    found = list_returns(status=status, page=min(max(page, 1), MAX_PAGE))
    forms = {
        row.item.id: form if row.item.id == form_for else _decision_form(row.item.id)
        for row in found.items
        if row.item.status == "requested"
    }
    return render_template(
        "admin/returns.html",
        returns=found.items,
        page=found,
        reasons=RETURN_REASONS,
        status=status,
        forms=forms,
    ), code


@bp.post("/returns/<id:return_id>")
@login_required
def decide(return_id: int):
    """Approve (the lead is credited and no longer billable) or deny a return."""
    form = _decision_form(return_id, formdata=False)
    if not form.validate_on_submit():
        return _returns_page(None, form=form, form_for=return_id, code=422)
    try:
        row = decide_return(
            return_id, form.decision.data == "approve", form.note.data, editor(), utcnow()
        )
    except ReturnNotFound:
        abort(404)
    except AlreadyDecided as error:
        abort(409, str(error))
    flash(f"Return of lead {row.lead_id} {row.status}.")
    return redirect(url_for(".returns"), code=303)


def _month():
    try:
        return parse_month(request.args.get("month"), today_utc())
    except InvalidMonth as error:
        abort(422, str(error))


@bp.get("/statements")
@login_required
def statements():
    """Every school's statement of a month, and the month's totals."""
    first = _month()
    return render_template(
        "admin/statements.html",
        totals=month_totals(first, utcnow()),
        month=month_text(first),
        previous=month_text(previous_month(first)),
        following=month_text(next_month(first)) if next_month(first) <= today_utc() else None,
    )


@bp.get("/schools/<id:school_id>/statement")
@login_required
def school_statement(school_id: int):
    """One school's statement of a month, as the school sees it (CSV with ?format=csv)."""
    first = _month()
    if request.args.get("format") == "csv":
        return _statement_download(school_id, first)
    try:
        view = statement(school_id, first, utcnow(), page=request.args.get("page", 1, type=int))
    except NoSuchSchool:
        abort(404)
    return render_template(
        "admin/school_statement.html",
        view=view,
        lead_url=lambda lead_id: url_for("admin.lead", lead_id=lead_id),
        page_url=lambda number: url_for(
            ".school_statement", school_id=school_id, month=view.label, page=number
        ),
    )


def _statement_download(school_id: int, first):
    """The school's statement as CSV, streamed."""
    try:
        chunks = statement_csv(school_id, first, utcnow())
    except NoSuchSchool:
        abort(404)
    name = f"statement-{school_id}-{month_text(first)}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(stream_with_context(chunks), mimetype="text/csv", headers=headers)
