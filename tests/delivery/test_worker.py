"""The worker as a process: it picks up new leads by itself, finishes its attempt on SIGTERM,
and, on PostgreSQL, with two workers, a SIGKILL or a receiver down all along, every lead is
delivered (twice only ever under the same webhook-id)."""

from collections import Counter

import pytest

from tests.delivery.conftest import deliveries, webhook
from tests.delivery.processes import WorkerProcess, capture, count_deliveries, wait_until
from tests.delivery.receiver import Receiver, Reply, verify
from tests.support.servers import free_port
from tests.support.settings import POSTGRES_ONLY

# Quick retries and a short lease: a killed worker's deliveries are free again in 6 s.
FAST = {"DELIVERY_RETRY_BASE_SECONDS": "0.2", "DELIVERY_TIMEOUT_SECONDS": "1"}


@pytest.fixture
def workers(database_url, tmp_path):
    """Start worker processes on the test database; all are stopped at the end."""
    started: list[WorkerProcess] = []

    def start(*args: str, **settings: str) -> WorkerProcess:
        log = tmp_path / f"worker-{len(started)}.log"
        process = WorkerProcess(database_url, log, **(FAST | settings)).start(*args)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def test_a_running_worker_picks_up_a_new_lead_and_stops_after_its_attempt_on_sigterm(
    app, listing, receiver, workers
):
    _, secret = webhook(app, listing["school_id"], receiver.url())
    receiver.answer(Reply(200, delay=1.0))  # still answering when SIGTERM comes
    worker = workers(DELIVERY_TIMEOUT_SECONDS="5")
    with app.app_context():
        capture(listing["program_id"], 1)
    [request] = receiver.wait_for(1)
    assert worker.terminate() == 0
    assert verify(request, secret)["type"] == "lead.created"
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts) == ("delivered", 1)


def test_deliver_once_exits_when_nothing_is_due(app, listing, receiver, workers):
    webhook(app, listing["school_id"], receiver.url())
    with app.app_context():
        capture(listing["program_id"], 3)
    worker = workers("--once")
    assert worker.process.wait(timeout=60) == 0
    assert len(receiver.requests) == 3
    assert count_deliveries(app, "delivered") == 3


@POSTGRES_ONLY
def test_two_workers_deliver_200_leads_each_exactly_once(app, listing, receiver, workers):
    _, secret = webhook(app, listing["school_id"], receiver.url())
    workers(), workers()
    with app.app_context():
        capture(listing["program_id"], 200)
    assert wait_until(lambda: count_deliveries(app, "delivered") == 200)
    ids = Counter(r.headers["webhook-id"] for r in receiver.requests)
    assert len(ids) == 200 and set(ids.values()) == {1}
    assert len({verify(r, secret)["data"]["lead_id"] for r in receiver.requests}) == 200


@POSTGRES_ONLY
def test_a_worker_killed_mid_run_loses_nothing(app, listing, workers):
    receiver = Receiver(default=Reply(200, delay=0.02))
    try:
        _, secret = webhook(app, listing["school_id"], receiver.url())
        first = workers()
        with app.app_context():
            capture(listing["program_id"], 200)
        receiver.wait_for(40)
        first.kill()  # SIGKILL, attempts in flight
        workers()  # the restart
        assert wait_until(lambda: count_deliveries(app, "delivered") == 200)
        by_id: dict[str, set[bytes]] = {}
        for request in receiver.requests:
            verify(request, secret)
            by_id.setdefault(request.headers["webhook-id"], set()).add(request.body)
        assert len(by_id) == 200  # every lead arrived
        assert all(len(bodies) == 1 for bodies in by_id.values())  # repeats: same id, same body
        assert {d.webhook_id for d in deliveries(app)} == set(by_id)
        print(f"\n{len(receiver.requests) - 200} repeat(s) after the kill, each under its id")
    finally:
        receiver.stop()


@POSTGRES_ONLY
def test_a_receiver_down_for_the_whole_run_gets_everything_once_up(app, listing, workers):
    port = free_port()
    _, secret = webhook(app, listing["school_id"], f"http://127.0.0.1:{port}/hooks/leads")
    workers(), workers()
    with app.app_context():
        capture(listing["program_id"], 50)
    assert wait_until(lambda: all(d.attempts >= 2 for d in deliveries(app)))
    assert count_deliveries(app, "delivered") == 0
    receiver = Receiver(port=port)
    try:
        assert wait_until(lambda: count_deliveries(app, "delivered") == 50)
        ids = Counter(r.headers["webhook-id"] for r in receiver.requests)
        assert len(ids) == 50 and set(ids.values()) == {1}
        for request in receiver.requests:
            verify(request, secret)
    finally:
        receiver.stop()


def test_a_slow_school_does_not_hold_up_another_schools_lead(app, listing):
    import threading

    from portal.delivery.worker import PER_DESTINATION, Worker
    from tests.support.factories import make_program, make_school

    app.config["DELIVERY_TIMEOUT_SECONDS"] = 10
    slow = Receiver(default=Reply(200, delay=1.0))
    fast = Receiver()
    try:
        webhook(app, listing["school_id"], slow.url())
        with app.app_context():
            other = make_program(make_school("Prairie Health College"), zip_code="60601")
            other_program, other_school = other.id, other.school_id
        webhook(app, other_school, fast.url())
        with app.app_context():
            capture(listing["program_id"], 3 * PER_DESTINATION)  # queued first: a backlog
            capture(other_program, 1)
        worker = Worker(app)
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        try:
            [request] = fast.wait_for(1)
            # The other school's lead went out in the first round, beside the slow school's
            # first few attempts, not after its whole backlog.
            assert len(slow.requests) <= PER_DESTINATION
            assert count_deliveries(app, "delivered") < 3 * PER_DESTINATION
        finally:
            worker.stop()
            thread.join(timeout=30)
        assert request.headers["webhook-id"]
    finally:
        slow.stop()
        fast.stop()
