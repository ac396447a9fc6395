"""`make run`'s launcher (scripts/serve) starts the web server and the task worker, and stops both:
/healthz shows the worker seen, and no process of either is left once it stops."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from portal import migrate

ROOT = Path(__file__).resolve().parents[2]
STARTED = re.compile(r"serve: (worker|server) started \(pid (\d+)\)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _health(base: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
            return json.load(response)
    except OSError:
        return None


def _gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def launcher(tmp_path):
    """scripts/serve on a free port against a fresh SQLite database in a temporary instance folder."""
    database = f"sqlite:///{tmp_path}/portal.db"
    migrate.upgrade(database)
    port = _free_port()
    env = {**os.environ, "TONGXIN_ENV": "development", "TONGXIN_INSTANCE": str(tmp_path), "DATABASE_URL": database,
           "HUEY_IMMEDIATE": "0", "PUBLIC_URL": f"http://127.0.0.1:{port}"}
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "scripts/serve", "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        yield process, base, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def _wait_for_worker(process, base: str, log: Path) -> dict:
    """Poll /healthz until the worker has been seen (or the launcher ended, or a minute passed)."""
    for _attempt in range(240):
        report = _health(base)
        if report and report.get("worker_last_seen"):
            return report
        try:
            process.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"the launcher ended early:\n{log.read_text()}")
    pytest.fail(f"the worker was never seen:\n{log.read_text()}")


def _children(log: Path) -> dict[str, int]:
    return {name: int(pid) for name, pid in STARTED.findall(log.read_text())}


def test_make_run_serves_pages_with_the_worker_and_stops_both(launcher):
    process, base, log = launcher
    report = _wait_for_worker(process, base, log)
    assert report["status"] == "ok" and report["worker_last_seen"]
    children = _children(log)
    assert set(children) == {"worker", "server"}

    process.send_signal(signal.SIGINT)  # Ctrl-C on `make run`
    assert process.wait(timeout=30) == 0
    assert all(_gone(pid) for pid in children.values()), log.read_text()
    assert _health(base) is None

