"""The site's own pages, linked from every page's footer: About, How we make money (the
advertising disclosure), Contact, Privacy, Terms, and "Do Not Sell or Share My Personal
Information".

The pages that only inform are the same for everyone and cached like any public page; the
two forms, and the pages they lead to, are one visitor's and never stored by a cache.
"""

import contextlib
from datetime import date

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadData, URLSafeSerializer

from portal.core.http import no_store
from portal.extensions import limiter
from portal.models import utcnow
from portal.pages.forms import ContactForm, OptOutForm, StampedForm
from portal.services.inbox import (
    AlreadySent,
    opt_out,
    save_contact_message,
)
from portal.services.retention import period_in_words

bp = Blueprint("pages", __name__)

# When the current wording of each policy took effect (change it with the wording).
PRIVACY_EFFECTIVE = date(2026, 12, 5)
TERMS_EFFECTIVE = date(2026, 11, 30)
FORM_ENDPOINTS = {
    "pages.contact",
    "pages.send_contact",
    "pages.contact_sent",
    "pages.do_not_sell",
    "pages.send_do_not_sell",
    "pages.do_not_sell_sent",
}


@bp.after_request
def forms_never_stored(response: Response) -> Response:
    """The forms (with a visitor's CSRF token and stamp) and their answers are one visitor's."""
    return no_store(response) if request.endpoint in FORM_ENDPOINTS else response


@bp.app_context_processor
def policy_dates() -> dict:
    """The policies' effective dates, for the pages and the footer."""
    return {"privacy_effective": PRIVACY_EFFECTIVE, "terms_effective": TERMS_EFFECTIVE}


def contact_rate_limit() -> str:
    """The per-IP limit on sending the contact and opt-out forms, from CONTACT_RATE_LIMIT."""
    return current_app.config["CONTACT_RATE_LIMIT"]


@bp.get("/about")
def about():
    """Who runs the site, what it is for, and how the guides are written."""
    return render_template("pages/about.html")


@bp.get("/how-we-make-money")
def advertising():
    """The advertising disclosure: schools pay for listings and requests; what that changes."""
    return render_template("pages/advertising.html")


@bp.get("/privacy")
def privacy():
    """What we collect, why, for how long (LEAD_RETENTION_DAYS), and the rights of people in
    each state."""
    days = current_app.config["LEAD_RETENTION_DAYS"]
    return render_template(
        "pages/privacy.html", retention_days=days, retention_period=period_in_words(days)
    )


@bp.get("/terms")
def terms():
    """The terms of use of the site."""
    return render_template("pages/terms.html")


@bp.get("/contact")
def contact():
    """The contact form."""
    form = ContactForm(formdata=None)
    form.restamp()
    return render_template("pages/contact.html", form=form)


@bp.post("/contact")
@limiter.limit(contact_rate_limit, methods=["POST"])
def send_contact():
    """Store a message for the admins, then say it was received (bots: store nothing)."""
    form = ContactForm()
    return handle(
        form,
        "pages/contact.html",
        lambda nonce: save_contact_message(form.draft(), nonce),
        url_for("pages.contact_sent"),
    )


@bp.get("/contact/sent")
def contact_sent():
    """Thanks for a message."""
    return render_template("pages/contact_sent.html")


@bp.get("/privacy/do-not-sell")
def do_not_sell():
    """The "Do Not Sell or Share My Personal Information" request form."""
    form = OptOutForm(formdata=None)
    form.restamp()
    return render_template("pages/do_not_sell.html", form=form)


@bp.post("/privacy/do-not-sell")
@limiter.limit(contact_rate_limit, methods=["POST"])
def send_do_not_sell():
    """Opt the person out at once, then show what was done, with the request's reference."""
    form = OptOutForm()
    return handle(
        form,
        "pages/do_not_sell.html",
        lambda nonce: opt_out(form.draft(), nonce, utcnow()),
        lambda reference: url_for("pages.do_not_sell_sent", ref=reference_token(reference)),
    )


@bp.get("/privacy/do-not-sell/sent")
def do_not_sell_sent():
    """What was done with an opt-out request, and its reference (signed into the URL)."""
    return render_template(
        "pages/do_not_sell_sent.html", reference=read_reference(request.args.get("ref"))
    )


def _references() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="opt-out-reference")


def reference_token(reference: str | None) -> str | None:
    """The reference, signed for the confirmation page's URL (None: nothing to show)."""
    return _references().dumps(reference) if reference else None


def read_reference(token: str | None) -> str | None:
    """The reference a confirmation URL carries, if its signature is good."""
    try:
        return _references().loads(token) if token else None
    except BadData:
        return None


def handle(form: StampedForm, template: str, save, done_url):
    """The one way both forms are answered.

    A bot's form (honeypot, no good stamp) is answered like a success and stores nothing. One
    sent back too soon (autofill) is shown again to be confirmed, answers kept, with its stamp
    and a confirmation (confirming needs no wait); one sent back too late is shown again with a
    fresh stamp; either way with a word on why: nothing was sent yet. One with problems is
    shown with each beside its field (422). A good one is stored once, however often it is
    sent, then the visitor is redirected (303) to the page saying it was received: `done_url`,
    or `done_url(result)` when it is a function of what `save` returned (None for a bot's or a
    repeat).
    """
    config = current_app.config
    stamp = form.read_stamp()
    verdict = form.judge(
        stamp, config["LEAD_MIN_FILL_SECONDS"], config["LEAD_FORM_MAX_AGE_HOURS"] * 3600
    )
    answered = done_url if callable(done_url) else (lambda _result: done_url)
    if verdict == "bot":
        return redirect(answered(None), 303)
    if verdict in ("too_fast", "expired"):
        form.validate()
        if verdict == "too_fast":
            form.ask_to_confirm(stamp)
        else:
            form.restamp()
        status = 200 if verdict == "too_fast" and not form.errors else 422
        return render_template(template, form=form, notice=verdict), status
    if not form.validate_on_submit():
        return render_template(template, form=form), 422
    result = None
    with contextlib.suppress(AlreadySent):  # a double click: the same answer again
        result = save(stamp.nonce)
    return redirect(answered(result), 303)
