"""The request-info form, its thank-you page, and the privacy page its consent links to."""

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import NotFound

from portal.core.errors import render_error
from portal.extensions import limiter
from portal.leads.attribution import SESSION_KEY, attribution_from, remember_landing_page
from portal.leads.forms import LeadForm
from portal.leads.tokens import form_token, parse_radius
from portal.models import Program, utcnow
from portal.services.geo import InvalidZip, UnknownZip
from portal.services.leads import (
    ConsentChanged,
    ConsentEvidence,
    FormAlreadyUsed,
    NotTakingRequests,
    ProgramDoesNotServeZip,
    ProgramNotFound,
    capture_lead,
    consent_sha256,
    consent_text,
    open_listing,
    thank_you,
)

bp = Blueprint("leads", __name__)
bp.before_app_request(remember_landing_page)

# Where the thank-you page finds what it shows: in the session, so no ZIP is ever in a URL.
THANKS_KEY = "thanks"


def lead_rate_limit() -> str:
    """The per-IP limit on form submissions, from LEAD_RATE_LIMIT."""
    return current_app.config["LEAD_RATE_LIMIT"]


# Where a cached form page has its visitor's own CSRF token and time stamp (NUL: never in HTML).
CSRF_SLOT, STAMP_SLOT = "\x00csrf\x00", "\x00stamp\x00"


@dataclass(frozen=True)
class RenderedForm:
    """A form page as first sent, its CSRF token and time stamp replaced by slots."""

    html: str
    consent_sha256: str


@bp.get("/programs/<id:program_id>/request-info")
def request_info(program_id: int):
    """Show the request-info form for one listing, with the search's ZIP filled in.

    The page is the same for every visitor but for two tokens, so it is kept for a few seconds
    (PAGE_CACHE_SECONDS) with slots where each visitor's tokens go.
    """
    zip_text, radius = request.args.get("zip", "")[:10], parse_radius(request.args.get("radius"))
    cache = current_app.extensions["page_cache"]
    key = ("request-info", program_id, zip_text, radius)
    cached = cache.get(key)
    if cached is not None:
        stamp = form_token(program_id, cached.consent_sha256)
        return cached.html.replace(CSRF_SLOT, generate_csrf()).replace(STAMP_SLOT, stamp)
    form = LeadForm(data={"zip_code": zip_text})
    form.radius.data = str(radius)
    program = open_listing(program_id, utcnow().date())
    html, status = render_form(form, program)
    slotted = html.replace(form.csrf_token.current_token, CSRF_SLOT)
    slotted = slotted.replace(form.started.data, STAMP_SLOT)
    cache.put(key, RenderedForm(slotted, consent_sha256(consent_text(program.school.name))))
    return html, status


@bp.post("/programs/<id:program_id>/request-info")
@limiter.limit(lead_rate_limit, methods=["POST"])
def submit_request(program_id: int):
    """Validate and store a request, then redirect to the thank-you page (bots: store nothing).

    A listing that takes no requests answers so for everyone, bots included.
    """
    program = open_listing(program_id, utcnow().date())
    form = LeadForm()
    stamp = form.read_stamp()
    config = current_app.config
    verdict = form.judge(
        stamp, program.id, config["LEAD_MIN_FILL_SECONDS"], config["LEAD_FORM_MAX_AGE_HOURS"] * 3600
    )
    if verdict == "bot":
        return redirect_to_thanks(program.id, form)
    if verdict == "expired":
        return render_form(form, program, 422, expired=True)
    if not form.validate_on_submit():
        return render_form(form, program, 422)
    try:
        attribution = attribution_from(session.get(SESSION_KEY))
        consent = evidence(stamp.consent_sha256)
        capture_lead(
            program.id, form.visitor(), consent, attribution, form.radius_miles(), stamp.nonce
        )
    except (InvalidZip, UnknownZip, ProgramDoesNotServeZip) as error:
        form.zip_code.errors.append(str(error))
        return render_form(form, program, 422)
    except ConsentChanged:
        form.ask_consent_again()
        return render_form(form, program, 422)
    except FormAlreadyUsed:
        pass  # a double click sees the thank-you page again; a replay learns nothing more
    return redirect_to_thanks(program.id, form)


@bp.get("/requests/thanks")
def thanks():
    """Confirm what was sent to whom, and offer up to three other matching programs."""
    try:
        program_id, zip_code, radius = session[THANKS_KEY]
        program_id, zip_code = int(program_id), str(zip_code)
    except (KeyError, TypeError, ValueError):
        abort(404)
    radius = parse_radius(radius)
    page = thank_you(program_id, zip_code, radius, utcnow().date())
    return render_template("leads/thanks.html", page=page, zip_code=zip_code, radius=radius)


@bp.get("/privacy")
def privacy():
    """What we collect when a visitor asks a school for information, why, and for how long."""
    return render_template("leads/privacy.html")


def render_form(form: LeadForm, program: Program, status: int = 200, expired: bool = False):
    """The form page for a listing, its checkbox labelled with that school's disclosure.

    `expired`: the form came back after its stamp's time ran out; it is shown again, answers
    kept, with a fresh stamp and a word on why.
    """
    disclosure = consent_text(program.school.name)
    form.stamp(program.id, disclosure, current_app.config["LEAD_FORM_MAX_AGE_HOURS"] * 3600)
    form.show_consent(disclosure, url_for("leads.privacy"))
    radius = form.radius_miles()
    return render_template(
        "leads/request_info.html", form=form, program=program, radius=radius, expired=expired
    ), status


def redirect_to_thanks(program_id: int, form: LeadForm):
    """303 to the thank-you page, so reloading it never sends the form again."""
    zip_code = form.zip_code.data if isinstance(form.zip_code.data, str) else ""
    session[THANKS_KEY] = [program_id, zip_code[:10], form.radius_miles()]
    return redirect(url_for("leads.thanks"), 303)


def evidence(shown_sha256: str) -> ConsentEvidence:
    """The consent evidence of this request: the disclosure shown, time, IP, agent and page."""
    return ConsentEvidence(
        shown_sha256=shown_sha256,
        consented_at=utcnow(),
        ip_address=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
        page_url=request.url,
    )


@bp.errorhandler(ProgramNotFound)
def program_not_found(_error: ProgramNotFound):
    """An unknown or inactive listing: the site's 404 page."""
    return render_error(NotFound())


@bp.errorhandler(NotTakingRequests)
def not_taking_requests(error: NotTakingRequests):
    """A listing past its dates or caps: say so (409 when a request was sent, else 200)."""
    status = 409 if request.method == "POST" else 200
    return render_template("leads/not_taking.html", program=error.program), status
