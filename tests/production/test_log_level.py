"""LOG_LEVEL in lower case, as gunicorn.conf.py itself writes it for gunicorn, boots the
workers (it stopped them with "Unknown level: 'info'")."""

import pytest

from tests.support.servers import Gunicorn, get

pytestmark = [pytest.mark.production, pytest.mark.xdist_group("production")]


@pytest.mark.parametrize("level", ["info", "Warning"])
def test_a_log_level_in_any_case_boots_the_workers(production_site, tmp_path, level):
    server = Gunicorn(production_site.env | {"LOG_LEVEL": level}, log=str(tmp_path / "g.log"))
    server.start()  # raises unless /healthz answers: a worker that cannot boot never does
    try:
        assert get(server.port, "/healthz") == 200
        assert len(server.worker_pids()) == 2
    finally:
        server.stop()
    assert "Unknown level" not in (tmp_path / "g.log").read_text()
