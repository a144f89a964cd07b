"""The public side of consent receipts: the keys that sign them (/.well-known/jwks.json), a
page where anyone can check one (/receipts/verify), and the forms they name
(/receipts/forms/<sha256>)."""

from flask import Blueprint, Response, abort, jsonify, render_template, request

from portal.core.http import no_store
from portal.receipts.forms import VerifyForm
from portal.services.consent_forms import FormNotFound, kept_form
from portal.services.consent_keys import jwks
from portal.services.receipts import CLAIMS, InvalidReceipt, verify_receipt

bp = Blueprint("receipts", __name__)

# A kept form never changes: its address is its hash.
FOREVER = "public, max-age=31536000, immutable"
VERIFY_ENDPOINTS = {"receipts.verify", "receipts.check"}


@bp.after_request
def verify_page_never_stored(response: Response) -> Response:
    """The verify page carries a visitor's CSRF token, and its answer what they pasted."""
    return no_store(response) if request.endpoint in VERIFY_ENDPOINTS else response


@bp.get("/.well-known/jwks.json")
def published_keys():
    """Every public key that has signed a consent receipt, as a JWK Set (cached 5 minutes)."""
    return jsonify(jwks())


@bp.get("/receipts/verify")
def verify():
    """The form to paste a receipt into."""
    return render_template("receipts/verify.html", form=VerifyForm(formdata=None))


@bp.post("/receipts/verify")
def check():
    """Say whether the receipt is valid and what it says (422 with the reason when not)."""
    form = VerifyForm()
    if not form.validate_on_submit():
        return render_template("receipts/verify.html", form=form), 422
    try:
        checked = verify_receipt(form.receipt.data)
    except InvalidReceipt as error:
        return render_template("receipts/verify.html", form=form, problem=str(error)), 422
    claims = checked.claims
    return render_template(
        "receipts/verify.html",
        form=form,
        checked=checked,
        claims=[(name, claims[name]) for name in CLAIMS if name in claims],
    )


@bp.get("/receipts/forms/<sha256>")
def kept(sha256: str):
    """A kept form: what it looks like, and its exact HTML."""
    try:
        form = kept_form(sha256)
    except FormNotFound:
        abort(404)
    response = Response(render_template("receipts/form.html", form=form))
    response.headers["Cache-Control"] = FOREVER
    return response


@bp.get("/receipts/forms/<sha256>.html")
def kept_source(sha256: str):
    """A kept form's exact bytes, whose SHA-256 is its name (text, so a browser runs none of
    it)."""
    try:
        form = kept_form(sha256)
    except FormNotFound:
        abort(404)
    response = Response(form.html.encode("utf-8"), mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="form-{form.sha256}.html"'
    response.headers["Cache-Control"] = FOREVER
    return response
