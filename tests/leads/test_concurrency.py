"""Many requests at once, from threads, on SQLite (WAL) and PostgreSQL: none lost, caps kept."""

import threading

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Lead, Program
from tests.support.leads import GOOD_ANSWERS, form_url, listing, open_form

THREADS = 30


def submit_together(app, program_id: int, emails: list[str]) -> list[int]:
    """Each thread opens the form, waits for the others, then posts; returns the statuses."""
    barrier = threading.Barrier(len(emails))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def visitor(email: str) -> None:
        try:
            client = app.test_client()
            form = open_form(client, program_id)
            barrier.wait(timeout=30)
            response = client.post(
                form_url(program_id), data={**form, **GOOD_ANSWERS, "email": email}
            )
            statuses.append(response.status_code)
        except BaseException as error:  # reported below, so a thread cannot fail silently
            errors.append(error)

    threads = [threading.Thread(target=visitor, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(statuses) == len(emails)
    return statuses


def billable_and_counter(app, program_id: int) -> tuple[int, int, int]:
    """(billable leads, all leads, the sponsorship's day counter) for a listing."""
    with app.app_context():
        count = select(func.count()).select_from(Lead).where(Lead.program_id == program_id)
        billable = db.session.scalar(count.where(Lead.billable.is_(True)))
        total = db.session.scalar(count)
        return billable, total, db.session.get(Program, program_id).sponsorship.day_count


def test_simultaneous_requests_are_all_stored(app):
    program_id = listing(app)
    statuses = submit_together(app, program_id, [f"v{i}@example.com" for i in range(THREADS)])
    assert statuses == [303] * THREADS
    assert billable_and_counter(app, program_id) == (THREADS, THREADS, THREADS)


def test_simultaneous_requests_never_break_a_daily_cap(app):
    cap = 7
    program_id = listing(app, daily_cap=cap)
    statuses = submit_together(app, program_id, [f"v{i}@example.com" for i in range(THREADS)])
    assert sorted(statuses) == [303] * cap + [409] * (THREADS - cap)
    assert billable_and_counter(app, program_id) == (cap, cap, cap)


def test_a_cap_of_one_more_admits_exactly_one(app):
    program_id = listing(app, daily_cap=1, monthly_cap=1)
    statuses = submit_together(app, program_id, [f"v{i}@example.com" for i in range(THREADS)])
    assert sorted(statuses) == [303] + [409] * (THREADS - 1)
    assert billable_and_counter(app, program_id) == (1, 1, 1)


def test_the_same_email_at_once_is_billed_once(app):
    program_id = listing(app)
    statuses = submit_together(app, program_id, ["same@example.com"] * 20)
    assert statuses == [303] * 20
    assert billable_and_counter(app, program_id) == (1, 20, 1)
