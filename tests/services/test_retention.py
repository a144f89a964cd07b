"""Retention (portal.services.retention): leads past LEAD_RETENTION_DAYS lose their personal
details, and what is tied to them, in batches; everything accounting and statistics need
stays; a dry run only counts; each run is recorded; a second run, or two at once, erase
nothing twice."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select

from portal.extensions import db
from portal.models import (
    Delivery,
    DeliveryAttempt,
    Lead,
    LeadNote,
    LeadReturn,
    LeadStatusChange,
    RetentionRun,
)
from portal.services.contact_hashes import email_sha256, phone_sha256
from portal.services.deliveries import CannotRedeliver, record_attempt, redeliver
from portal.services.destinations import add_email, add_webhook
from portal.services.lead_returns import decide_return, request_return
from portal.services.lead_status import (
    Editor,
    InvalidNote,
    InvalidStatusChange,
    StatusChange,
    add_note,
    change_status,
)
from portal.services.outbox import queue_deliveries
from portal.services.retention import (
    NOT_SENT,
    period_in_words,
    recent_retention_runs,
    run_daily_retention,
    run_retention,
)
from portal.services.school_leads import Actor, record_outcome
from portal.services.transport import Answer
from tests.support.factories import make_lead, make_program

NOW = datetime(2031, 12, 1, 9, 0, tzinfo=UTC)
DAYS = 1826
CUTOFF = NOW - timedelta(days=DAYS)
ERASED = {
    "first_name",
    "last_name",
    "email",
    "phone_e164",
    "ip_address",
    "user_agent",
    "page_url",
    "referrer",
    "consent_receipt",
}
ADMIN = Editor("admin@example.com")


def columns(lead_id: int) -> dict:
    """Every column of a lead as stored now."""
    db.session.expire_all()
    lead = db.session.get(Lead, lead_id)
    return {c.key: getattr(lead, c.key) for c in inspect(Lead).column_attrs}


def every_row() -> dict:
    """Every row of the tables retention touches, as text, to compare before and after."""
    db.session.expire_all()
    tables = (Lead, LeadNote, LeadStatusChange, LeadReturn, Delivery, DeliveryAttempt)
    return {
        model.__name__: sorted(
            str({c.key: getattr(row, c.key) for c in inspect(model).column_attrs})
            for row in db.session.scalars(select(model))
        )
        for model in tables
    }


def run(**options) -> RetentionRun:
    """A retention run at NOW from the command line."""
    return run_retention(NOW, DAYS, "shell:tester", **options)


@pytest.fixture
def program(app):
    with app.app_context():
        return make_program().id


def old_lead(program_id: int, age: timedelta = timedelta(days=DAYS, seconds=1), **fields) -> int:
    """A lead that arrived `age` before NOW (by default one second past the period)."""
    from portal.models import Program

    program = db.session.get(Program, program_id)
    return make_lead(program, created_at=NOW - age, **fields).id


def test_a_lead_just_past_the_period_is_erased_one_just_within_is_kept(app, program):
    with app.app_context():
        past = old_lead(program)
        at_cutoff = old_lead(program, timedelta(days=DAYS))
        within = old_lead(program, timedelta(days=DAYS) - timedelta(seconds=1))
        done = run()
        assert done.leads_erased == 1
        assert columns(past)["erased_at"] is not None and columns(past)["email"] is None
        for kept in (at_cutoff, within):
            assert columns(kept)["erased_at"] is None
            assert columns(kept)["email"].endswith("@example.com")


def test_exactly_the_personal_details_are_erased_and_everything_else_is_kept(app, program):
    with app.app_context():
        lead_id = old_lead(
            program,
            status="exported",
            exported_at=CUTOFF - timedelta(days=1),
            consent_receipt="eyJhbGciOiJFZERTQSJ9.eyJpcCI6IjIwMy4wLjExMy43In0.c2ln",
            receipt_id="a" * 32,
            form_sha256="f" * 64,
            email_sha256=email_sha256("ada@example.com"),
            phone_sha256=phone_sha256("+13125550100"),
            outcome="enrolled",
            outcome_on=(CUTOFF - timedelta(days=3)).date(),
            gpc=True,
        )
        before = columns(lead_id)
        assert all(before[name] for name in ERASED)
        run()
        after = columns(lead_id)
    assert {name for name in before if before[name] != after[name]} == ERASED | {"erased_at"}
    assert all(after[name] is None for name in ERASED)
    assert after["erased_at"] >= NOW - timedelta(seconds=1)
    # What accounting and statistics need, and the hashes, are there as they were.
    for kept in (
        "school_id",
        "program_id",
        "price_cents",
        "status",
        "billable",
        "created_at",
        "consented_at",
        "exported_at",
        "outcome",
        "consent_sha256",
        "form_sha256",
        "email_sha256",
        "phone_sha256",
        "receipt_id",
        "zip_code",
        "state",
    ):
        assert after[kept] == before[kept] and after[kept] is not None, kept


@pytest.fixture
def tied(app):
    """An old lead and a recent one, each with notes, a status change with a note, a return
    with texts, a delivered attempt with an answer and a delivery still waiting."""
    with app.app_context():
        ids = {}
        for name, age in (("old", timedelta(days=DAYS + 40)), ("new", timedelta(days=40))):
            lead_id = old_lead(make_program().id, age)  # a school each
            lead = db.session.get(Lead, lead_id)
            on = lead.created_at.date() + timedelta(days=2)
            record_outcome(lead.school_id, lead_id, "contacted", on, Actor("staff"), NOW.date())
            returned = request_return(
                lead.school_id,
                lead_id,
                "other",
                "Says she is Ada, not Eve",
                Actor("staff"),
                lead.created_at + timedelta(days=1),
                30,
            )
            decide_return(returned.id, False, "Ada confirmed by phone", ADMIN, NOW)
            add_note(lead_id, "Called Ada on +1 312 555 0100", ADMIN, NOW)
            change_status([lead_id], StatusChange("rejected", "test", "Ada says test"), ADMIN, NOW)
            change_status([lead_id], StatusChange("new"), ADMIN, NOW)
            add_email(lead.school_id, f"{name}@school.example")
            add_webhook(lead.school_id, f"https://{name}.example/hook", production=False)
            queue_deliveries(lead_id, lead.school_id, NOW)
            db.session.commit()
            first, second = db.session.scalars(
                select(Delivery.id).where(Delivery.lead_id == lead_id).order_by(Delivery.id)
            ).all()
            answer = Answer(200, '{"received": "ada@example.com"}', None, 5)
            record_attempt(first, answer, NOW, NOW, 30, timedelta(hours=72))
            ids[name] = lead_id
        return ids


def counted(done: RetentionRun) -> tuple:
    """A run's counts: leads, notes, status notes, return texts, excerpts, deliveries."""
    return (
        done.leads_erased,
        done.notes_deleted,
        done.status_notes_erased,
        done.return_texts_erased,
        done.excerpts_erased,
        done.deliveries_cancelled,
    )


def related(lead_id: int) -> dict:
    """What is tied to a lead, as the retention run leaves it."""
    db.session.expire_all()
    deliveries = db.session.scalars(
        select(Delivery).where(Delivery.lead_id == lead_id).order_by(Delivery.id)
    ).all()
    return {
        "notes": db.session.scalars(select(LeadNote.body).where(LeadNote.lead_id == lead_id)).all(),
        "status": db.session.execute(
            select(LeadStatusChange.to_status, LeadStatusChange.note)
            .where(LeadStatusChange.lead_id == lead_id)
            .order_by(LeadStatusChange.id)
        ).all(),
        "return": db.session.execute(
            select(LeadReturn.status, LeadReturn.text, LeadReturn.decision_note).where(
                LeadReturn.lead_id == lead_id
            )
        ).one(),
        "excerpts": db.session.scalars(
            select(DeliveryAttempt.response_excerpt).where(
                DeliveryAttempt.delivery_id.in_([d.id for d in deliveries])
            )
        ).all(),
        "deliveries": [(d.status, d.last_error) for d in deliveries],
    }


def test_what_is_tied_to_an_erased_lead_goes_with_it(app, tied):
    with app.app_context():
        recent_before = related(tied["new"])
        done = run()
        counts = counted(done)
        old, recent = related(tied["old"]), related(tied["new"])
    # Notes (the admin's, and the return's decision note) deleted; the status history and the
    # return stay without their words; the answer excerpt cleared; the waiting delivery failed.
    assert old["notes"] == []
    assert old["status"] == [("rejected", None), ("new", None)]
    assert old["return"] == ("denied", "", "")
    assert old["excerpts"] == [""]
    assert old["deliveries"] == [("delivered", None), ("failed", NOT_SENT)]
    assert recent == recent_before
    assert "Ada" in " ".join(recent["notes"]) and recent["deliveries"][1][0] == "pending"
    assert counts == (1, 2, 1, 1, 1, 1)


def test_a_dry_run_changes_nothing_but_counts_and_is_recorded(app, tied):
    with app.app_context():
        before = every_row()
        dry = run(dry_run=True)
        assert every_row() == before
        assert (dry.dry_run, dry.state, dry.source, dry.actor) == (
            True,
            "complete",
            "cli",
            "shell:tester",
        )
        real = run()
        assert counted(dry) == counted(real) == (1, 2, 1, 1, 1, 1)
        assert recent_retention_runs() == [real, dry]


def test_runs_are_recorded_and_a_second_run_erases_nothing_again(app, program):
    with app.app_context():
        ids = [old_lead(program, timedelta(days=DAYS + n)) for n in range(1, 6)]
        first = run(batch_size=2)  # three batches: 2, 2 and 1
        assert (first.state, first.leads_erased, first.retention_days) == ("complete", 5, DAYS)
        assert first.cutoff == CUTOFF and first.started_at == NOW
        assert first.finished_at is not None and first.slot is None and not first.dry_run
        erased = {lead_id: columns(lead_id)["erased_at"] for lead_id in ids}
        second = run(batch_size=2)
        assert (second.state, second.leads_erased, second.notes_deleted) == ("complete", 0, 0)
        assert {lead_id: columns(lead_id)["erased_at"] for lead_id in ids} == erased
        assert db.session.scalar(select(func.count()).select_from(RetentionRun)) == 2


def test_two_runs_at_once_erase_each_lead_once(app, program):
    with app.app_context():
        for n in range(30):
            old_lead(program, timedelta(days=DAYS + 1 + n))
    done, start = [], threading.Barrier(2)

    def one_run():
        with app.app_context():
            start.wait()
            done.append(run(batch_size=3).leads_erased)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(done) == 30
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Lead.erased_at.is_(None))) == 0


def test_the_daily_run_happens_once_a_day_whoever_asks(app, program):
    with app.app_context():
        old_lead(program)
        first = run_daily_retention(NOW, DAYS)
        assert (first.source, first.slot, first.leads_erased) == ("worker", "2031-12-01", 1)
        assert run_daily_retention(NOW + timedelta(hours=23), DAYS) is None
        # A dry run does not count as the day's run.
        run_retention(NOW + timedelta(hours=25), DAYS, "shell:t", dry_run=True)
        later = run_daily_retention(NOW + timedelta(hours=25), DAYS)
        assert later is not None and later.slot == "2031-12-02"


def test_the_days_run_is_claimed_once_even_if_it_failed(app, program):
    with app.app_context():
        db.session.add(
            RetentionRun(
                started_at=NOW,
                state="failed",
                source="worker",
                actor="delivery worker",
                slot="2031-12-01",
                retention_days=DAYS,
                cutoff=CUTOFF,
            )
        )
        db.session.commit()
        assert run_daily_retention(NOW + timedelta(hours=1), DAYS) is None


def test_workers_asking_at_the_same_moment_make_one_run(app, program):
    with app.app_context():
        old_lead(program)
    made, start = [], threading.Barrier(4)

    def ask():
        with app.app_context():
            start.wait()
            found = run_daily_retention(NOW, DAYS)
            made.append(found.id if found else None)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([run_id for run_id in made if run_id]) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RetentionRun)) == 1


def test_an_erased_lead_takes_no_notes_but_its_status_can_change(app, program):
    with app.app_context():
        lead_id = old_lead(program)
        run()
        with pytest.raises(InvalidNote, match="erased"):
            add_note(lead_id, "Called her", ADMIN, NOW)
        with pytest.raises(InvalidStatusChange, match="erased"):
            change_status([lead_id], StatusChange("rejected", "test", "Ada"), ADMIN, NOW)
        outcome = change_status([lead_id], StatusChange("rejected", "test"), ADMIN, NOW)
        assert outcome.changed == [lead_id]
        assert db.session.scalar(select(func.count()).select_from(LeadNote)) == 0


def test_an_erased_lead_taken_back_is_compared_by_fingerprint_not_by_null(app, program):
    """Erased leads of different people all have NULL emails: taking one back must not make it
    a repeat of another; the same person's earlier lead still counts."""
    with app.app_context():
        old_lead(program, email_sha256=email_sha256("a@example.com"))
        second = old_lead(program, email_sha256=email_sha256("b@example.com"))
        again = old_lead(program, email_sha256=email_sha256("B@example.com "))
        change_status([second, again], StatusChange("rejected", "test"), ADMIN, NOW)
        run()
        assert change_status([second], StatusChange("new"), ADMIN, NOW).repeats == {}
        assert columns(second)["billable"] is True
        assert change_status([again], StatusChange("new"), ADMIN, NOW).repeats == {again: second}


def test_a_delivery_of_an_erased_lead_cannot_be_sent_again(app, tied):
    with app.app_context():
        run()
        delivered = db.session.scalar(
            select(Delivery.id).where(Delivery.lead_id == tied["old"], Delivery.status != "pending")
        )
        with pytest.raises(CannotRedeliver, match="erased"):
            redeliver(delivered, NOW)


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (1826, "five years"),
        (1825, "five years"),
        (365, "one year"),
        (730, "two years"),
        (3653, "ten years"),
        (4383, "12 years"),
        (400, "400 days"),
        (90, "90 days"),
        (1, "1 day"),
        (1500, "1,500 days"),
    ],
)
def test_the_period_in_words(days, words):
    assert period_in_words(days) == words


def test_a_run_asked_to_stop_ends_after_its_batch_and_says_so(app, program):
    with app.app_context():
        for n in range(3):
            old_lead(program, timedelta(days=DAYS + 1 + n))
        asked = iter([False, True])
        stopped = run(batch_size=2, should_stop=lambda: next(asked))
        assert (stopped.state, stopped.leads_erased) == ("stopped", 2)
        assert stopped.finished_at is not None
        assert run().leads_erased == 1  # the next run goes on from there
