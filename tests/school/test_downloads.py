"""A school user's CSV downloads, of its leads and of its statements, are recorded in the
export audit as an admin's exports are (who, when, filters, rows): the admins see them in
the export log, the school sees its own, and no one downloads them "again"."""

import json
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import LeadExport, utcnow
from tests.support.factories import make_admin
from tests.support.forms import csrf_token, sign_in, sign_in_school


def test_a_school_users_downloads_are_in_the_export_audit(app, client, schools):
    a, b = schools["A"], schools["B"]
    assert sign_in_school(client, a.user_email).status_code == 302
    token = csrf_token(client, "/school/leads")
    since = (utcnow() - timedelta(days=30)).date().isoformat()
    leads = client.post(
        "/school/leads/export.csv",
        data={"csrf_token": token, "program": a.program_id, "since": since},
    )
    assert leads.status_code == 200 and leads.get_data(as_text=True).count("\r\n") == 4
    month = utcnow().strftime("%Y-%m")
    statement = client.get(f"/school/statement.csv?month={month}")
    lines = statement.get_data(as_text=True).count("\r\n") - 1

    with app.app_context():
        found = db.session.scalars(select(LeadExport).order_by(LeadExport.id)).all()
        assert [
            (
                e.source,
                e.actor,
                e.school_user_id,
                e.school_id,
                e.admin_id,
                e.columns,
                json.loads(e.filters),
                e.state,
                e.row_count,
            )
            for e in found
        ] == [
            (
                "school",
                a.user_email,
                a.user_id,
                a.id,
                None,
                "school",
                {"program_id": a.program_id, "since": since},
                "complete",
                3,
            ),
            (
                "school",
                a.user_email,
                a.user_id,
                a.id,
                None,
                "statement",
                {"month": month},
                "complete",
                lines,
            ),
        ]
        assert all(e.created_at is not None and e.finished_at for e in found)
        export_ids = [e.id for e in found]
        make_admin()

    # The school sees its own downloads; school B's user sees none of them.
    own = client.get("/school/downloads").get_data(as_text=True)
    assert f"Statement of {month}" in own and f"Received from {since} (UTC)" in own
    assert a.marker + " Program" in own and a.user_email in own
    other = app.test_client()
    assert sign_in_school(other, b.user_email).status_code == 302
    assert "No downloads yet" in other.get("/school/downloads").get_data(as_text=True)

    # The admins see them in the export log, named as the school's user's, never repeatable.
    admin = app.test_client()
    assert sign_in(admin).status_code == 302
    log = admin.get("/admin/exports").get_data(as_text=True)
    assert log.count(f"user of {a.name}") == 2
    assert f"Statement of {month}" in log and f"Program: {a.marker} Program" in log
    assert f"/admin/exports/{export_ids[0]}/download" not in log
    token = csrf_token(admin, "/admin/exports")
    again = admin.post(f"/admin/exports/{export_ids[0]}/download", data={"csrf_token": token})
    assert again.status_code == 409


def test_page_numbers_out_of_range_show_an_empty_page(app, school_client, schools):
    huge = "9" * 30
    for url in (
        f"/school/statement?page={huge}",
        "/school/statement?page=-4",
        f"/school/downloads?page={huge}",
        "/school/downloads?page=0",
    ):
        assert school_client.get(url).status_code == 200, url
    with app.app_context():
        make_admin()
    admin = app.test_client()
    assert sign_in(admin).status_code == 302
    school = schools["A"].id
    assert admin.get(f"/admin/schools/{school}/statement?page={huge}").status_code == 200
