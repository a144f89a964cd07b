"""The request-info form and its thank-you page."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.exceptions import NotFound

from portal.core.errors import render_error
from portal.core.http import no_store
from portal.core.page_cache import RenderedPage, cached_page, slot
from portal.extensions import limiter
from portal.leads.attribution import SESSION_KEY, attribution_from, remember_landing_page
from portal.leads.forms import LeadForm
from portal.leads.tokens import FormStamp, form_token, parse_radius
from portal.models import today_utc, utcnow
from portal.search.links import results_url
from portal.services.consent_forms import keep_form
from portal.services.geo import InvalidZip, UnknownZip, normalise_zip
from portal.services.leads import (
    ConsentChanged,
    ConsentEvidence,
    FormAlreadyUsed,
    NotTakingRequests,
    OpenListing,
    ProgramDoesNotServeZip,
    capture_lead,
    open_listing,
    thank_you,
)
from portal.services.listing_stats import record_form_view
from portal.services.programs import ProgramNotFound

bp = Blueprint("leads", __name__)
bp.before_app_request(remember_landing_page)

# Where the thank-you page finds what it shows: in the session, so no ZIP is ever in a URL.
THANKS_KEY = "thanks"


@bp.after_request
def never_stored(response: Response) -> Response:
    """Forms and thank-you pages are one visitor's: no cache may keep them."""
    return no_store(response)


def lead_rate_limit() -> str:
    """The per-IP limit on form submissions, from LEAD_RATE_LIMIT."""
    return current_app.config["LEAD_RATE_LIMIT"]


@bp.get("/programs/<id:program_id>/request-info")
def request_info(program_id: int):
    """Show the request-info form for one listing, with the search's ZIP filled in.

    The page is the same for every visitor but for their CSRF token, form stamp, ZIP code and
    radius, so it is kept for a few seconds (PAGE_CACHE_SECONDS) with slots where those go.
    """
    zip_text, radius = request.args.get("zip", "")[:10], parse_radius(request.args.get("radius"))
    page = cached_page(
        "pages",
        ("request-info", program_id),
        lambda: blank_form(program_id),
        fill={
            "csrf": lambda _: generate_csrf(),
            "stamp": lambda page: form_token(program_id, *page.data),
            "zip": lambda _: zip_text,
            "radius": lambda _: str(radius),
        },
    )
    if page.status == 200:
        record_form_view(program_id)
    return page.html, page.status


def blank_form(program_id: int) -> RenderedPage:
    """The form for a listing as every visitor first sees it, with their own values as slots;
    its <form> element kept (portal.services.consent_forms). Its data: the SHA-256 of the
    disclosure and of the form, which the visitor's stamp records."""
    listing = open_listing(program_id, today_utc())
    form = LeadForm(formdata=None)
    form.csrf_token.current_token = slot("csrf")
    form.started.data = slot("stamp")
    form.zip_code.data = slot("zip")
    form.radius.data = slot("radius")
    page, form_html = render_page(form, listing)
    shown_in = keep_form(form_html, utcnow())
    return RenderedPage(page, 200, (listing.disclosure_sha256, shown_in))


def shown_form_sha256(listing: OpenListing) -> str | None:
    """The SHA-256 of the listing's form as it is shown now (the cached page's, when the page
    cache holds it for this disclosure)."""
    page = cached_page("pages", ("request-info", listing.program.id), lambda: None)
    if page is None or page.data[0] != listing.disclosure_sha256:
        page = blank_form(listing.program.id)
    return page.data[1]


@bp.post("/programs/<id:program_id>/request-info")
@limiter.limit(lead_rate_limit, methods=["POST"])
def submit_request(program_id: int):
    """Validate and store a request, then redirect to the thank-you page (bots: store nothing).

    A listing that takes no requests answers so for everyone, bots included.
    """
    listing = open_listing(program_id, today_utc())
    form = LeadForm()
    stamp = form.read_stamp()
    config = current_app.config
    max_age = config["LEAD_FORM_MAX_AGE_HOURS"] * 3600
    verdict = form.judge(stamp, program_id, config["LEAD_MIN_FILL_SECONDS"], max_age)
    if verdict == "bot":
        return redirect_to_thanks(program_id, form)
    if verdict == "too_fast":
        # Nothing is stored: the visitor confirms the form, as it is or corrected; it keeps its
        # stamp and carries a confirmation, so pressing "Confirm request" at once is enough.
        form.validate()
        form.ask_to_confirm(stamp)
        return render_form(form, listing, stamp, notice=verdict)
    if verdict == "expired":
        # Nothing is stored: the visitor sends the form again with a fresh stamp.
        form.validate()
        return render_form(form, listing, None, notice=verdict)
    if not form.validate_on_submit():
        return render_form(form, listing, stamp)
    try:
        attribution = attribution_from(session.get(SESSION_KEY))
        consent = evidence(stamp)
        capture_lead(
            program_id, form.visitor(), consent, attribution, form.radius_miles(), stamp.nonce
        )
    except (InvalidZip, UnknownZip, ProgramDoesNotServeZip) as error:
        form.zip_code.errors.append(str(error))
        return render_form(form, listing, stamp)
    except ConsentChanged:
        form.ask_consent_again()
        return render_form(form, listing, stamp)
    except FormAlreadyUsed:
        pass  # a double click sees the thank-you page again; a replay learns nothing more
    return redirect_to_thanks(program_id, form)


@bp.get("/requests/thanks")
def thanks():
    """Confirm what was sent to whom and what happens next, lead back to the results, and
    offer up to three other matching programs."""
    try:
        program_id, zip_code, radius = session[THANKS_KEY]
        program_id, zip_code = int(program_id), str(zip_code)
    except (KeyError, TypeError, ValueError):
        abort(404)
    radius = parse_radius(radius)
    page = thank_you(program_id, zip_code, radius, today_utc())
    try:
        back = results_url(normalise_zip(zip_code), radius)
    except InvalidZip:
        back = url_for("search.programs")
    return render_template(
        "leads/thanks.html", page=page, zip_code=zip_code, radius=radius, back_url=back
    )


def render_form(
    form: LeadForm, listing: OpenListing, stamp: FormStamp | None, notice: str | None = None
):
    """The form sent back, answers kept, its stamp kept while still good (else a fresh one):
    422 with the problems beside the fields.

    `notice` says why a form was not sent though it may have no problem: "too_fast" (back
    sooner than LEAD_MIN_FILL_SECONDS: the visitor is asked to confirm, 200 when nothing is
    wrong) or "expired" (back after LEAD_FORM_MAX_AGE_HOURS).
    """
    max_age = current_app.config["LEAD_FORM_MAX_AGE_HOURS"] * 3600
    form.stamp(
        listing.program.id, listing.disclosure_sha256, stamp, max_age, shown_form_sha256(listing)
    )
    status = 200 if notice == "too_fast" and not form.errors else 422
    return render_page(form, listing, notice)[0], status


def render_page(form: LeadForm, listing: OpenListing, notice: str | None = None) -> tuple[str, str]:
    """The form page for a listing, its checkbox labelled with that school's disclosure, and
    the page's <form> element alone (the part a receipt's form_sha256 covers)."""
    form.show_consent(listing.disclosure, url_for("pages.privacy"))
    form_html = render_template("leads/_form.html", form=form, notice=notice)
    page = render_template(
        "leads/request_info.html", form_html=Markup(form_html), program=listing.program
    )
    return page, form_html


def redirect_to_thanks(program_id: int, form: LeadForm):
    """303 to the thank-you page, so reloading it never sends the form again."""
    zip_code = form.zip_code.data if isinstance(form.zip_code.data, str) else ""
    session[THANKS_KEY] = [program_id, zip_code[:10], form.radius_miles()]
    return redirect(url_for("leads.thanks"), 303)


def evidence(stamp: FormStamp) -> ConsentEvidence:
    """The consent evidence of this request: the disclosure and form shown (as its stamp
    says), time, IP, agent, page, and whether the browser sent Global Privacy Control."""
    return ConsentEvidence(
        shown_sha256=stamp.consent_sha256,
        consented_at=utcnow(),
        ip_address=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
        page_url=request.url,
        form_sha256=stamp.form_sha256,
        gpc=request.headers.get("Sec-GPC", "").strip() == "1",
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
