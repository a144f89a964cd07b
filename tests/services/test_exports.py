"""The lead CSV export service: columns, quoting, neutralising, filters, marking, the audit
record."""

import json
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import LeadExport
from portal.services.admin_leads import LeadFilters
from portal.services.exports import (
    CHUNK_ROWS,
    EXPORT_HEADER,
    Actor,
    ExportOptions,
    ExportSummary,
    export_leads_csv,
)
from tests.support.exports import (
    DOCUMENTED_COLUMNS,
    SHELL,
    TRICKY,
    expected_row,
    read,
    reference_csv,
    run_export,
    stored_leads,
)
from tests.support.factories import make_lead, make_program


def test_columns_are_the_documented_ones_in_order():
    assert EXPORT_HEADER == DOCUMENTED_COLUMNS


def test_readme_documents_the_columns_in_order():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Lead export", 1)[1].split("\n#", 1)[0]
    listed = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
    assert listed == DOCUMENTED_COLUMNS


def test_file_matches_stored_leads_byte_for_byte(app):
    """Both backends (SQLite rows, PostgreSQL COPY) give exactly the csv module's bytes."""
    with app.app_context():
        program = make_program()
        online = make_program(modality="online", states=("IL",))
        make_lead(program, **TRICKY)
        make_lead(online, first_name="José", last_name="Ñúñez", utm_term="", utm_content="")
        make_lead(program, phone_e164="=1+2", first_name="plain")
        data = run_export()
        assert data == reference_csv(stored_leads())


def test_read_back_equals_stored_leads(app):
    with app.app_context():
        program = make_program()
        for n in range(3):
            make_lead(program, **(TRICKY if n == 1 else {}))
        rows = read(run_export())
        assert rows[0] == DOCUMENTED_COLUMNS
        assert rows[1:] == [expected_row(lead) for lead in stored_leads()]


def test_quoting_and_neutralising(app):
    with app.app_context():
        make_lead(make_program(), **TRICKY)
        data = run_export()
        row = dict(zip(DOCUMENTED_COLUMNS, read(data)[1], strict=True))
    assert b"\r\n" in data and data.endswith(b"\r\n")
    assert row["first_name"] == "'" + TRICKY["first_name"]
    assert row["last_name"] == TRICKY["last_name"]  # commas, quotes, CRLF survive inside quotes
    assert b'"O""Brien, Jr.\r\nthe second"' in data
    assert row["email"] == "'+zoë@example.com"
    for name in ("user_agent", "page_url", "referrer", "utm_source", "utm_medium"):
        assert row[name] == "'" + TRICKY[name]
    assert row["utm_campaign"] == TRICKY["utm_campaign"]
    assert row["phone"] == "+13125550100"  # E.164 is data, not a formula
    assert "Bücher, 東京".encode() in data


# Formulas a visitor could smuggle in through the User-Agent, referrer and utm values.
DISGUISED = [
    "  =cmd|' /C calc'!A0",
    '\u00a0=HYPERLINK("http://evil.example")',
    "\u200b+1",
    "\ufeff-2",
    "\u2028@SUM(1)",
    "＝1+1",
    "＋1",
    "｜x",
    "|x",
    "\u3000\u2060＠x",
]


def test_disguised_formulas_are_neutralised_alike_on_every_backend(app):
    fields = ("user_agent", "referrer", "utm_source", "utm_medium", "utm_campaign")
    with app.app_context():
        program = make_program()
        for value in DISGUISED:
            make_lead(program, **dict.fromkeys(fields, value))
        make_lead(program, **dict.fromkeys(fields, "Mozilla/5.0 (=) \u00a0x"))
        data = run_export()
        assert data == reference_csv(stored_leads())  # COPY on PostgreSQL, Python on SQLite
    rows = [dict(zip(DOCUMENTED_COLUMNS, row, strict=True)) for row in read(data)[1:]]
    for row, value in zip(rows, DISGUISED, strict=False):
        assert {row[name] for name in fields} == {"'" + value}
    assert rows[-1]["user_agent"] == "Mozilla/5.0 (=) \u00a0x"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (LeadFilters(), ["a", "b", "c", "d"]),
        (LeadFilters(since=datetime(2026, 11, 2, tzinfo=UTC)), ["b", "c", "d"]),
        (LeadFilters(until=datetime(2026, 11, 2, tzinfo=UTC)), ["a"]),
        (LeadFilters(state="WI"), ["c"]),
        (LeadFilters(status="rejected"), ["d"]),
        (LeadFilters(career="medical-billing"), ["b"]),
    ],
)
def test_filters(app, filters, expected):
    with app.app_context():
        program = make_program()
        other = make_program(career="medical-billing")
        at = lambda day: datetime(2026, 11, day, 9, tzinfo=UTC)  # noqa: E731
        make_lead(program, first_name="a", created_at=at(1))
        make_lead(other, first_name="b", created_at=at(2), career="medical-billing")
        make_lead(program, first_name="c", created_at=at(3), state="WI")
        make_lead(program, first_name="d", created_at=at(4), status="rejected")
        rows = read(run_export(ExportOptions(filters=filters)))[1:]
    assert [r[DOCUMENTED_COLUMNS.index("first_name")] for r in rows] == expected


def test_school_and_program_filters(app):
    with app.app_context():
        first, second = make_program(), make_program()
        make_lead(first, first_name="one")
        make_lead(second, first_name="two")
        by_school = ExportOptions(filters=LeadFilters(school_id=second.school_id))
        by_program = ExportOptions(filters=LeadFilters(program_id=first.id))
        assert [r[13] for r in read(run_export(by_school))[1:]] == ["two"]
        assert [r[13] for r in read(run_export(by_program))[1:]] == ["one"]


def test_duplicates_are_left_out_unless_asked_for(app):
    with app.app_context():
        program = make_program()
        first = make_lead(program)
        make_lead(program, billable=False, duplicate_of_id=first.id)
        assert len(read(run_export())) == 2
        rows = read(run_export(ExportOptions(include_duplicates=True)))
        assert [r[3] for r in rows[1:]] == ["true", "false"]


def test_mark_exported_across_two_exports(app):
    with app.app_context():
        program = make_program()
        make_lead(program, first_name="early")
        make_lead(program, first_name="rejected", status="rejected")
        summary = ExportSummary()
        first = b"".join(export_leads_csv(ExportOptions(mark_exported=True), SHELL, summary))
        make_lead(program, first_name="later")
        second = run_export(ExportOptions(mark_exported=True))
        third = run_export(ExportOptions(mark_exported=True))
        everything = run_export(ExportOptions(not_exported=True))

        assert [r[13] for r in read(first)[1:]] == ["early"]
        assert [r[13] for r in read(second)[1:]] == ["later"]
        assert read(third) == [DOCUMENTED_COLUMNS]
        assert [r[13] for r in read(everything)[1:]] == ["rejected"]
        early = stored_leads()[0]
        assert early.status == "exported" and early.export_id == summary.export_id
        assert early.exported_at is not None
        assert read(first)[1] == expected_row(early)  # the file shows its own marking


def test_a_lead_arriving_mid_export_is_left_for_next_time(app):
    with app.app_context():
        program = make_program()
        make_lead(program, first_name="before")
        chunks = export_leads_csv(ExportOptions(mark_exported=True), SHELL)
        header = next(chunks)  # the export has started and claimed its leads
        make_lead(program, first_name="during")
        rest = b"".join(chunks)
        assert [r[13] for r in read(header + rest)[1:]] == ["before"]
        assert [r[13] for r in read(run_export(ExportOptions(mark_exported=True)))[1:]] == [
            "during"
        ]


def test_an_abandoned_export_gives_its_leads_back(app):
    with app.app_context():
        make_lead(make_program())
        chunks = export_leads_csv(ExportOptions(mark_exported=True), SHELL)
        next(chunks)
        chunks.close()
        record = db.session.scalars(select(LeadExport)).one()
        assert record.state == "aborted"
        lead = stored_leads()[0]
        assert (lead.status, lead.export_id, lead.exported_at) == ("new", None, None)
        assert len(read(run_export(ExportOptions(mark_exported=True)))) == 2


def test_two_exporters_at_once_never_share_a_lead(app):
    with app.app_context():
        program = make_program()
        for _ in range(40):
            make_lead(program)
    results: list[bytes] = []
    barrier = threading.Barrier(2)

    def export():
        with app.app_context():
            barrier.wait()
            results.append(run_export(ExportOptions(mark_exported=True)))
            db.session.remove()

    threads = [threading.Thread(target=export) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    ids = [[row[0] for row in read(data)[1:]] for data in results]
    assert len(ids) == 2
    assert not set(ids[0]) & set(ids[1])
    assert sorted(ids[0] + ids[1], key=int) == [str(n) for n in range(1, 41)]


def test_each_export_is_recorded(app):
    with app.app_context():
        program = make_program()
        make_lead(program, state="IL")
        make_lead(program, state="WI")
        options = ExportOptions(filters=LeadFilters(state="IL"), mark_exported=True)
        run_export(options, Actor(name="ops@example.com", source="web"))
        record = db.session.scalars(select(LeadExport)).one()
        assert record.actor == "ops@example.com" and record.source == "web"
        assert json.loads(record.filters) == {"state": "IL"}
        assert record.mark_exported and record.not_exported
        assert (record.state, record.row_count) == ("complete", 1)
        assert record.created_at <= record.finished_at


def test_export_is_streamed_in_chunks(app):
    with app.app_context():
        program = make_program()
        for _ in range(CHUNK_ROWS + 1):
            make_lead(program)
        chunks = list(export_leads_csv(ExportOptions(), SHELL))
    assert len(chunks) == 3  # header, a full chunk, the last row
