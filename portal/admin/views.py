"""The admin area under /admin: every page needs a signed-in admin, except the sign-in page."""

import io
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

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
from flask_login import current_user, login_required

from portal.admin.deletion import deletion_page
from portal.admin.delivery_forms import ActionForm
from portal.admin.forms import (
    MAX_PAGE,
    BulkStatusForm,
    DashboardRangeForm,
    DeleteDataForm,
    ExportForm,
    ImportProgramsForm,
    LeadFilterForm,
    LoginForm,
    LogoutForm,
    NoteForm,
    ProgramActiveForm,
    ProgramFilterForm,
    SponsorshipForm,
    StatusForm,
)
from portal.admin.import_help import import_columns
from portal.admin.presentation import (
    admin_zone,
    dashboard_charts,
    long_day,
    presentation_helpers,
)
from portal.core.charts import bar_chart, column_chart, counted
from portal.core.http import private_and_unindexed, signed_in_area
from portal.core.signin import end_session, is_admin, start_session
from portal.core.signin_limits import signin_limits
from portal.models import utcnow
from portal.services.accounts import authenticate, end_all_sessions
from portal.services.admin_leads import LeadNotFound, get_lead, list_leads
from portal.services.careers import known_careers
from portal.services.dashboard import dashboard_figures
from portal.services.deliveries import delivery_figures, lead_deliveries
from portal.services.erasure import delete_person_data
from portal.services.exports import (
    Actor,
    CannotRepeat,
    ExportNotFound,
    ExportOptions,
    describe_exports,
    export_filename,
    export_leads_csv,
    list_exports,
    repeat_export,
)
from portal.services.imports import import_programs
from portal.services.lead_status import (
    ChangeOutcome,
    Editor,
    InvalidNote,
    InvalidStatusChange,
    add_note,
    change_status,
    lead_history,
)
from portal.services.listings import (
    InvalidSponsorship,
    get_program,
    list_programs,
    set_program_active,
    update_sponsorship,
)
from portal.services.programs import ProgramNotFound, filter_choices

bp = Blueprint("admin", __name__, url_prefix="/admin")
PROGRAMS_TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "programs-example.csv"


def safe_next(target: str | None, default: str | None = None) -> str:
    """`target` if it is a path on this site, else `default` (no host, scheme or tricks)."""
    default = default or url_for("admin.dashboard")
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default  # browsers read "\" as "/" and drop tabs and newlines: "/\t/evil.example"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def password_sign_in(form, allowed, authenticate, template: str, mismatch: str, home=None):
    """A sign-in page's answer (the admin's and the schools'): someone `allowed` already
    signed in goes on; a valid email and password that `authenticate` accepts start a session
    and go to `next` (if it is a page on this site, else `home`); anything else shows the form
    again, with `mismatch` for a wrong email or password (401)."""
    if allowed(current_user) and request.method == "GET":
        return redirect(safe_next(form.next.data, home))
    if not form.validate_on_submit():
        return render_template(template, form=form), 422 if form.errors else 200
    user = authenticate(form.email.data, form.password.data, request.remote_addr or "")
    if user is None:
        form.password.errors.append(mismatch)
        return render_template(template, form=form), 401
    start_session(user)
    return redirect(safe_next(form.next.data, home))


def admin_helpers() -> dict:
    """Chart geometry, how values are shown, and the sign-out form for admin templates (also
    the delivery pages')."""
    # formdata=None: the form only renders its token, and must not read (maybe oversized) bodies.
    logout_form = LogoutForm(formdata=None)
    return {
        "bar_chart": bar_chart,
        "column_chart": column_chart,
        "counted": counted,
        "logout_form": logout_form,
        "admin_signed_in": is_admin(current_user),
        **presentation_helpers(),
    }


def editor() -> Editor:
    """The signed-in admin, as changes record them."""
    return Editor(current_user.email, current_user.id)


# Every page under /admin needs a signed-in admin (but the sign-in page), even a URL that
# matches nothing, and none is cached or indexed.
require_admin = signed_in_area(bp, is_admin, "admin.login")
bp.context_processor(admin_helpers)


def admin_area(blueprint: Blueprint) -> None:
    """Make `blueprint` part of the admin area: every page needs a signed-in admin (but the
    sign-in page), none is cached or indexed, and the admin layout has its helpers."""
    blueprint.before_request(require_admin)
    blueprint.after_request(private_and_unindexed)
    blueprint.context_processor(admin_helpers)


@bp.route("/login", methods=["GET", "POST"])
@signin_limits("admin", "ADMIN_LOGIN_LIMIT")
def login():
    """Sign in with email and password, then go to `next` if it is a page on this site."""
    form = LoginForm(next=request.args.get("next", ""))
    mismatch = "That email and password do not match an admin account."
    return password_sign_in(form, is_admin, authenticate, "admin/login.html", mismatch)


@bp.post("/logout")
def logout():
    """Sign out everywhere: this session and every other of this admin (a POST with CSRF)."""
    if not LogoutForm().validate_on_submit():
        abort(400)
    if is_admin(current_user):
        end_all_sessions(current_user.id)
    end_session()
    flash("You are signed out.")
    return redirect(url_for("admin.login"))


@bp.get("")
@login_required
def dashboard():
    """Headline figures against the previous period, charts over a range, deliveries."""
    form = DashboardRangeForm(request.args)
    now = utcnow()
    if not form.validate():
        return render_template("admin/dashboard.html", form=form, figures=None), 400
    today = now.astimezone(admin_zone()).date()
    first, last = form.span(today)
    figures = dashboard_figures(now, admin_zone(), first, last)
    delivery = delivery_figures(now)
    return render_template(
        "admin/dashboard.html",
        form=form,
        figures=figures,
        charts=dashboard_charts(figures),
        delivery=delivery,
        rates=figures.rates,
        long_day=long_day,
    )


@bp.route("/leads", methods=["GET", "POST"])
@login_required
def leads():
    """The leads, found by filters and a search, sorted, a page at a time; a POST changes the
    status of the leads ticked, then shows the same list again."""
    form = LeadFilterForm(request.args)
    # Prefixed: its fields must not share names (and ids) with the filters of the same page.
    formdata = request.form if request.method == "POST" else None
    bulk = BulkStatusForm(formdata=formdata, prefix="bulk")
    if request.method == "POST" and bulk.validate_on_submit():
        try:
            outcome = change_status(bulk.lead.data, bulk.to_change(), editor(), utcnow())
        except InvalidStatusChange as error:
            bulk.status.errors = [str(error)]
        else:
            flash(describe_outcome(outcome, bulk.status.data, bool(bulk.note.data)))
            return redirect(request.full_path.rstrip("?"), code=303)
    return _lead_list(form, bulk)


def _lead_list(form: LeadFilterForm, bulk: BulkStatusForm):
    """Render the lead list (422 when the status form came back with errors)."""
    form.set_choices(filter_choices())
    if not form.validate():
        return render_template("admin/leads.html", form=form, page=None, bulk=bulk), 400
    page = list_leads(
        form.to_filters(admin_zone()),
        form.page_number(),
        search=form.q.data,
        sort=form.sort_key(),
        descending=form.descending(),
    )
    export_form = ExportForm(formdata=None)
    status = 422 if bulk.errors else 200
    return render_template(
        "admin/leads.html", form=form, page=page, export_form=export_form, bulk=bulk
    ), status


def describe_outcome(outcome: ChangeOutcome, status: str, noted: bool = False) -> str:
    """What a status change did, in a sentence or two."""
    done = len(outcome.changed)
    parts = [f"{done} lead{'' if done == 1 else 's'} set to {status}."]
    if outcome.unchanged:
        parts.append(f"{len(outcome.unchanged)} already were.")
        if noted:
            parts.append("The note is kept in their history.")
    if outcome.missing:
        parts.append(f"{len(outcome.missing)} no longer exist (deleted on request?).")
    for lead_id, twin in outcome.repeats.items():
        parts.append(
            f"Lead {lead_id} is not billable: lead {twin}, the same request, is billed instead."
        )
    return " ".join(parts)


@bp.get("/leads/<id:lead_id>")
@login_required
def lead(lead_id: int):
    """Everything stored about one lead, its history and notes, and what can be done to it."""
    return _lead_page(lead_id, StatusForm(formdata=None), NoteForm(formdata=None))


@bp.get("/leads/<id:lead_id>/receipt.jws")
@login_required
def lead_receipt(lead_id: int):
    """The lead's signed consent receipt, as a file (404 for a lead stored before receipts)."""
    try:
        found = get_lead(lead_id)
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


def _lead_page(lead_id: int, status_form: StatusForm, note_form: NoteForm, status: int = 200):
    try:
        found = get_lead(lead_id)
    except LeadNotFound:
        abort(404)
    if request.method == "GET":
        status_form.status.data = found.status
        status_form.reason.data = found.reject_reason or ""
    return render_template(
        "admin/lead.html",
        lead=found,
        history=lead_history(lead_id),
        deliveries=lead_deliveries(lead_id),
        action_form=ActionForm(formdata=None),
        status_form=status_form,
        note_form=note_form,
    ), status


@bp.post("/leads/<id:lead_id>/status")
@login_required
def lead_status(lead_id: int):
    """Set one lead's status (with a reason to reject, and a note), then show it again."""
    form = StatusForm()
    if form.validate_on_submit():
        try:
            outcome = change_status([lead_id], form.to_change(), editor(), utcnow())
        except InvalidStatusChange as error:
            form.status.errors = [str(error)]
        else:
            if outcome.missing:
                abort(404)
            flash(describe_outcome(outcome, form.status.data, bool(form.note.data)))
            return redirect(url_for(".lead", lead_id=lead_id), code=303)
    return _lead_page(lead_id, form, NoteForm(formdata=None), 422)


@bp.post("/leads/<id:lead_id>/notes")
@login_required
def lead_note(lead_id: int):
    """Add a note to a lead, then show it again."""
    form = NoteForm()
    if form.validate_on_submit():
        try:
            add_note(lead_id, form.body.data, editor(), utcnow())
        except LeadNotFound:
            abort(404)
        except InvalidNote as error:
            form.body.errors = [str(error)]
        else:
            flash("Note added.")
            return redirect(url_for(".lead", lead_id=lead_id, _anchor="history"), code=303)
    return _lead_page(lead_id, StatusForm(formdata=None), form, 422)


@bp.post("/leads/export.csv")
@login_required
def export_csv():
    """Stream the filtered leads as CSV (or one CSV per school in a zip). Every export is
    recorded, so only a POST with CSRF starts one: no other site can make a signed-in admin's
    browser export."""
    form = ExportForm(request.form)
    if not form.validate():
        abort(400, "Those export settings are not valid; use the form on the leads page.")
    return _download(form.to_options(admin_zone()))


def _download(options: ExportOptions, repeat_of=None) -> Response:
    """The export as a streamed download, recorded for the signed-in admin."""
    actor = Actor(name=current_user.email, source="web", admin_id=current_user.id)
    filename = export_filename(options, utcnow())
    chunks = export_leads_csv(options, actor, repeat_of=repeat_of)
    return Response(
        stream_with_context(chunks),
        mimetype="application/zip" if options.per_school else "text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/exports")
@login_required
def exports():
    """Every export: who ran it, when, with which filters, and how many rows."""
    page = request.args.get("page", 1, type=int)
    found = list_exports(min(max(page, 1), MAX_PAGE))
    return render_template(
        "admin/exports.html",
        page=found,
        described=describe_exports(found.items, admin_zone()),
        action_form=ActionForm(formdata=None),
    )


@bp.post("/exports/<id:export_id>/download")
@login_required
def export_again(export_id: int):
    """Download an earlier export again: the same leads, recorded as an export of its own."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        original, options = repeat_export(export_id)
    except ExportNotFound:
        abort(404)
    except CannotRepeat as error:
        abort(409, str(error))
    return _download(options, repeat_of=original)


@bp.route("/privacy/delete", methods=["GET", "POST"])
@login_required
def delete_data():
    """Delete every lead and message of one email address on the person's request, and record
    it; the open "Do Not Sell or Share" requests are listed here to act on."""
    form = DeleteDataForm()
    if form.validate_on_submit():
        deleted = delete_person_data(form.email.data, current_user.id)
        flash(
            f"Deleted {deleted.leads} request(s) and {deleted.messages} contact message(s) "
            "from that address. Deletion recorded. The address is on the suppression list: "
            f"{deleted.suppressed.deliveries_cancelled} delivery(ies) cancelled, "
            f"{deleted.suppressed.schools_told} school(s) told."
        )
        return redirect(url_for("admin.delete_data"))
    return deletion_page(form, status=422 if form.errors else 200)


@bp.get("/programs")
@login_required
def programs():
    """The listings, with search and filters."""
    form = ProgramFilterForm(request.args)
    form.set_choices(filter_choices(with_programs=False))
    if not form.validate():
        return render_template("admin/programs.html", form=form, page=None), 400
    page = list_programs(form.to_filters(), form.page.data or 1)
    return render_template(
        "admin/programs.html", form=form, page=page, active_form=ProgramActiveForm()
    )


@bp.route("/programs/import", methods=["GET", "POST"])
@login_required
def import_listings():
    """Upload a listings CSV: a dry run shows per-row errors and changes before any write."""
    form = ImportProgramsForm()
    report = None
    if form.validate_on_submit():
        report = import_programs(io.StringIO(form.text, newline=""), dry_run=form.dry_run.data)
    status = 422 if form.errors or (report and not report.ok) else 200
    return render_template(
        "admin/import.html",
        form=form,
        report=report,
        columns=import_columns(),
        careers=known_careers(),
    ), status


@bp.get("/programs/import/template.csv")
@login_required
def import_template():
    """The listings CSV template to start from: docs/programs-example.csv."""
    return Response(
        PROGRAMS_TEMPLATE.read_bytes(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=programs-template.csv"},
    )


@bp.post("/programs/<id:program_id>/active")
@login_required
def program_active(program_id: int):
    """Switch a listing on or off, then go back to the list."""
    form = ProgramActiveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        program = set_program_active(program_id, form.active.data == "1")
    except ProgramNotFound:
        abort(404)
    flash(f"{program.title} is now {'active' if program.is_active else 'inactive'}.")
    return redirect(safe_next(request.args.get("next"), url_for("admin.programs")))


@bp.route("/programs/<id:program_id>/sponsorship", methods=["GET", "POST"])
@login_required
def sponsorship(program_id: int):
    """Edit a listing's bid, dates and lead caps."""
    try:
        program = get_program(program_id)
    except ProgramNotFound:
        abort(404)
    form = SponsorshipForm(obj=program.sponsorship)
    if request.method == "GET" and program.sponsorship is not None:
        form.bid.data = Decimal(program.sponsorship.bid_cents).scaleb(-2)
    if form.validate_on_submit():
        try:
            update_sponsorship(program_id, form.to_terms())
        except InvalidSponsorship as exc:
            form.bid.errors.append(str(exc))
        else:
            flash(f"Sponsorship of {program.title} saved.")
            return redirect(url_for("admin.programs"))
    status = 422 if form.errors else 200
    return render_template("admin/sponsorship.html", form=form, program=program), status
