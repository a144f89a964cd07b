"""The daily roll-up (portal.services.rollup): it always equals a recount of the leads and the
searches, counted here in Python, after everything that changes leads (rejections, taking
back, returns, outcomes, deletions, exports, new captures); and every page reading it shows
what it shows reading the leads alone, in any time zone and over any stretch."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import (
    CampaignDay,
    EmptySearchDay,
    Lead,
    LeadDay,
    LeadMonth,
    LeadQuarter,
    LeadRollup,
    SearchDay,
    SearchLog,
)
from portal.services import rollup
from portal.services.dashboard import dashboard_figures, local_midnight
from portal.services.erasure import delete_person_data
from portal.services.exports import Actor as ExportActor
from portal.services.exports import ExportOptions, export_leads_csv
from portal.services.inbox import OptOutDraft, opt_out
from portal.services.lead_returns import decide_return, request_return
from portal.services.lead_status import Editor, StatusChange, change_status
from portal.services.retention import run_retention
from portal.services.school_leads import Actor, record_outcome
from portal.services.school_performance import school_performance
from tests.support.factories import make_admin, make_lead, make_program, make_school

# Friday, November 27, 2026, 15:00 UTC: the roll-up counts through Thursday the 26th.
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
OPS = Editor("ops@example.com")
REACHED = {"contacted", "applied", "enrolled"}
ZONES = ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]


def utc(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment of 2026 in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def leads(app):
    """Two schools' leads from October 1 to now, at every awkward hour: around midnight UTC
    and New York's, on the day New York leaves daylight saving time (November 1), repeats,
    rejected ones, outcomes, campaigns; and searches, some finding nothing."""
    with app.app_context():
        acme, bolt = make_school("Acme"), make_school("Bolt")
        programs = [make_program(acme), make_program(acme), make_program(bolt)]
        made = {}
        moments = [utc(10, day, hour) for day in range(1, 32, 3) for hour in (0, 4, 23)]
        moments += [utc(11, day, hour, 55) for day in range(1, 27) for hour in (3, 4, 5, 23)]
        moments += [utc(11, 27, 0, 5), utc(11, 27, 14)]  # today: not counted
        for n, moment in enumerate(moments):
            program = programs[n % 3]
            fields = {
                "created_at": moment,
                "price_cents": 1000 + 500 * (n % 3),
                "utm_campaign": ["", "mom", "spring"][n % 4 % 3],
                "email": f"person{n % 40}@example.com",
            }
            if n % 7 == 3:
                fields["status"] = "rejected"
            if n % 5 == 2:
                fields["outcome"] = ["contacted", "enrolled", "not_interested", "applied"][n % 4]
            made[n] = make_lead(program, **fields)
            if n % 11 == 4:  # a repeat a minute later, not billable
                make_lead(
                    program,
                    created_at=moment + timedelta(minutes=1),
                    email=fields["email"],
                    billable=False,
                    price_cents=0,
                    duplicate_of_id=made[n].id,
                    utm_campaign=fields["utm_campaign"],
                )
        for n, moment in enumerate(moments[::2]):
            db.session.add(
                SearchLog(
                    created_at=moment - timedelta(minutes=3),
                    zip_code=["60601", "10001", "99999"][n % 3],
                    state=["IL", "NY", None][n % 3],
                    radius_miles=50,
                    result_count=0 if n % 4 == 0 else 3,
                )
            )
        db.session.commit()
        return {n: lead.id for n, lead in made.items()}, [p.id for p in programs], acme.id


def recount() -> dict[str, Counter]:
    """Every roll-up table's rows, counted again here from the leads and searches of the
    days it counts; rows whose every figure is 0 left out."""
    through = rollup.counted_through()
    tables: dict[str, Counter] = {name: Counter() for name in TABLES}
    if through is None:
        return tables
    for lead in db.session.scalars(select(Lead)):
        when = lead.created_at.astimezone(UTC)
        if when.date() > through:
            continue
        kept = lead.status != "rejected"
        billable = int(lead.billable)
        outcomes = {
            "kept": int(kept),
            "reported": int(kept and lead.outcome is not None),
            "reached": int(kept and lead.outcome in REACHED),
            "applied": int(kept and lead.outcome in ("applied", "enrolled")),
            "enrolled": int(kept and lead.outcome == "enrolled"),
        }
        revenue = lead.price_cents * billable
        quarter = (int(when.timestamp() // 900),)
        tables["lead_quarter"].update(
            {
                (*quarter, "leads"): 1,
                (*quarter, "billable"): billable,
                (*quarter, "duplicates"): int(kept and lead.duplicate_of_id is not None),
                (*quarter, "rejected"): int(not kept),
                (*quarter, "revenue_cents"): revenue,
            }
        )
        for name, key in (
            ("lead_day", (when.date(), lead.school_id, lead.program_id)),
            ("lead_month", (when.date().replace(day=1), lead.school_id, lead.program_id)),
        ):
            figures = {"leads": 1, "revenue_cents": revenue, **outcomes}
            tables[name].update({(*key, figure): n for figure, n in figures.items()})
        key = (when.date(), lead.utm_campaign)
        tables["campaign_day"].update(
            {(*key, figure): n for figure, n in {"leads": 1, **outcomes}.items()}
        )
    for search in db.session.scalars(select(SearchLog)):
        day = search.created_at.astimezone(UTC).date()
        if day > through:
            continue
        tables["search_day"][(day, search.state or "", "searches")] += 1
        if search.result_count == 0:
            tables["empty_search_day"][(day, search.zip_code, "searches")] += 1
    return {name: _without_empty_rows(counter) for name, counter in tables.items()}


TABLES = {
    "lead_quarter": (LeadQuarter, ["quarter"]),
    "lead_day": (LeadDay, ["day", "school_id", "program_id"]),
    "lead_month": (LeadMonth, ["month", "school_id", "program_id"]),
    "campaign_day": (CampaignDay, ["day", "campaign"]),
    "search_day": (SearchDay, ["day", "state"]),
    "empty_search_day": (EmptySearchDay, ["day", "zip_code"]),
}


def _without_empty_rows(counter: Counter) -> Counter:
    """The figures of rows that have at least one lead or search."""
    rows = {key[:-1] for key, n in counter.items() if key[-1] in ("leads", "searches") and n}
    return Counter({key: n for key, n in counter.items() if key[:-1] in rows and n})


def stored() -> dict[str, Counter]:
    """The roll-up's rows as stored, in recount()'s shape."""
    found = {}
    for name, (table, keys) in TABLES.items():
        counter = Counter()
        figures = [c.name for c in table.__table__.columns if c.name not in keys]
        for row in db.session.scalars(select(table)):
            key = tuple(getattr(row, k) for k in keys)
            counter.update({(*key, f): getattr(row, f) for f in figures if getattr(row, f)})
        found[name] = counter
    return found


def assert_rollup_is_a_recount() -> None:
    """The roll-up equals a recount, and the pages read the same figures through it."""
    db.session.expire_all()
    assert stored() == recount()
    assert_pages_agree()


def assert_pages_agree() -> None:
    """The dashboard (every figure, in every zone, over stretches across months and
    daylight-saving changes) and a school's performance page are the same read through the
    roll-up as read from the leads alone."""
    stretches = [(date(2026, 11, 21), date(2026, 11, 27)), (date(2026, 9, 28), date(2026, 11, 27))]
    stretches.append((date(2026, 10, 1), date(2026, 10, 31)))
    pages = []
    for live in (False, True):
        if live:  # the roll-up forgotten for a moment: everything read from the leads
            db.session.execute(update(LeadRollup).values(counted_through=None))
        seen = []
        for zone in ZONES:
            for first, last in stretches:
                seen.append(dashboard_figures(NOW, ZoneInfo(zone), first, last))
        school_id = db.session.scalar(select(Lead.school_id).order_by(Lead.id).limit(1))
        seen.append(school_performance(school_id, date(2026, 10, 20), date(2026, 11, 27)))
        pages.append(seen)
    db.session.rollback()
    assert pages[0] == pages[1]


def test_the_rollup_equals_a_recount_after_every_kind_of_change(app, leads):
    ids, programs, school_id = leads
    with app.app_context():
        assert stored() == {name: Counter() for name in TABLES}  # nothing counted yet
        # From September 30 (a search 3 minutes before the first lead) to November 26.
        assert rollup.count_all_ended_days(NOW) == 58
        assert rollup.counted_through() == date(2026, 11, 26)
        assert_rollup_is_a_recount()

        # Rejections, one at a time and several at once, and taking one back.
        change_status([ids[0]], StatusChange("rejected", "test"), OPS, NOW)
        assert_rollup_is_a_recount()
        change_status([ids[5], ids[6], ids[8]], StatusChange("rejected", "duplicate"), OPS, NOW)
        assert_rollup_is_a_recount()
        change_status([ids[3], ids[5]], StatusChange("new"), OPS, NOW)
        assert_rollup_is_a_recount()
        change_status([ids[9]], StatusChange("exported"), OPS, NOW)
        assert_rollup_is_a_recount()

        # Returns: approved (the lead stops being billable) and denied.
        lead = db.session.get(Lead, ids[100])
        returned = request_return(lead.school_id, lead.id, "wrong_number", "", Actor("s"), NOW, 60)
        decide_return(returned.id, True, "Checked.", OPS, NOW)
        assert_rollup_is_a_recount()
        lead = db.session.get(Lead, ids[102])
        returned = request_return(lead.school_id, lead.id, "other", "Hm.", Actor("s"), NOW, 60)
        decide_return(returned.id, False, "It was real.", OPS, NOW)
        assert_rollup_is_a_recount()

        # Outcomes a school reports, the first and a later one.
        lead = db.session.get(Lead, ids[20])
        day = lead.created_at.date()
        record_outcome(lead.school_id, lead.id, "contacted", day, Actor("s"), NOW.date())
        assert_rollup_is_a_recount()
        record_outcome(lead.school_id, lead.id, "enrolled", day, Actor("s"), NOW.date())
        assert_rollup_is_a_recount()

        # A person's data deleted on request: every lead of theirs, repeats among them.
        email = db.session.get(Lead, ids[4]).email
        assert delete_person_data(email, make_admin().id).leads > 2
        assert_rollup_is_a_recount()

        # A person opts out (Do Not Sell or Share): their leads are marked, and stay counted.
        email = db.session.get(Lead, ids[30]).email
        opt_out(OptOutDraft(email, None, "CA"), "rollup-opt-out", NOW)
        assert db.session.scalar(select(func.count()).where(Lead.opted_out_at.is_not(None)))
        assert_rollup_is_a_recount()

        # Retention erases the personal details of the leads older than 30 days; every figure
        # stays as it was.
        assert run_retention(NOW, 30, "shell:test").leads_erased > 0
        assert_rollup_is_a_recount()

        # An export marking what waits (statuses change; no figure does).
        actor = ExportActor("ops@example.com", "cli")
        b"".join(export_leads_csv(ExportOptions(mark_exported=True), actor))
        assert_rollup_is_a_recount()

        # A capture today lands on a day the roll-up does not count yet.
        make_lead(db.session.get(Lead, ids[1]).program, created_at=NOW - timedelta(minutes=1))
        assert_rollup_is_a_recount()

        # The next day, the worker counts today too.
        assert rollup.count_ended_days(NOW + timedelta(days=1)) == 1
        assert rollup.counted_through() == date(2026, 11, 27)
        assert_rollup_is_a_recount()

        # And a recount from scratch gives the same rows.
        assert rollup.recount(NOW + timedelta(days=1)) == 59
        assert_rollup_is_a_recount()


def test_a_day_is_counted_once_it_ended_ten_minutes_ago(app, leads):
    """A capture stamps its lead when it begins and commits a moment later: a lead of 23:59
    may commit after midnight, so the day waits RECOUNT_DELAY before it is counted."""
    with app.app_context():
        midnight = local_midnight(date(2026, 11, 27), ZoneInfo("UTC"))
        rollup.count_all_ended_days(midnight + timedelta(minutes=9))
        assert rollup.counted_through() == date(2026, 11, 25)
        rollup.count_all_ended_days(midnight + timedelta(minutes=10))
        assert rollup.counted_through() == date(2026, 11, 26)
        assert_rollup_is_a_recount()


def test_the_roll_up_command_counts_and_recounts(app, runner, leads):
    done = runner.invoke(args=["roll-up"])
    assert done.exit_code == 0, done.output
    assert "day(s) counted" in done.output
    with app.app_context():
        through = rollup.counted_through()
        assert through is not None and through >= date(2026, 11, 26)
        assert_rollup_is_a_recount()
    again = runner.invoke(args=["roll-up", "--recount"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert rollup.counted_through() == through
        assert_rollup_is_a_recount()


def test_the_delivery_worker_counts_the_days_that_ended(app, runner, leads):
    done = runner.invoke(args=["deliver", "--once"])
    assert done.exit_code == 0, done.output
    with app.app_context():
        assert rollup.counted_through() is not None
        assert_rollup_is_a_recount()
