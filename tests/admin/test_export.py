"""Exporting leads from the admin's leads page: a POST with CSRF, streamed, recorded."""

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import LeadExport
from tests.support.exports import TRICKY, read, reference_csv, stored_leads
from tests.support.factories import make_lead, make_program, make_school
from tests.support.forms import csrf_token


def post_export(admin_client, **fields):
    """Send the leads page's export form as a browser would (with its CSRF token)."""
    data = {"csrf_token": csrf_token(admin_client, "/admin/leads"), **fields}
    return admin_client.post("/admin/leads/export.csv", data=data)


def test_download_from_the_leads_page(admin_client, app):
    with app.app_context():
        make_lead(make_program(), **TRICKY)
    response = post_export(admin_client, state="IL", columns="full")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="leads-')
    data = response.get_data()
    with app.app_context():
        assert data == reference_csv(stored_leads())
        record = db.session.scalars(select(LeadExport)).one()
        assert (record.source, record.actor, record.row_count) == ("web", "admin@example.com", 1)


def test_an_export_needs_a_post_with_csrf_and_a_get_records_nothing(admin_client, app):
    """Another site could make a signed-in admin's browser GET the export and add records."""
    with app.app_context():
        make_lead(make_program())
    assert admin_client.get("/admin/leads/export.csv").status_code == 405
    assert admin_client.get("/admin/leads/export.csv?mark_exported=y").status_code == 405
    assert admin_client.post("/admin/leads/export.csv", data={"state": "IL"}).status_code == 400
    with app.app_context():
        assert db.session.scalars(select(LeadExport)).all() == []


def test_marking_exported_needs_a_post_with_csrf(admin_client, app):
    with app.app_context():
        make_lead(make_program())
    assert (
        admin_client.post("/admin/leads/export.csv", data={"mark_exported": "y"}).status_code == 400
    )
    token = csrf_token(admin_client, "/admin/leads")
    data = {"csrf_token": token, "mark_exported": "y", "status": "new", "columns": "full"}
    response = admin_client.post("/admin/leads/export.csv", data=data)
    assert response.status_code == 200
    assert len(read(response.get_data())) == 2
    again = admin_client.post("/admin/leads/export.csv", data=data)
    assert len(read(again.get_data())) == 1
    page = admin_client.get("/admin/exports").get_data(as_text=True)
    assert "admin@example.com" in page and "complete" in page


def test_bad_export_filters_are_a_400(admin_client):
    assert post_export(admin_client, since="yesterday").status_code == 400


@pytest.mark.parametrize("fields", [{"school": "99999999999999999999"}, {"program": "9" * 400}])
def test_impossible_ids_in_export_filters_are_a_400(admin_client, fields):
    assert post_export(admin_client, **fields).status_code == 400


def test_export_history_takes_any_page_number(admin_client):
    # A page number too big for the database was a 500.
    assert admin_client.get("/admin/exports?page=99999999999999999999").status_code == 200


def test_the_web_form_starts_with_the_daily_job(admin_client, app):
    """Only leads not yet exported, marked as exported, in the school's columns."""
    with app.app_context():
        make_lead(make_program())
    html = admin_client.get("/admin/leads").get_data(as_text=True)
    assert re.search(r'<input checked id="not_exported" name="not_exported"', html)
    assert re.search(r'<input checked id="mark_exported" name="mark_exported"', html)
    assert re.search(
        r'<input checked id="columns-0" name="columns" type="radio" value="school"', html
    )
    assert 'name="include_rejected"' in html and 'name="bom"' in html
    assert "One CSV per school (.zip)" in html


def test_the_daily_job_in_one_click_a_zip_per_school(admin_client, app):
    with app.app_context():
        acme = make_program(make_school("Acme Institute"))
        zenith = make_program(make_school("Zenith College"))
        make_lead(acme, first_name="Anna")
        make_lead(zenith, first_name="Zoe")
        names = [f"acme-institute-{acme.school_id}.csv", f"zenith-college-{zenith.school_id}.csv"]
    fields = {"not_exported": "y", "mark_exported": "y", "columns": "school", "bom": "y"}
    response = post_export(admin_client, per_school="One CSV per school (.zip)", **fields)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert re.fullmatch(
        r'attachment; filename="leads-by-school-\d{8}T\d{6}Z\.zip"',
        response.headers["Content-Disposition"],
    )
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.namelist() == names
    first = archive.read(names[0])
    assert first.startswith(b"\xef\xbb\xbf") and read(first[3:])[1][7] == "Anna"
    # Sent once: the same click again finds nothing new.
    again = post_export(admin_client, per_school="One CSV per school (.zip)", **fields)
    assert zipfile.ZipFile(io.BytesIO(again.get_data())).namelist() == []


def test_the_school_picked_in_the_filter_gets_its_own_file(admin_client, app):
    with app.app_context():
        acme = make_program(make_school("Acme Institute"))
        make_lead(acme, first_name="Anna")
        make_lead(make_program(make_school("Zenith College")), first_name="Zoe")
        school_id = acme.school_id
    page = admin_client.get(f"/admin/leads?school={school_id}").get_data(as_text=True)
    assert "One CSV per school" not in page
    response = post_export(admin_client, school=str(school_id), columns="school")
    assert response.mimetype == "text/csv"
    assert 'filename="leads-acme-institute-' in response.headers["Content-Disposition"]
    assert [row[7] for row in read(response.get_data())[1:]] == ["Anna"]
    # The zip button with a school picked gives that school's file too.
    response = post_export(admin_client, school=str(school_id), per_school="Go")
    assert response.mimetype == "text/csv"


def test_rejected_leads_only_when_asked_for(admin_client, app):
    with app.app_context():
        make_lead(make_program(), status="rejected", first_name="Rita")
    assert len(read(post_export(admin_client, columns="full").get_data())) == 1
    rows = read(post_export(admin_client, columns="full", include_rejected="y").get_data())
    assert [row[13] for row in rows[1:]] == ["Rita"]


def test_the_log_shows_filters_in_words_and_downloads_again(admin_client, app):
    with app.app_context():
        school = make_school("Acme Institute")
        program = make_program(school)
        make_lead(program, first_name="Anna")
        school_id = school.id
    first = post_export(
        admin_client,
        school=str(school_id),
        state="il",
        since="2026-11-01",
        career="medical-office-manager",
        mark_exported="y",
        columns="school",
    ).get_data()
    html = admin_client.get("/admin/exports").get_data(as_text=True)
    for words in (
        "School: Acme Institute",
        "State: IL",
        "Received from 2026-11-01",
        "Career: Medical Office Manager",
        "marked exported",
        "School columns",
    ):
        assert words in html
    assert "{" not in html.split("<h1>Exports</h1>")[1]  # no JSON
    with app.app_context():
        export_id = db.session.scalars(select(LeadExport.id)).one()
    token = csrf_token(admin_client, "/admin/exports")
    again = admin_client.post(f"/admin/exports/{export_id}/download", data={"csrf_token": token})
    assert again.status_code == 200 and again.get_data() == first
    html = admin_client.get("/admin/exports").get_data(as_text=True)
    assert f"the leads of export #{export_id} again" in html


def test_downloading_again_needs_a_post_with_csrf_and_a_complete_export(admin_client, app):
    with app.app_context():
        make_lead(make_program())
        db.session.add(
            LeadExport(actor="shell:x", source="cli", filters="{}", state="aborted", row_count=0)
        )
        db.session.commit()
        aborted = db.session.scalars(select(LeadExport.id)).one()
    token = csrf_token(admin_client, "/admin/exports")
    assert admin_client.get(f"/admin/exports/{aborted}/download").status_code == 405
    assert admin_client.post(f"/admin/exports/{aborted}/download").status_code == 400
    response = admin_client.post(f"/admin/exports/{aborted}/download", data={"csrf_token": token})
    assert response.status_code == 409 and "did not complete" in response.get_data(as_text=True)
    missing = admin_client.post("/admin/exports/99999/download", data={"csrf_token": token})
    assert missing.status_code == 404
