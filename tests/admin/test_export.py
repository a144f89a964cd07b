"""Exporting leads from the admin's leads page: a POST with CSRF, streamed, recorded."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import LeadExport
from tests.support.exports import TRICKY, read, reference_csv, stored_leads
from tests.support.factories import make_lead, make_program
from tests.support.forms import csrf_token


def post_export(admin_client, **fields):
    """Send the leads page's export form as a browser would (with its CSRF token)."""
    data = {"csrf_token": csrf_token(admin_client, "/admin/leads"), **fields}
    return admin_client.post("/admin/leads/export.csv", data=data)


def test_download_from_the_leads_page(admin_client, app):
    with app.app_context():
        make_lead(make_program(), **TRICKY)
    response = post_export(admin_client, state="IL")
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
    data = {"csrf_token": token, "mark_exported": "y", "status": "new"}
    response = admin_client.post("/admin/leads/export.csv", data=data)
    assert response.status_code == 200
    assert len(read(response.get_data())) == 2
    again = admin_client.post("/admin/leads/export.csv", data=data)
    assert len(read(again.get_data())) == 1
    page = admin_client.get("/admin/exports").get_data(as_text=True)
    assert "admin@example.com" in page and "complete" in page


def test_bad_export_filters_are_a_400(admin_client):
    assert post_export(admin_client, since="yesterday").status_code == 400


@pytest.mark.parametrize("fields", [{"school": "99999999999999999999"}, {"page": "9" * 400}])
def test_impossible_ids_in_export_filters_are_a_400(admin_client, fields):
    assert post_export(admin_client, **fields).status_code == 400


def test_export_history_takes_any_page_number(admin_client):
    # A page number too big for the database was a 500.
    assert admin_client.get("/admin/exports?page=99999999999999999999").status_code == 200
