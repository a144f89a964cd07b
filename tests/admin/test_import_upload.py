"""Uploading a listings CSV in the admin area: dry run first, per-row errors, then import."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from portal.extensions import db
from portal.models import Program
from tests.support.forms import csrf_token

EXAMPLE = (Path(__file__).resolve().parents[2] / "docs" / "programs-example.csv").read_bytes()
PAGE = "/admin/programs/import"


def upload(client, data: bytes, dry_run: bool, name: str = "listings.csv"):
    """Post the upload form as a browser would, with a real CSRF token."""
    form = {"csrf_token": csrf_token(client, PAGE), "csv_file": (io.BytesIO(data), name)}
    if dry_run:
        form["dry_run"] = "y"
    # A large body is spooled to a temporary file, closed here even when the app refuses it.
    builder = EnvironBuilder(path=PAGE, method="POST", data=form)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def listing_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Program))


def test_page_offers_a_dry_run_by_default(admin_client):
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert 'id="dry_run"' in html and "checked" in html


def test_dry_run_reports_changes_and_writes_nothing(app, admin_client):
    response = upload(admin_client, EXAMPLE, dry_run=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dry run: nothing was written" in html and "Would create 6 listings" in html
    assert listing_count(app) == 0


def test_import_then_reimport_changes_nothing(app, admin_client):
    response = upload(admin_client, EXAMPLE, dry_run=False)
    assert response.status_code == 200
    assert "Created 6 listings" in response.get_data(as_text=True)
    assert listing_count(app) == 6
    again = upload(admin_client, EXAMPLE, dry_run=False).get_data(as_text=True)
    assert "Created 0 listings" in again and "6 unchanged" in again
    assert listing_count(app) == 6


def test_bad_rows_are_listed_by_line_and_nothing_is_written(app, admin_client):
    lines = EXAMPLE.decode().splitlines()
    lines[2] = lines[2].replace("certificate", "doctorate").replace("diploma", "doctorate")
    lines.append(lines[1].replace("EX-1001", "EX-9999").replace("60601", "00000"))
    response = upload(admin_client, "\n".join(lines).encode(), dry_run=False)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was written: 2 problems" in html
    assert '<td class="num">3</td>' in html and '<td class="num">8</td>' in html
    assert listing_count(app) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose a CSV file to upload."),
        ("external_id\n\xe9".encode("latin-1"), "not UTF-8"),
    ],
)
def test_unusable_files_get_a_message_beside_the_field(app, admin_client, data, message):
    if data:
        response = upload(admin_client, data, dry_run=True)
    else:
        response = admin_client.post(
            PAGE,
            data={"csrf_token": csrf_token(admin_client, PAGE)},
            content_type="multipart/form-data",
        )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert listing_count(app) == 0


def test_upload_without_csrf_is_refused(app, admin_client):
    response = admin_client.post(
        PAGE, data={"csv_file": (io.BytesIO(EXAMPLE), "x.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert listing_count(app) == 0


def test_a_file_over_the_limit_is_refused(app, admin_client):
    big = EXAMPLE + b"x" * (5 * 1024 * 1024)
    response = upload(admin_client, big, dry_run=True)
    assert response.status_code == 422
    assert "larger than 5 MB" in response.get_data(as_text=True)
    huge = upload(admin_client, b"x" * (7 * 1024 * 1024), dry_run=True)
    assert huge.status_code == 413
    assert listing_count(app) == 0


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_nul_in_a_cell_is_a_line_error_not_a_crash(app, admin_client, dry_run):
    text = EXAMPLE.decode().replace("Lakeside Health Institute", "Lakeside\x00Institute", 1)
    response = upload(admin_client, text.encode(), dry_run=dry_run)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "holds a control character (such as NUL)" in html
    assert listing_count(app) == 0


def test_a_file_of_bad_rows_gives_a_short_report(app, admin_client):
    header, first = EXAMPLE.decode().splitlines()[:2]
    bad = first.replace(",campus,", ",by-pigeon,", 1)
    rows = "\n".join(bad.replace("EX-1001", f"EX-{n}", 1) for n in range(5_000))
    response = upload(admin_client, f"{header}\n{rows}\n".encode(), dry_run=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was written: 5000 problems" in html and "The first 100 are listed" in html
    assert html.count('<tr><td class="num">') == 100 and len(html) < 100_000


def test_the_csv_template_is_offered_for_download(admin_client):
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert 'href="/admin/programs/import/template.csv"' in html
    response = admin_client.get("/admin/programs/import/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=programs-template.csv"
    assert response.get_data() == EXAMPLE
    assert "no-store" in response.headers["Cache-Control"]


def test_every_column_of_the_import_is_documented_on_the_page(admin_client):
    from portal.admin.import_help import DESCRIPTIONS
    from portal.services.imports import COLUMNS, REQUIRED_COLUMNS

    assert set(DESCRIPTIONS) == set(COLUMNS)  # a new column needs its words here
    html = admin_client.get(PAGE).get_data(as_text=True)
    for name in COLUMNS:
        required = "required" if name in REQUIRED_COLUMNS else ""
        assert f'<th scope="row"><code>{name}</code></th><td>{required}</td>' in html
    assert "<code>medical-office-manager</code>: Medical Office Manager" in html


def test_the_template_imports_as_it_is(admin_client):
    template = admin_client.get("/admin/programs/import/template.csv").get_data()
    assert upload(admin_client, template, dry_run=True).status_code == 200
