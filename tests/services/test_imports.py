"""Importing listings from CSV: good file, re-import, dry run, bad rows."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Campus, Program, ProgramDetails, School, ZipCode
from portal.services.imports import COLUMNS, import_programs

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "programs-example.csv"
HEADER = ",".join(COLUMNS)


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def run(text: str, dry_run: bool = False):
    return import_programs(io.StringIO(text), dry_run=dry_run)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def row(**values) -> str:
    """One CSV line in COLUMNS order: a valid campus listing unless values say otherwise."""
    base = {
        "external_id": "T-1",
        "school": "Test School",
        "campus_address": "1 Main St",
        "campus_zip": "60601",
        "career": "medical-office-manager",
        "title": "Medical Office Administration",
        "credential_level": "certificate",
        "modality": "campus",
        "duration": "9 months",
        "bid_usd": "25.00",
        "starts_on": "2026-01-01",
    }
    base.update(values)
    return csv_line([base.get(column, "") for column in COLUMNS])


def csv_line(cells: list[str]) -> str:
    """Cells as one CSV line, quoted where they need it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


def test_the_example_file_imports(app):
    with app.app_context():
        report = run(example_text())
        assert report.ok, report.errors
        assert (report.rows, report.created, report.updated, report.unchanged) == (6, 6, 0, 0)
        assert (report.schools_created, report.campuses_created) == (2, 2)
        assert (count(Program), count(School), count(Campus)) == (6, 2, 2)
        loop = db.session.scalars(select(Program).where(Program.external_id == "EX-1001")).one()
        chicago = db.session.get(ZipCode, "60601")
        assert (loop.campus.city, loop.campus.state) == ("Chicago", "IL")  # from the ZIP table
        assert (loop.campus.latitude, loop.campus.longitude) == (
            chicago.latitude,
            chicago.longitude,
        )
        assert loop.sponsorship.bid_cents == 3500
        assert (loop.sponsorship.daily_cap, loop.sponsorship.monthly_cap) == (25, 500)
        evanston = db.session.scalars(select(Campus).where(Campus.zip_code == "60201")).one()
        assert (evanston.latitude, evanston.longitude) == (42.0502, -87.6836)  # as given
        online = db.session.scalars(select(Program).where(Program.external_id == "EX-2001")).one()
        assert online.campus is None and {s.state for s in online.states} == {
            "IL",
            "IN",
            "WI",
            "MI",
        }
        everywhere = db.session.scalars(select(Program).where(Program.external_id == "EX-2002"))
        assert len(everywhere.one().states) == 51
        paused = db.session.scalars(select(Program).where(Program.external_id == "EX-2003")).one()
        assert paused.is_active is False
        assert (loop.tuition_min_cents, loop.tuition_max_cents) == (1_240_000, None)
        assert loop.schedule == ("full_time", "evenings")
        assert loop.next_start_dates == (date(2027, 1, 11), date(2027, 3, 8), date(2027, 5, 3))
        assert loop.accreditation.startswith("Accrediting Bureau") and loop.financial_aid is True
        assert loop.program_url == "https://lakeside.example/programs/medical-office-administration"
        billing = db.session.scalars(select(Program).where(Program.external_id == "EX-1003"))
        billing = billing.one()
        assert billing.details == ProgramDetails(schedule=("part_time",))


def test_reimporting_the_same_file_changes_nothing(app):
    with app.app_context():
        run(example_text())
        stamps = dict(db.session.execute(select(Program.external_id, Program.updated_at)).all())
        db.session.commit()
        report = run(example_text())
        assert (report.created, report.updated, report.unchanged) == (0, 0, 6)
        assert (report.schools_created, report.campuses_created) == (0, 0)
        assert (count(Program), count(School), count(Campus)) == (6, 2, 2)
        again = dict(db.session.execute(select(Program.external_id, Program.updated_at)).all())
        assert again == stamps


def test_a_changed_row_updates_its_listing_only(app):
    with app.app_context():
        run(example_text())
        changed = example_text().replace(",35.00,", ",40.00,").replace("IL IN WI MI", "IL IN")
        report = run(changed)
        assert (report.created, report.updated, report.unchanged) == (0, 2, 4)
        loop = db.session.scalars(select(Program).where(Program.external_id == "EX-1001")).one()
        assert loop.sponsorship.bid_cents == 4000
        online = db.session.scalars(select(Program).where(Program.external_id == "EX-2001")).one()
        assert {s.state for s in online.states} == {"IL", "IN"}


def test_dry_run_reports_and_writes_nothing(app):
    with app.app_context():
        report = run(example_text(), dry_run=True)
        assert report.ok and report.dry_run and report.created == 6
        assert (count(Program), count(School), count(Campus)) == (0, 0, 0)


def test_a_file_with_bad_rows_writes_nothing_and_names_each_line(app):
    with app.app_context():
        text = "\n".join(
            [
                HEADER,
                row(external_id="OK-1"),
                row(external_id="BAD-1", credential_level="phd"),
                "",
                row(external_id="OK-2", campus_zip="60614"),
                row(external_id="OK-1"),
                row(external_id="BAD-3", campus_zip="00000"),
            ]
        )
        report = run(text + "\n")
        assert not report.ok
        assert [(e.line, e.reason) for e in report.errors] == [
            (
                3,
                "credential_level must be one of certificate, diploma, associate, bachelor, "
                "master (not 'phd')",
            ),
            (6, "external_id 'OK-1' is already used on line 2"),
            (7, "campus_zip 00000 is not a known ZIP code"),
        ]
        assert str(report.errors[0]).startswith("line 3: credential_level")
        assert (count(Program), count(School), count(Campus)) == (0, 0, 0)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"external_id": ""}, "external_id is required"),
        ({"school": ""}, "school is required"),
        ({"career": "astronaut"}, "career 'astronaut' is not a known career slug"),
        ({"modality": "boat"}, "modality must be one of campus, online, hybrid"),
        ({"campus_zip": ""}, "campus_zip is required for a campus or hybrid listing"),
        ({"campus_zip": "6060"}, "campus_zip '6060' is not a 5-digit ZIP code"),
        ({"campus_address": ""}, "campus_address is required"),
        ({"campus_latitude": "41.9"}, "give both campus_latitude and campus_longitude"),
        ({"campus_latitude": "95", "campus_longitude": "1"}, "campus_latitude must be between"),
        ({"states": "IL"}, "states is only for online listings"),
        ({"modality": "online", "states": "IL"}, "an online listing has no campus"),
        (
            {"modality": "online", "campus_zip": "", "campus_address": ""},
            "states is required for an online listing",
        ),
        (
            {"modality": "online", "campus_zip": "", "campus_address": "", "states": "IL ZZ"},
            "states has unknown state code(s): ZZ",
        ),
        ({"bid_usd": "ten"}, "bid_usd must be an amount in dollars"),
        ({"bid_usd": "10.001"}, "bid_usd must be zero or more dollars with at most two decimals"),
        ({"bid_usd": "-1"}, "bid_usd must be zero or more dollars"),
        ({"starts_on": "01/02/2026"}, "starts_on must be a date like 2026-01-31"),
        ({"starts_on": "20260101"}, "starts_on must be a date like 2026-01-31"),
        ({"ends_on": "2025-12-31"}, "ends_on: The end date must not be before the start date."),
        ({"daily_cap": "2147483648"}, "daily_cap: Use a whole number from 0 to 2147483647."),
        ({"bid_usd": "1000000.01"}, "bid_usd: Use an amount from 0 to 1000000."),
        ({"daily_cap": "-3"}, "daily_cap must be a whole number of 0 or more"),
        ({"active": "maybe"}, "active must be true or false"),
        ({"school_website": "lakeside.example"}, "school_website must be a web address"),
        ({"title": "x" * 201}, "title is longer than 200 characters"),
        # NUL was a 500 on PostgreSQL, which refuses it in text (dry run and real import alike).
        ({"school": "Test\x00School"}, "school holds a control character (such as NUL)"),
        ({"external_id": "T\x00-1"}, "external_id holds a control character"),
        ({"description": "bell\x07"}, "description holds a control character"),
        ({"tuition_min_usd": "twelve"}, "tuition_min_usd must be an amount in dollars like"),
        ({"tuition_min_usd": "12,50"}, "tuition_min_usd must be an amount in dollars like"),
        ({"tuition_min_usd": "-100"}, "tuition_min_usd must be an amount in dollars like"),
        ({"tuition_min_usd": "1.005"}, "tuition_min_usd must be an amount in dollars like"),
        ({"tuition_max_usd": "900"}, "tuition_max_usd: Give the lowest tuition too"),
        (
            {"tuition_min_usd": "900", "tuition_max_usd": "800"},
            "tuition_max_usd: Use an amount from the lowest tuition up to 1,000,000.",
        ),
        ({"tuition_min_usd": "1000000.01"}, "tuition_min_usd: Use an amount from 0 to 1,000,000"),
        ({"schedule": "full_time nights"}, "schedule: Use only full_time, part_time, evenings"),
        ({"next_start_dates": "2027-01-04 2027/02/01"}, "next_start_dates must be a date like"),
        (
            {"next_start_dates": " ".join(f"2027-0{n}-01" for n in range(1, 8))},
            "next_start_dates: Give at most 6 start dates.",
        ),
        ({"accreditation": "A" * 201}, "accreditation is longer than 200 characters"),
        ({"financial_aid": "perhaps"}, "financial_aid must be true or false"),
        ({"program_url": "www.school.example"}, "program_url: Use a web address starting with"),
    ],
)
def test_each_bad_value_is_reported_with_its_reason(app, values, reason):
    with app.app_context():
        report = run(f"{HEADER}\n{row(**values)}\n")
        assert len(report.errors) == 1 and report.errors[0].line == 2
        assert reason in report.errors[0].reason
        assert count(Program) == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the file is empty"),
        ("external_id,school,bid\n", "unknown column(s): bid"),
        ("external_id,school\n", "missing column(s): career, title"),
        ("external_id,external_id\n", "repeated column(s): external_id"),
    ],
)
def test_header_problems_are_reported_on_line_one(app, text, reason):
    with app.app_context():
        report = run(text)
        assert report.errors and all(e.line == 1 for e in report.errors)
        assert any(reason in e.reason for e in report.errors)


@pytest.mark.parametrize("dry_run", [True, False])
def test_nul_anywhere_is_a_line_error_and_nothing_is_written(app, dry_run):
    with app.app_context():
        bad = row(external_id="T-2", campus_address="1\x00 Main")
        text = f"{HEADER}\n{row()}\n{bad}\n"
        report = run(text, dry_run=dry_run)
        assert [e.line for e in report.errors] == [3] and not report.ok
        assert count(Program) == count(School) == 0


def test_a_file_of_bad_rows_reports_the_first_100_and_counts_the_rest(app):
    with app.app_context():
        rows = "\n".join(row(external_id=f"B-{n}", modality="x") for n in range(5000))
        report = run(f"{HEADER}\n{rows}\n")
        assert report.error_count == 5000 and len(report.errors) == 100
        assert report.errors[-1].line == 101 and not report.ok


def test_a_description_keeps_its_tabs_and_line_breaks(app):
    with app.app_context():
        description = '"a\tb\r\nc"'
        report = run(f"{HEADER}\n{row(description=description)}\n")
        assert report.ok, report.errors


def test_a_row_with_the_wrong_number_of_fields_is_reported(app):
    with app.app_context():
        report = run(f"{HEADER}\n{row()},extra\n")
        assert [(e.line, e.reason) for e in report.errors] == [
            (2, f"{len(COLUMNS) + 1} fields where the header has {len(COLUMNS)}")
        ]


def test_line_numbers_count_lines_inside_quoted_fields(app):
    with app.app_context():
        first = row(external_id="A", description='"two\nlines"')
        report = run(f"{HEADER}\n{first}\n{row(external_id='B', modality='x')}\n")
        assert [e.line for e in report.errors] == [4]


def test_only_the_needed_columns_may_be_given(app):
    with app.app_context():
        text = (
            "external_id,school,career,title,credential_level,modality,duration,bid_usd,"
            "starts_on,states\n"
            "O-1,Online School,medical-assistant,MA Online,certificate,online,1 year,10,"
            "2026-01-01,IL\n"
        )
        report = run(text)
        assert report.ok and report.created == 1


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, ProgramDetails()),
        (
            {"tuition_min_usd": "$12,500.50", "tuition_max_usd": "14000"},
            ProgramDetails(tuition_min_cents=1_250_050, tuition_max_cents=1_400_000),
        ),
        (
            {"schedule": "Evenings, Full-Time;weekends evenings"},
            ProgramDetails(schedule=("full_time", "evenings", "weekends")),
        ),
        (
            {"next_start_dates": "2027-03-01, 2027-01-04;2027-03-01"},
            ProgramDetails(next_start_dates=(date(2027, 1, 4), date(2027, 3, 1))),
        ),
        ({"financial_aid": "no"}, ProgramDetails(financial_aid=False)),
        ({"financial_aid": "Yes"}, ProgramDetails(financial_aid=True)),
    ],
)
def test_details_are_read_in_the_forms_people_write_them(app, values, expected):
    with app.app_context():
        report = run(f"{HEADER}\n{row(**values)}\n")
        assert report.ok, report.errors
        assert db.session.scalars(select(Program)).one().details == expected


def test_a_file_without_the_detail_columns_leaves_the_details_as_they_are(app):
    with app.app_context():
        run(example_text())
        width = COLUMNS.index("tuition_min_usd")  # the file as it was before these columns
        rows = list(csv.reader(io.StringIO(example_text())))
        old_format = "\n".join(csv_line(cells[:width]) for cells in rows)
        report = run(old_format.replace("Medical Billing and Coding", "Billing") + "\n")
        assert report.ok, report.errors
        assert (report.updated, report.unchanged) == (1, 5)
        loop = db.session.scalars(select(Program).where(Program.external_id == "EX-1001")).one()
        assert loop.tuition_min_cents == 1_240_000 and loop.schedule == ("full_time", "evenings")


def test_a_blank_detail_column_clears_that_detail(app):
    with app.app_context():
        run(example_text())
        text = example_text().replace(",https://lakeside.example/programs/medical-office-", ",")
        text = text.replace("administration\n", "\n", 1)
        report = run(text)
        assert (report.updated, report.unchanged) == (1, 5), report.errors
        loop = db.session.scalars(select(Program).where(Program.external_id == "EX-1001")).one()
        assert loop.program_url is None
