"""The delivery worker also runs retention: once a day per deployment (however many workers),
on a thread of its own, so deliveries never wait for it."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from portal.delivery.worker import Worker
from portal.extensions import db
from portal.models import Lead, Program, RetentionRun, utcnow
from portal.services.retention import run_daily_retention
from tests.delivery.conftest import deliver, webhook
from tests.delivery.processes import WorkerProcess, capture
from tests.support.factories import make_lead


def old_lead(app, program_id: int) -> int:
    """A lead an hour past the retention period (no delivery: it went out years ago)."""
    with app.app_context():
        program = db.session.get(Program, program_id)
        age = timedelta(days=app.config["LEAD_RETENTION_DAYS"], hours=1)
        return make_lead(program, created_at=utcnow() - age, first_name="Eleanor").id


def runs(app) -> list[tuple]:
    """Every retention run: source, slot, state and leads erased."""
    with app.app_context():
        found = db.session.execute(
            select(
                RetentionRun.source,
                RetentionRun.slot,
                RetentionRun.state,
                RetentionRun.leads_erased,
            ).order_by(RetentionRun.id)
        ).all()
        db.session.remove()
        return [tuple(row) for row in found]


def first_name(app, lead_id: int) -> str | None:
    """The lead's first name as stored now."""
    with app.app_context():
        name = db.session.scalar(select(Lead.first_name).where(Lead.id == lead_id))
        db.session.remove()
        return name


def test_the_worker_runs_retention_once_a_day_beside_its_deliveries(app, runner, listing, receiver):
    webhook(app, listing["school_id"], receiver.url())
    old = old_lead(app, listing["program_id"])
    with app.app_context():
        [fresh] = capture(listing["program_id"], 1)
    output = deliver(runner)
    assert "Deliveries: 1 delivered" in output
    assert "Retention: daily run #1 complete, 1 leads' details erased." in output
    [request] = receiver.requests
    assert f'"lead_id":{fresh},' in request.body.decode()
    assert first_name(app, old) is None and first_name(app, fresh) == "Load"
    today = utcnow().date().isoformat()
    assert runs(app) == [("worker", today, "complete", 1)]
    # The next look, by this worker or another, finds today's run done.
    again = old_lead(app, listing["program_id"])
    assert "Retention" not in deliver(runner)
    assert runs(app) == [("worker", today, "complete", 1)]
    assert first_name(app, again) == "Eleanor"


def test_deliveries_go_on_while_the_daily_run_is_under_way(app, listing, receiver):
    webhook(app, listing["school_id"], receiver.url())
    old = old_lead(app, listing["program_id"])
    with app.app_context():
        capture(listing["program_id"], 2)
    under_way, release = threading.Event(), threading.Event()

    def slow_retention(*args, **kwargs):
        """The real daily run, held until the test has seen the deliveries arrive."""
        under_way.set()
        release.wait(60)
        return run_daily_retention(*args, **kwargs)

    worker = Worker(app, retention=slow_retention)
    thread = threading.Thread(target=worker.run, kwargs={"once": True})
    thread.start()
    try:
        assert under_way.wait(60)
        assert len(receiver.wait_for(2)) == 2  # both delivered while retention waits
        assert runs(app) == []
    finally:
        release.set()
        thread.join(60)
    assert worker.stats.delivered == 2
    assert [run[2:] for run in runs(app)] == [("complete", 1)]
    assert first_name(app, old) is None


def test_two_workers_starting_together_make_one_run(app, database_url, listing, tmp_path):
    old = old_lead(app, listing["program_id"])
    workers = [
        WorkerProcess(database_url, tmp_path / f"worker-{n}.log").start("--once") for n in (1, 2)
    ]
    try:
        assert [worker.process.wait(timeout=120) for worker in workers] == [0, 0]
    finally:
        for worker in workers:
            worker.stop()
    assert [run[0] for run in runs(app)] == ["worker"]
    assert first_name(app, old) is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Lead.erased_at.is_not(None))) == 1
