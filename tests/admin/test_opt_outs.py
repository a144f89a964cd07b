"""Opt-outs on the admin's side: a lead whose person opted out is in no export (the CSV, the
per-school zip, a marking export, a download again, `export-leads`); the privacy requests part
shows each opt-out as done, with its reference and what it suppressed; an admin's deletion opts
the person out too, and the suppression outlives the deleted data."""

import io
import re
import zipfile

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Lead, LeadExport, LeadOptOut, PrivacyRequest, Suppression
from portal.services.contact_hashes import email_sha256, phone_sha256
from portal.services.destinations import add_webhook
from portal.services.outbox import queue_deliveries
from tests.support.exports import read
from tests.support.factories import make_lead, make_program, make_school
from tests.support.forms import csrf_token
from tests.support.leads import submit
from tests.support.pages import opt_out_by_form

DELETE_PAGE = "/admin/privacy/delete"
PERSON = "kim.lee@example.com"


def people(app) -> dict[str, int]:
    """Kim's two leads (two schools; the second with her other email but the same phone),
    and two of other people; their ids by name."""
    with app.app_context():
        first = make_program(make_school("Alder Technical College"))
        second = make_program(make_school("Birch Health Academy"))
        return {
            "kim": make_lead(first, email=PERSON, phone_e164="+13125550111").id,
            "kim_other_email": make_lead(
                second, email="kim@work.example", phone_e164="+13125550111"
            ).id,
            "sam": make_lead(first, email="sam@example.com", phone_e164="+13125550122").id,
            "ada": make_lead(second, email="ada@example.com", phone_e164="+13125550133").id,
        }


def exported_ids(data: bytes) -> list[int]:
    """The lead ids of a CSV in either column set (the first column)."""
    return [int(row[0]) for row in read(data)[1:]]


def post_export(admin_client, **fields):
    """The leads page's export form, as a browser sends it."""
    data = {"csrf_token": csrf_token(admin_client, "/admin/leads"), **fields}
    response = admin_client.post("/admin/leads/export.csv", data=data)
    assert response.status_code == 200
    return response.get_data()


def test_no_export_path_holds_an_opted_out_lead(app, admin_client, runner, tmp_path):
    ids = people(app)
    marked = post_export(admin_client, columns="full", mark_exported="y")
    assert sorted(exported_ids(marked)) == sorted(ids.values())
    opt_out_by_form(app, PERSON)
    others = sorted([ids["sam"], ids["ada"]])

    for columns in ("full", "school"):
        assert sorted(exported_ids(post_export(admin_client, columns=columns))) == others
    archive = zipfile.ZipFile(io.BytesIO(post_export(admin_client, per_school="y")))
    in_zip = [i for name in archive.namelist() for i in exported_ids(archive.read(name))]
    assert sorted(in_zip) == others
    # The marking export, downloaded again, no longer gives Kim's leads.
    with app.app_context():
        first_export = db.session.scalars(select(LeadExport).order_by(LeadExport.id)).first().id
    token = csrf_token(admin_client, "/admin/exports")
    again = admin_client.post(f"/admin/exports/{first_export}/download", data={"csrf_token": token})
    assert sorted(exported_ids(again.get_data())) == others
    # From the shell, whatever the switches.
    for extra in ([], ["--include-duplicates", "--include-rejected"], ["--columns", "school"]):
        result = runner.invoke(args=["export-leads", *extra])
        assert result.exit_code == 0, result.output
        assert sorted(exported_ids(result.stdout_bytes)) == others
    out = tmp_path / "by-school.zip"
    assert runner.invoke(args=["export-leads", "--per-school", "-o", str(out)]).exit_code == 0
    archive = zipfile.ZipFile(out)
    assert sorted(i for n in archive.namelist() for i in exported_ids(archive.read(n))) == others


def test_a_marking_export_never_claims_an_opted_out_lead(app, admin_client):
    ids = people(app)
    opt_out_by_form(app, PERSON)
    post_export(admin_client, columns="full", mark_exported="y")
    with app.app_context():
        claimed = db.session.scalars(select(Lead.id).where(Lead.export_id.is_not(None))).all()
        kept_new = db.session.scalars(select(Lead.status).where(Lead.id == ids["kim"])).one()
    assert sorted(claimed) == sorted([ids["sam"], ids["ada"]]) and kept_new == "new"


def test_the_privacy_requests_part_shows_each_opt_out_done_with_its_counts(app, admin_client):
    ids = people(app)
    with app.app_context():
        # A webhook destination of Alder's that Kim's lead is still waiting on.
        school_id = db.session.get(Lead, ids["kim"]).school_id
        add_webhook(school_id, "https://crm.alder.example/hooks", production=False)
        queue_deliveries(ids["kim"], school_id, db.session.get(Lead, ids["kim"]).created_at)
        db.session.commit()
    reference = opt_out_by_form(app, PERSON, state="CA")
    html = admin_client.get(DELETE_PAGE).get_data(as_text=True)
    head = rf'<p class="request-head"><strong><span class="reference-code">{reference}</span>'
    card = re.search(rf'<li class="request-card">\s*{head}.*?</li>', html, re.S)
    assert card, html
    card = card.group(0)
    assert "done at once" in card and " · CA" in card
    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", card))
    # Kim's two leads (the second matched by the phone her email's lead gave), the delivery
    # that was waiting, and both schools.
    assert counts == {"Leads opted out": "2", "Deliveries cancelled": "1", "Schools told": "2"}
    assert "the email went on the suppression list" in card
    assert PERSON not in html and "kim@work.example" not in html
    assert "to act on" not in html and "left open" not in html  # nothing waits for an admin


def test_an_admin_deletion_opts_out_and_the_suppression_outlives_the_data(
    app, admin_client, client
):
    ids = people(app)
    token = csrf_token(admin_client, DELETE_PAGE)
    data = {"csrf_token": token, "email": PERSON.upper(), "confirm": "y"}
    response = admin_client.post(DELETE_PAGE, data=data, follow_redirects=True)
    assert "Deleted 1 request(s) and 0 contact message(s)" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Lead, ids["kim"]) is None
        # Her other lead (same phone, other email) is kept but opted out.
        assert db.session.get(Lead, ids["kim_other_email"]).opted_out_at is not None
        assert db.session.get(Lead, ids["sam"]).opted_out_at is None
        listed = set(db.session.scalars(select(Suppression.sha256)))
        assert listed == {email_sha256(PERSON), phone_sha256("+13125550111")}
        notices = db.session.scalars(select(LeadOptOut).order_by(LeadOptOut.lead_id)).all()
        assert [(n.lead_id, n.reason) for n in notices] == [
            (ids["kim"], "deletion"),
            (ids["kim_other_email"], "deletion"),
        ]
        program_id = db.session.get(Lead, ids["sam"]).program_id
    html = admin_client.get(DELETE_PAGE).get_data(as_text=True)
    assert '<td class="num">1</td><td class="num">0</td>' in html  # requests, messages
    # The person asks a school again later: their own explicit request, not a lead to suppress.
    app.config["LEAD_MIN_FILL_SECONDS"] = 0
    assert submit(client, program_id, email=PERSON, phone="(312) 555-0111").status_code == 303
    with app.app_context():
        newest = db.session.scalars(select(Lead).order_by(Lead.id.desc())).first()
        assert newest.explicit_request and newest.opted_out_at is None
        assert db.session.scalar(select(func.count()).select_from(PrivacyRequest)) == 0
