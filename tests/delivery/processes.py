"""`flask --app wsgi deliver` as a real process (what an operator runs beside gunicorn), and
leads captured the way the form captures them."""

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Delivery, Program, utcnow
from portal.services.leads import (
    Attribution,
    ConsentEvidence,
    Visitor,
    capture_lead,
    consent_sha256,
    consent_text,
)
from tests.support.servers import ROOT


class WorkerProcess:
    """A delivery worker in its own process, on the given database."""

    def __init__(self, database_url: str, log_path, **settings: str):
        self.env = {
            **os.environ,
            "PORTAL_ENV": "testing",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "INFO",
            **settings,
        }
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, *args: str) -> "WorkerProcess":
        """Start `flask --app wsgi deliver ARGS`."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "deliver", *args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, then wait for it to finish its attempts and exit; its exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL: gone at once, mid-attempt or not."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Make sure it is gone (end of a test)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def capture(program_id: int, count: int, tag: str = "p") -> list[int]:
    """Capture `count` leads for a listing as the form does; their ids."""
    program = db.session.get(Program, program_id)
    disclosure_hash = consent_sha256(consent_text(program.school.name))
    ids = []
    for n in range(count):
        visitor = Visitor(
            first_name="Load",
            last_name="Test",
            email=f"{tag}{n}@example.com",
            phone_e164="+13125550142",
            zip_code="60601",
            education_level="high_school",
            start_timeframe="immediately",
        )
        consent = ConsentEvidence(disclosure_hash, utcnow(), "203.0.113.9", "test", "http://x/")
        ids.append(capture_lead(program_id, visitor, consent, Attribution()).lead_id)
    return ids


def wait_until(condition, timeout: float = 60, every: float = 0.1) -> bool:
    """Poll until condition() holds or the time is up (a bound, not a measurement)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def count_deliveries(app, status: str) -> int:
    """How many deliveries have this status."""
    with app.app_context():
        found = db.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.status == status)
        )
        db.session.remove()
        return found
