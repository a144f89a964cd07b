"""The lead CSV export service: columns, quoting, neutralising, filters, marking, the audit
record."""

import io
import json
import threading
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import LeadExport, LeadExportItem, utcnow
from portal.services.admin_leads import LeadFilters
from portal.services.exports import (
    CHUNK_ROWS,
    EXPORT_HEADER,
    Actor,
    CannotRepeat,
    ExportNotFound,
    ExportOptions,
    ExportSummary,
    export_filename,
    export_leads_csv,
    repeat_export,
)
from portal.services.exports import (
    SCHOOL_HEADER as SERVICE_SCHOOL_HEADER,
)
from portal.services.lead_status import Editor, StatusChange, change_status, lead_history
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
from tests.support.factories import make_lead, make_program, make_school


def test_columns_are_the_documented_ones_in_order():
    assert EXPORT_HEADER == DOCUMENTED_COLUMNS


def readme_columns(heading: str) -> list[str]:
    """The columns the README's table under `heading` lists, in order."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split(heading, 1)[1].split("\n#", 1)[0]
    return [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]


def test_readme_documents_the_columns_in_order():
    assert readme_columns("### Lead export") == DOCUMENTED_COLUMNS


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
        (LeadFilters(), ["a", "b", "c"]),  # rejected leads only when asked for
        (LeadFilters(since=datetime(2026, 11, 2, tzinfo=UTC)), ["b", "c"]),
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
        everything = run_export(ExportOptions(not_exported=True, include_rejected=True))

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


SCHOOL_HEADER = [
    "Lead ID",
    "Received (UTC)",
    "School",
    "Program",
    "Program code",
    "Campus",
    "Career",
    "First name",
    "Last name",
    "Email",
    "Phone",
    "ZIP code",
    "State",
    "Highest education",
    "Wants to start",
    "Consented at (UTC)",
    "Consent text",
    "Consent page",
    "Repeat of lead",
    "Consent receipt",
    "Details erased (UTC)",
]


def test_school_columns_are_the_documented_ones_in_order():
    assert SERVICE_SCHOOL_HEADER == SCHOOL_HEADER


def test_readme_documents_the_school_columns_in_order():
    assert readme_columns("#### The `school` columns") == SCHOOL_HEADER


def test_the_school_set_is_readable_and_holds_nothing_internal(app):
    with app.app_context():
        program = make_program(title="Medical Office Administration", external_id="MOA-1")
        online = make_program(modality="online", states=("IL",), career="phlebotomist")
        lead = make_lead(
            program,
            created_at=datetime(2026, 11, 27, 3, 20, 5, tzinfo=UTC),
            education_level="some_college",
            start_timeframe="within_1_month",
            phone_e164="+13125550100",
        )
        make_lead(online, first_name="=cmd", career="phlebotomist")
        data = run_export(ExportOptions(columns="school"))
        rows = read(data)
        assert rows[0] == SCHOOL_HEADER
        first = dict(zip(SCHOOL_HEADER, rows[1], strict=True))
        assert first == {
            "Lead ID": str(lead.id),
            "Received (UTC)": "2026-11-27 03:20:05",
            "School": program.school.name,
            "Program": "Medical Office Administration",
            "Program code": "MOA-1",
            "Campus": "Chicago campus",
            "Career": "Medical Office Manager",
            "First name": "Ada",
            "Last name": lead.last_name,
            "Email": lead.email,
            "Phone": "(312) 555-0100",
            "ZIP code": "60601",
            "State": "IL",
            "Highest education": "Some college, no degree",
            "Wants to start": "Within 1 month",
            "Consented at (UTC)": "2026-11-27 03:20:05",
            "Consent text": lead.consent_text,
            "Consent page": lead.page_url,
            "Repeat of lead": "",
            "Consent receipt": "",  # a lead made here, as before receipts
            "Details erased (UTC)": "",
        }
        second = dict(zip(SCHOOL_HEADER, rows[2], strict=True))
        assert (second["Campus"], second["Career"], second["First name"]) == (
            "Online",
            "Phlebotomist",
            "'=cmd",
        )
        text = data.decode()
        for internal in ("2500", "203.0.113.7", lead.consent_sha256, "google", "cpc", "Mozilla"):
            assert internal not in text


def test_the_school_set_neutralises_every_text_cell(app):
    with app.app_context():
        make_lead(make_program(), **TRICKY)
        row = dict(
            zip(SCHOOL_HEADER, read(run_export(ExportOptions(columns="school")))[1], strict=True)
        )
    assert row["First name"] == "'" + TRICKY["first_name"]
    assert row["Email"] == "'" + TRICKY["email"]
    assert row["Consent page"] == "'" + TRICKY["page_url"]
    assert row["Last name"] == TRICKY["last_name"]


def test_a_byte_order_mark_only_when_asked_for(app):
    with app.app_context():
        make_lead(make_program())
        for columns in ("full", "school"):
            assert not run_export(ExportOptions(columns=columns)).startswith(b"\xef\xbb\xbf")
            marked = run_export(ExportOptions(columns=columns, bom=True))
            assert marked.startswith(b"\xef\xbb\xbf") and marked.count(b"\xef\xbb\xbf") == 1
            assert read(marked[3:])[0] == (
                SCHOOL_HEADER if columns == "school" else DOCUMENTED_COLUMNS
            )


def test_a_zip_holds_one_csv_per_school_by_name(app):
    with app.app_context():
        zenith = make_program(make_school("Zenith College"))
        acme = make_program(make_school("Acme Institute"))
        make_lead(zenith, first_name="z1")
        make_lead(acme, first_name="a1")
        make_lead(zenith, first_name="z2")
        make_lead(make_program(make_school("Empty School")), status="rejected")
        summary = ExportSummary()
        options = ExportOptions(per_school=True, columns="school", bom=True, mark_exported=True)
        data = b"".join(export_leads_csv(options, SHELL, summary))
        assert summary.row_count == 3 and summary.state == "complete"
        archive = zipfile.ZipFile(io.BytesIO(data))
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == [
            f"acme-institute-{acme.school_id}.csv",
            f"zenith-college-{zenith.school_id}.csv",
        ]
        files = [read(archive.read(name)[3:]) for name in names]
        assert [[row[7] for row in rows[1:]] for rows in files] == [["a1"], ["z1", "z2"]]
        assert all(archive.read(name).startswith(b"\xef\xbb\xbf") for name in names)


def test_a_marking_export_keeps_which_leads_it_held(app):
    with app.app_context():
        program = make_program()
        held = [make_lead(program).id for _ in range(3)]
        summary = ExportSummary()
        b"".join(export_leads_csv(ExportOptions(mark_exported=True), SHELL, summary))
        items = db.session.scalars(
            select(LeadExportItem.lead_id).where(LeadExportItem.export_id == summary.export_id)
        ).all()
        assert sorted(items) == held


def test_an_abandoned_export_records_giving_its_leads_back(app):
    with app.app_context():
        lead_id = make_lead(make_program()).id
        chunks = export_leads_csv(ExportOptions(mark_exported=True), SHELL)
        next(chunks)
        chunks.close()
        history = [(e.from_status, e.to_status) for e in lead_history(lead_id)]
        assert history == [("new", "exported"), ("exported", "new")]
        assert db.session.scalars(select(LeadExportItem)).all() == []


def repeat(export_id: int, actor=SHELL) -> tuple[bytes, ExportSummary]:
    """Download an export again; its bytes and summary."""
    original, options = repeat_export(export_id)
    summary = ExportSummary()
    data = b"".join(export_leads_csv(options, actor, summary, repeat_of=original))
    return data, summary


def test_a_marking_export_downloaded_again_gives_exactly_its_leads(app):
    with app.app_context():
        program = make_program()
        first_leads = [make_lead(program, state="IL").id for _ in range(2)]
        make_lead(program, state="WI")
        summary = ExportSummary()
        options = ExportOptions(
            filters=LeadFilters(state="IL"), mark_exported=True, columns="school"
        )
        original = b"".join(export_leads_csv(options, SHELL, summary))
        again, repeated = repeat(summary.export_id)
        assert again == original and repeated.row_count == 2
        # Later: one is set back to new and sent by another export, another lead arrives.
        change_status([first_leads[0]], StatusChange("new"), Editor("ops"), utcnow())
        run_export(ExportOptions(mark_exported=True))
        make_lead(program, state="IL")
        later, _ = repeat(summary.export_id)
        assert [row[0] for row in read(later)[1:]] == [str(i) for i in first_leads]
        record = db.session.get(LeadExport, repeated.export_id)
        assert (record.repeat_of_id, record.mark_exported, record.columns) == (
            summary.export_id,
            False,
            "school",
        )
        # A download again of a download again repeats the first.
        assert repeat(repeated.export_id)[0] == later


def test_an_export_that_did_not_mark_is_run_again_over_the_leads_of_its_time(app):
    with app.app_context():
        program = make_program()
        make_lead(program, first_name="before")
        make_lead(program, first_name="sent", status="exported", exported_at=utcnow())
        summary = ExportSummary()
        options = ExportOptions(not_exported=True, per_school=True, bom=True)
        original = b"".join(export_leads_csv(options, SHELL, summary))
        make_lead(program, first_name="after", created_at=utcnow() + timedelta(seconds=1))
        run_export(ExportOptions(mark_exported=True))  # "before" is exported now
        again, _ = repeat(summary.export_id)

    def first_names(data):
        archive = zipfile.ZipFile(io.BytesIO(data))
        return [row[13] for name in archive.namelist() for row in read(archive.read(name)[3:])[1:]]

    assert first_names(original) == first_names(again) == ["before"]


def test_an_unfinished_export_cannot_be_downloaded_again(app):
    with app.app_context():
        make_lead(make_program())
        summary = ExportSummary()
        chunks = export_leads_csv(ExportOptions(), SHELL, summary)
        next(chunks)
        chunks.close()
        with pytest.raises(CannotRepeat):
            repeat_export(summary.export_id)
        with pytest.raises(ExportNotFound):
            repeat_export(99999)


def test_file_names(app):
    with app.app_context():
        school = make_school("Lakeshore Médical Institute")
        now = datetime(2026, 11, 27, 3, 20, tzinfo=UTC)
        one = ExportOptions(filters=LeadFilters(school_id=school.id))
        assert export_filename(one, now) == "leads-lakeshore-medical-institute-20261127T032000Z.csv"
        assert export_filename(ExportOptions(), now) == "leads-20261127T032000Z.csv"
        assert export_filename(ExportOptions(per_school=True), now) == (
            "leads-by-school-20261127T032000Z.zip"
        )


def test_a_full_export_downloaded_again_is_the_same_file(app):
    """Through COPY on PostgreSQL, reading the export's items."""
    with app.app_context():
        program = make_program()
        for _ in range(3):
            make_lead(program, **TRICKY)
        summary = ExportSummary()
        original = b"".join(export_leads_csv(ExportOptions(mark_exported=True), SHELL, summary))
        again, repeated = repeat(summary.export_id)
        assert again == original and repeated.row_count == 3
        assert read(again)[1:] == [expected_row(lead) for lead in stored_leads()]
