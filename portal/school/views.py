"""The schools' area under /school: a school user's own leads, outcomes, returns, statements,
listing figures, API tokens and password. Every page but the sign-in needs a signed-in school
user (an admin's session is not one), and every lookup goes through a service that takes the
user's school id, so another school's ids are 404s.
"""

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from portal.admin.forms import MAX_PAGE, LoginForm, LogoutForm
from portal.admin.views import password_sign_in
from portal.core.http import signed_in_area
from portal.core.signin import end_session, is_school_user
from portal.core.signin_limits import signin_limits
from portal.models import LEAD_OUTCOMES, RETURN_REASONS, today_utc, utcnow
from portal.school.forms import (
    CsrfOnlyForm,
    OutcomeForm,
    PasswordForm,
    ReturnForm,
    SchoolLeadFilterForm,
)
from portal.school.presentation import school_helpers
from portal.services.exports import describe_school_downloads, list_exports
from portal.services.lead_returns import (
    InvalidReturn,
    ReturnRefused,
    list_returns,
    request_return,
    returnable,
)
from portal.services.school_accounts import (
    AccountError,
    authenticate_school,
    change_school_password,
    end_school_sessions,
)
from portal.services.school_api import TokenNotFound, create_token, revoke_token, school_tokens
from portal.services.school_leads import (
    Actor,
    InvalidOutcome,
    LeadNotFound,
    lead_outcomes,
    lead_return,
    list_school_leads,
    record_outcome,
    school_filter_choices,
    school_lead,
    school_leads_csv,
)
from portal.services.school_performance import school_performance
from portal.services.statements import (
    InvalidMonth,
    month_text,
    next_month,
    parse_month,
    previous_month,
    school_statement_csv,
    statement,
)

bp = Blueprint("school", __name__, url_prefix="/school")


# Every page under /school needs a signed-in school user (but the sign-in page), even a URL that
# matches nothing, and none is cached or indexed.
signed_in_area(bp, is_school_user, "school.login")
bp.context_processor(
    lambda: {
        "logout_form": LogoutForm(formdata=None),
        "school_signed_in": is_school_user(current_user),
        **school_helpers(),
    }
)


def school_id() -> int:
    """The signed-in user's school: the scope of every query of this area."""
    return current_user.school_id


def actor() -> Actor:
    """The signed-in user, as records name them."""
    return Actor(current_user.email, current_user.id)


def home():
    """Where a signed-in school user starts."""
    return url_for("school.leads")


@bp.route("/login", methods=["GET", "POST"])
@signin_limits("school", "SCHOOL_LOGIN_LIMIT")
def login():
    """Sign in with email and password, then go to `next` if it is a page on this site."""
    form = LoginForm(next=request.args.get("next", ""))
    mismatch = "That email and password do not match a school account."
    return password_sign_in(
        form, is_school_user, authenticate_school, "school/login.html", mismatch, home()
    )


@bp.post("/logout")
def logout():
    """Sign out everywhere: this session and every other of this user (a POST with CSRF)."""
    if not LogoutForm().validate_on_submit():
        abort(400)
    end_school_sessions(current_user.id)
    end_session()
    flash("You are signed out.")
    return redirect(url_for("school.login"))


def _filter_form(data) -> SchoolLeadFilterForm:
    form = SchoolLeadFilterForm(data)
    form.set_choices(school_filter_choices(school_id()))
    return form


@bp.get("")
@bp.get("/leads")
def leads():
    """The school's leads, newest first, filtered by day, program, campus and outcome."""
    form = _filter_form(request.args)
    if not form.validate():
        return render_template("school/leads.html", form=form, page=None), 400
    page = list_school_leads(school_id(), form.to_filters(), form.page.data or 1)
    return render_template(
        "school/leads.html", form=form, page=page, export_form=CsrfOnlyForm(formdata=None)
    )


@bp.post("/leads/export.csv")
def export_csv():
    """The filtered leads as CSV in the `school` column set (a POST with CSRF)."""
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    form = _filter_form(request.form)
    if not form.validate():
        abort(400, "Those filters are not valid; use the form on the leads page.")
    chunks = school_leads_csv(school_id(), form.to_filters(), actor())
    filename = f"leads-{today_utc().isoformat()}.csv"
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _lead_page(lead_id: int, outcome_form=None, return_form=None, status: int = 200):
    try:
        lead = school_lead(school_id(), lead_id)
    except LeadNotFound:
        abort(404)
    existing = lead_return(school_id(), lead_id)
    days = current_app.config["LEAD_RETURN_DAYS"]
    return render_template(
        "school/lead.html",
        lead=lead,
        outcomes=lead_outcomes(school_id(), lead_id),
        returned=existing,
        cannot_return=returnable(lead, existing, today_utc(), days),
        return_until=lead.created_at.date() + timedelta(days=days),
        outcome_form=outcome_form or OutcomeForm(formdata=None),
        return_form=return_form or ReturnForm(formdata=None),
    ), status


@bp.get("/leads/<id:lead_id>")
def lead(lead_id: int):
    """One of the school's leads with its consent evidence, outcomes and return."""
    return _lead_page(lead_id)


@bp.get("/leads/<id:lead_id>/receipt.jws")
def receipt(lead_id: int):
    """The lead's signed consent receipt, as a file (404 for a lead stored before receipts)."""
    try:
        found = school_lead(school_id(), lead_id)
    except LeadNotFound:
        abort(404)
    if not found.consent_receipt:
        abort(404)
    return Response(
        found.consent_receipt,
        mimetype="application/jose",
        headers={
            "Content-Disposition": f'attachment; filename="consent-receipt-lead-{lead_id}.jws"'
        },
    )


@bp.post("/leads/<id:lead_id>/outcome")
def outcome(lead_id: int):
    """Record what became of the lead, then show it again."""
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            record_outcome(
                school_id(), lead_id, form.outcome.data, form.occurred_on.data, actor(), today_utc()
            )
        except LeadNotFound:
            abort(404)
        except InvalidOutcome as error:
            form.occurred_on.errors.append(str(error))
        else:
            flash(f"Outcome recorded: {LEAD_OUTCOMES[form.outcome.data]}.")
            return redirect(url_for(".lead", lead_id=lead_id), code=303)
    return _lead_page(lead_id, outcome_form=form, status=422)


@bp.post("/leads/<id:lead_id>/return")
def return_lead(lead_id: int):
    """Return the lead for credit (within LEAD_RETURN_DAYS: later, 409), then show it again."""
    form = ReturnForm()
    if form.validate_on_submit():
        days = current_app.config["LEAD_RETURN_DAYS"]
        try:
            request_return(
                school_id(), lead_id, form.reason.data, form.text.data, actor(), utcnow(), days
            )
        except LeadNotFound:
            abort(404)
        except ReturnRefused as error:
            abort(409, str(error))
        except InvalidReturn as error:
            form.text.errors.append(str(error))
        else:
            flash("Lead returned. We will look at it and credit it if the return is approved.")
            return redirect(url_for(".lead", lead_id=lead_id), code=303)
    return _lead_page(lead_id, return_form=form, status=422)


@bp.get("/returns")
def returns():
    """The school's returns: waiting ones first, then the decisions."""
    page = list_returns(school_id=school_id(), page=request.args.get("page", 1, type=int))
    return render_template(
        "school/returns.html", returns=page.items, page=page, reasons=RETURN_REASONS
    )


def _month_or_422():
    try:
        return parse_month(request.args.get("month"), today_utc())
    except InvalidMonth as error:
        abort(422, str(error))


@bp.get("/statement")
def statement_page():
    """The school's statement of a month (this month unless ?month=YYYY-MM): its summary and
    one page of its lines (?page=N)."""
    first = _month_or_422()
    page = request.args.get("page", 1, type=int)
    view = statement(school_id(), first, utcnow(), page=page)
    month = month_text(first)
    return render_template(
        "school/statement.html",
        view=view,
        lead_url=lambda lead_id: url_for(".lead", lead_id=lead_id),
        page_url=lambda number: url_for(".statement_page", month=month, page=number),
        csv_url=url_for(".statement_download", month=month),
        previous_url=url_for(".statement_page", month=month_text(previous_month(first))),
        next_url=(
            url_for(".statement_page", month=month_text(next_month(first)))
            if next_month(first) <= today_utc()
            else None
        ),
    )


@bp.get("/statement.csv")
def statement_download():
    """The statement as CSV, one row per line; recorded in the export audit."""
    first = _month_or_422()
    chunks = school_statement_csv(school_id(), first, utcnow(), actor())
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="statement-{month_text(first)}.csv"'
        },
    )


@bp.get("/downloads")
def downloads():
    """The CSV files the school's users downloaded: who, when, what, how many rows."""
    number = min(max(1, request.args.get("page", 1, type=int)), MAX_PAGE)
    page = list_exports(number, school_id=school_id())
    return render_template(
        "school/downloads.html", page=page, described=describe_school_downloads(page.items)
    )


@bp.get("/performance")
def performance():
    """The school's listings day by day over the last 30 days (UTC)."""
    today = today_utc()
    rows = school_performance(school_id(), today - timedelta(days=29), today)
    return render_template("school/performance.html", rows=rows)


@bp.get("/api-tokens")
def tokens():
    """The school's API tokens (never the tokens themselves), and a button for a new one."""
    return _tokens_page()


def _tokens_page(new_token: str | None = None, status: int = 200):
    return render_template(
        "school/tokens.html",
        tokens=school_tokens(school_id()),
        action_form=CsrfOnlyForm(formdata=None),
        new_token=new_token,
    ), status


@bp.post("/api-tokens")
def new_token():
    """Make a token and show it once, in this answer only."""
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    _row, token = create_token(school_id(), current_user.email, current_user.id)
    return _tokens_page(new_token=token, status=201)


@bp.post("/api-tokens/<id:token_id>/revoke")
def revoke(token_id: int):
    """Revoke one of the school's tokens."""
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    try:
        row = revoke_token(school_id(), token_id, utcnow())
    except TokenNotFound:
        abort(404)
    flash(f"Token {row.prefix}… revoked.")
    return redirect(url_for(".tokens"), code=303)


@bp.route("/password", methods=["GET", "POST"])
def password():
    """Change the password; every session of this user ends, so sign in again."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_school_password(current_user.id, form.current.data, form.new.data)
        except AccountError as error:
            form.current.errors.append(str(error))
        else:
            end_session()
            flash("Password changed. Sign in with the new one.")
            return redirect(url_for(".login"), code=303)
    return render_template("school/password.html", form=form), 422 if form.errors else 200
