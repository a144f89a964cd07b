"""The delivery worker behind `flask --app wsgi deliver`: claims due deliveries from the outbox
and sends them on a small pool of threads, until SIGTERM (or, with --once, until nothing is
due any more).

- Wake-up: on PostgreSQL a listener connection hears NOTIFY portal_delivery (sent when a lead
  is queued or redelivered) and wakes the claim loop at once (it still looks every second, in
  case a notification was missed); SQLite has no NOTIFY, and its loop looks every 0.25 s.
- Fairness: each destination may have at most PER_DESTINATION attempts in flight in this
  worker (1 once its last attempt failed), so endpoints that hang use a thread each at most
  and every other school's deliveries go on in the other threads.
- Stopping: SIGTERM or SIGINT stops the claiming; attempts in flight finish and are recorded,
  then the process exits. A worker killed outright leaves its leases to run out, and the
  deliveries are tried again, with the same webhook-id, by whichever worker comes next.
- Retention: a thread of its own starts the daily retention run when one is due (at start,
  then every RETENTION_CHECK_SECONDS; portal.services.retention keeps it to one a day across
  workers), so deliveries never wait for it. Stopping ends it after its current batch.
- Roll-up: as days end, the worker also counts them into the daily roll-up the dashboard and
  the schools' figures read (portal.services.rollup), looking once a minute.
- Logs carry ids, statuses and errors only, never a lead's data.
"""

import logging
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask

from portal.delivery.send import send_lead
from portal.extensions import db
from portal.models import utcnow
from portal.services.deliveries import (
    CHANNEL,
    Claimed,
    claim_due,
    lease_seconds,
    next_due,
    prepare,
    record_attempt,
)
from portal.services.retention import run_daily_retention
from portal.services.rollup import count_ended_days
from portal.services.transport import Answer, DeliverySettings

log = logging.getLogger("portal.delivery")

# How often the claim loop looks for due deliveries when nothing woke it: SQLite has no
# NOTIFY, so it looks often; on PostgreSQL the listener wakes it, and this is a fallback.
POLL_SECONDS = 0.25
LISTENING_POLL_SECONDS = 1.0
PER_DESTINATION = 4
# How often the retention thread asks whether the daily run is due (a cheap query).
RETENTION_CHECK_SECONDS = 900.0
# How often the worker looks for ended days to count into the roll-up.
ROLLUP_SECONDS = 60.0


@dataclass
class Stats:
    """What a worker did, for its exit line and the tests."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0
    errors: int = 0
    outcomes: dict = field(default_factory=dict)
    # The daily retention runs it made: (run id, state, leads erased).
    retention_runs: list = field(default_factory=list)


class Worker:
    """Claims and sends deliveries for one app until stopped."""

    def __init__(
        self,
        app: Flask,
        threads: int | None = None,
        retention: Callable = run_daily_retention,
    ):
        self.app = app
        self.retention = retention  # the daily run (portal.services.retention)
        self.settings = DeliverySettings.from_config(app.config)
        self.threads = max(1, threads or app.config["DELIVERY_WORKER_THREADS"])
        self.lease = lease_seconds(self.settings.timeout)
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.lock = threading.Lock()
        self.in_flight: dict[int, int] = {}  # destination id -> attempts running
        self.failing: set[int] = set()  # destinations whose last attempt here failed
        self.running = 0
        self.listening = False
        self.stats = Stats()
        self.next_rollup = 0.0  # time.monotonic() of the next look; 0: at once

    def stop(self, *_args) -> None:
        """Stop claiming; attempts in flight finish."""
        self.stopping.set()
        self.wake.set()

    def install_signal_handlers(self) -> dict:
        """SIGTERM and SIGINT stop the worker gracefully; returns the handlers they replace."""
        return {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}

    @staticmethod
    def restore_signal_handlers(previous: dict) -> None:
        """Put back the handlers install_signal_handlers replaced."""
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    def run(self, once: bool = False) -> Stats:
        """Claim and send until stopped (or, with once, until nothing is due)."""
        self.listening = not once and self._is_postgresql()
        if self.listening:
            threading.Thread(target=self._listen, daemon=True, name="delivery-listen").start()
        log.info("delivery worker started (%s threads)", self.threads)
        retention = threading.Thread(
            target=self._retention_loop, args=(once,), daemon=True, name="retention"
        )
        retention.start()
        with ThreadPoolExecutor(self.threads, thread_name_prefix="delivery") as pool:
            while not self.stopping.is_set():
                self.wake.clear()
                self._roll_up()
                claimed = self._claim()
                for job in claimed:
                    pool.submit(self._attempt, job)
                if claimed:
                    continue
                if once and self.running == 0 and not self._due_now():
                    break
                self.wake.wait(self._sleep_seconds(once))
        retention.join()
        log.info(
            "delivery worker stopped: %s delivered, %s to retry, %s failed",
            self.stats.delivered,
            self.stats.retried,
            self.stats.failed,
        )
        return self.stats

    def _retention_loop(self, once: bool) -> None:
        """Start the daily retention run whenever it is due, until stopped (once: look once)."""
        while not self.stopping.is_set():
            self._retention_if_due()
            if once or self.stopping.wait(RETENTION_CHECK_SECONDS):
                return

    def _retention_if_due(self) -> None:
        """One look: run retention if it is due. A failure is logged; the run, recorded as
        failed, holds its day, and the next day's run takes up what it left."""
        try:
            with self.app.app_context():
                run = self.retention(
                    utcnow(),
                    self.app.config["LEAD_RETENTION_DAYS"],
                    should_stop=self.stopping.is_set,
                )
                if run is None:
                    return
                run_id, state, erased = run.id, run.state, run.leads_erased
        except Exception:
            log.exception("the daily retention run failed (see portal.services.retention)")
            return
        with self.lock:
            self.stats.retention_runs.append((run_id, state, erased))
        log.info("retention run %s %s: %s leads' details erased", run_id, state, erased)

    def _is_postgresql(self) -> bool:
        with self.app.app_context():
            return db.engine.dialect.name == "postgresql"

    def _claim(self) -> list[Claimed]:
        """Lease as many due deliveries as there are free threads (none while stopping)."""
        with self.lock:
            free = self.threads - self.running
            capacity = {
                dest: (1 if dest in self.failing else PER_DESTINATION) - running
                for dest, running in self.in_flight.items()
            }
        if free <= 0 or self.stopping.is_set():
            return []
        try:
            with self.app.app_context():
                claimed = claim_due(utcnow(), self.lease, capacity, free, PER_DESTINATION)
        except Exception:
            log.exception("claiming deliveries failed; trying again shortly")
            time.sleep(POLL_SECONDS)
            return []
        with self.lock:
            for job in claimed:
                self.running += 1
                self.in_flight[job.destination_id] = self.in_flight.get(job.destination_id, 0) + 1
        return claimed

    def _roll_up(self) -> None:
        """Count the days that have ended into the roll-up, once a minute (a year's worth on
        a first run, a month per transaction)."""
        if time.monotonic() < self.next_rollup:
            return
        self.next_rollup = time.monotonic() + ROLLUP_SECONDS
        try:
            with self.app.app_context():
                counted = count_ended_days(utcnow())
        except Exception:
            log.exception("counting the roll-up failed; trying again in a minute")
            return
        if counted:
            log.info("roll-up: %s day(s) counted", counted)
            self.next_rollup = 0.0  # more may wait: a month is counted per transaction

    def _due_now(self) -> bool:
        """Whether a delivery is due now (for --once)."""
        with self.app.app_context():
            due = next_due(utcnow())
            db.session.rollback()
        return due is not None and due <= utcnow()

    def _sleep_seconds(self, once: bool) -> float:
        """How long to wait for a wake-up before looking again."""
        if once:
            return 0.05
        return LISTENING_POLL_SECONDS if self.listening else POLL_SECONDS

    def _attempt(self, claimed: Claimed) -> None:
        """Send one claimed delivery and record the answer (runs on a pool thread)."""
        ok = False
        try:
            with self.app.app_context():
                ok = self._send_and_record(claimed)
        except Exception:
            with self.lock:
                self.stats.errors += 1
            log.exception("delivery %s: the attempt broke off", claimed.delivery_id)
            self._record_breakdown(claimed)
        finally:
            with self.lock:
                self.running -= 1
                left = self.in_flight.get(claimed.destination_id, 1) - 1
                if left > 0:
                    self.in_flight[claimed.destination_id] = left
                else:
                    self.in_flight.pop(claimed.destination_id, None)
                if ok:
                    self.failing.discard(claimed.destination_id)
                else:
                    self.failing.add(claimed.destination_id)
            self.wake.set()

    def _record_breakdown(self, claimed: Claimed) -> None:
        """Record an attempt that broke off inside the worker, so it is retried by the usual
        schedule rather than when its lease runs out (best effort: the lease is the fallback)."""
        answer = Answer(None, "", "the worker failed while sending (see its log)", 0)
        try:
            with self.app.app_context():
                now = utcnow()
                record_attempt(
                    claimed.delivery_id,
                    answer,
                    now,
                    now,
                    self.settings.retry_base,
                    timedelta(hours=self.settings.max_age_hours),
                )
        except Exception:
            log.exception("delivery %s: could not record the failure", claimed.delivery_id)

    def _send_and_record(self, claimed: Claimed) -> bool:
        """The attempt itself; True when the destination took it."""
        started = utcnow()
        job = prepare(claimed.delivery_id, started)
        if job is None:
            return True
        answer = send_lead(
            job.target, job.webhook_id, job.data, self.settings, started, event=job.event
        )
        outcome = record_attempt(
            claimed.delivery_id,
            answer,
            started,
            utcnow(),
            self.settings.retry_base,
            timedelta(hours=self.settings.max_age_hours),
        )
        status = answer.status if answer.status is not None else "-"
        with self.lock:
            if outcome is not None:
                self.stats.outcomes[outcome.status] = self.stats.outcomes.get(outcome.status, 0) + 1
            self.stats.delivered += outcome is not None and outcome.status == "delivered"
            self.stats.failed += outcome is not None and outcome.status == "failed"
            self.stats.retried += outcome is not None and outcome.status == "pending"
        if outcome is None:
            log.info("delivery %s: attempt recorded (already settled)", claimed.delivery_id)
        elif outcome.status == "delivered":
            log.info(
                "delivery %s to destination %s: delivered (status %s, %s ms)",
                claimed.delivery_id,
                claimed.destination_id,
                status,
                answer.duration_ms,
            )
        else:
            log.warning(
                "delivery %s to destination %s: %s (status %s), %s",
                claimed.delivery_id,
                claimed.destination_id,
                "failed" if outcome.status == "failed" else "will retry",
                status,
                "destination switched off (410 Gone)" if outcome.destination_disabled else "",
            )
        return answer.succeeded

    def _listen(self) -> None:
        """Wake the claim loop on each NOTIFY (PostgreSQL), reconnecting after errors."""
        import psycopg

        with self.app.app_context():
            url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self.stopping.is_set():
            try:
                with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.wake.set()  # anything queued while not listening
                    while not self.stopping.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self.wake.set()
            except psycopg.Error:
                log.warning("delivery listener lost its connection; polling meanwhile")
                self.stopping.wait(1.0)
