"""A receipt's form_sha256 is the SHA-256 of the <form> the visitor received, with only their
own values (CSRF token, stamp, ZIP code, radius) put back as slots; the site keeps that text
once, publicly, and it hashes to the receipt's value."""

import base64
import hashlib
import json
import re

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ConsentForm, Lead, School
from portal.services.leads import consent_sha256, consent_text
from tests.receipts.conftest import SCHOOL, send_lead
from tests.support.forms import form_inputs
from tests.support.leads import GOOD_ANSWERS, form_url

FORM = re.compile(r'<form method="post" class="lead-form".*?</form>', re.S)
# The inputs that hold a visitor's own values, and the slot each one's value stands in for.
PER_VISITOR = {"csrf_token": "csrf", "started": "stamp", "zip_code": "zip", "radius": "radius"}


def received_form(html: str) -> str:
    """The <form> element of a page as received, its per-visitor values put back as slots."""
    [form] = FORM.findall(html)
    for name, slot in PER_VISITOR.items():
        form, count = re.subn(
            rf'(<input [^>]*name="{name}"[^>]*value=")[^"]*(")', rf"\g<1><slot:{slot}>\g<2>", form
        )
        assert count == 1, name
    return form


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_receipt_names_the_form_the_visitor_received_and_its_kept_copy(app, program_id):
    client = app.test_client()
    page = client.get(form_url(program_id, zip_code="60602", radius=25)).get_data(as_text=True)
    shown = received_form(page)
    lead = send_lead(app, program_id, client=client)
    assert lead.form_sha256 == sha256(shown)
    # The copy kept: the exact text, viewable by anyone, hashing to the receipt's value.
    source = client.get(f"/receipts/forms/{lead.form_sha256}.html")
    assert source.status_code == 200 and source.mimetype == "text/plain"
    assert "attachment" in source.headers["Content-Disposition"]
    assert source.data.decode("utf-8") == shown
    assert hashlib.sha256(source.data).hexdigest() == lead.form_sha256
    view = client.get(f"/receipts/forms/{lead.form_sha256}")
    assert view.status_code == 200
    assert "immutable" in view.headers["Cache-Control"]
    text = view.get_data(as_text=True)
    assert lead.form_sha256 in text and "Lakeshore Medical Institute may contact me" in text


def test_every_visitor_is_shown_one_form_kept_once(app, program_id):
    pages = [
        app.test_client().get(form_url(program_id, **args)).get_data(as_text=True)
        for args in ({}, {"zip_code": "60614"}, {"zip_code": "60601", "radius": 100})
    ]
    assert len({received_form(page) for page in pages}) == 1
    assert len({FORM.findall(page)[0] for page in pages}) == 3  # as received, they differ
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ConsentForm)) == 1


def test_a_form_corrected_after_an_error_keeps_the_form_first_shown(app, program_id):
    app.config["LEAD_MIN_FILL_SECONDS"] = 0
    client = app.test_client()
    shown = received_form(client.get(form_url(program_id)).get_data(as_text=True))
    answers = {**GOOD_ANSWERS, "email": "not an email"}
    first = form_inputs(client.get(form_url(program_id)).get_data(as_text=True))
    data = {k: first[k] for k in ("csrf_token", "started", "radius")} | answers
    again = client.post(form_url(program_id), data=data)
    assert again.status_code == 422
    data = {k: form_inputs(again.get_data(as_text=True))[k] for k in ("csrf_token", "started")}
    data |= {"radius": "50", **GOOD_ANSWERS}
    assert client.post(form_url(program_id), data=data).status_code == 303
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert lead.form_sha256 == sha256(shown)


def test_a_changed_form_is_a_new_hash_and_a_new_copy(app, program_id):
    before = send_lead(app, program_id)
    with app.app_context():
        db.session.scalars(select(School)).one().name = "Lakeshore Medical College"
        db.session.commit()
    after = send_lead(app, program_id, email="second@example.com")
    assert after.form_sha256 != before.form_sha256
    client = app.test_client()
    for lead, name in ((before, "Institute"), (after, "College")):
        source = client.get(f"/receipts/forms/{lead.form_sha256}.html").get_data(as_text=True)
        assert f"Lakeshore Medical {name} may contact me" in source


def test_an_unknown_or_malformed_hash_is_a_404(client):
    for name in ("0" * 64, "f" * 64 + ".html", "not-a-hash", "%00", "a" * 500):
        assert client.get(f"/receipts/forms/{name}").status_code == 404


def test_a_form_shown_before_stamps_named_their_form_still_stores_its_lead(app, program_id):
    """A stamp of the kind made before this change (a deploy ago: program and disclosure
    only) is still good; its lead's receipt says no form was recorded."""
    app.config["LEAD_MIN_FILL_SECONDS"] = 0
    client = app.test_client()
    fields = form_inputs(client.get(form_url(program_id)).get_data(as_text=True))
    with client.session_transaction() as session:
        shown_to = hashlib.sha256(session["csrf_token"].encode()).hexdigest()[:32]
    disclosure = consent_sha256(consent_text(SCHOOL))
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="lead-form")
    old_stamp = serializer.dumps([program_id, disclosure, "old-nonce", shown_to])
    data = {"csrf_token": fields["csrf_token"], "started": old_stamp, "radius": "50"}
    assert client.post(form_url(program_id), data=data | GOOD_ANSWERS).status_code == 303
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert lead.form_nonce == "old-nonce" and lead.form_sha256 is None
        assert (
            json.loads(base64.urlsafe_b64decode(lead.consent_receipt.split(".")[1] + "=="))[
                "form_sha256"
            ]
            is None
        )
