"""The direction of imports between portal's parts (tests/import_graph.py states it)."""

import subprocess
import sys
from pathlib import Path

from tests import import_graph

ROOT = Path(__file__).resolve().parent.parent


def test_every_import_runs_the_stated_way():
    edges = import_graph.graph()
    wrong = import_graph.wrong_imports(edges)
    assert wrong - import_graph.KNOWN == set(), "imports against the direction"
    assert import_graph.KNOWN - wrong == set(), "listed as known but gone: take them off KNOWN"


def test_services_never_import_the_delivery_worker_and_delivery_uses_services():
    edges = import_graph.graph()
    services = {m: t for m, t in edges.items() if m.startswith("services")}
    assert not any(t.startswith("delivery") for ts in services.values() for t in ts)
    assert any(t.startswith("services") for t in edges["delivery.worker"])


def test_a_wrong_import_is_caught(tmp_path):
    edges = {
        "services.leads": {"delivery.send", "models"},
        "models.lead": {"services.leads"},
        "admin.views": {"school.views", "services.leads"},
        "delivery.send": {"services.events"},
    }
    assert import_graph.wrong_imports(edges) >= {
        ("services.leads", "delivery.send"),
        ("models.lead", "services.leads"),
        ("admin.views", "school.views"),
    }
    assert ("delivery.send", "services.events") not in import_graph.wrong_imports(edges)


def test_the_script_prints_the_graph_and_exits_zero():
    done = subprocess.run(
        [sys.executable, "tests/import_graph.py"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "delivery    -> " in done.stdout
    assert "services    -> " in done.stdout
