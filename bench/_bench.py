"""What every benchmark shares. Import it before anything from the portal:

    import _bench  # noqa: F401  (first: sets the environment the portal reads)

It puts the repository on the path, points the portal at a temporary instance folder (never a
developer's own) in test mode with tasks run in-process, and gives the database to measure on.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

INSTANCE = tempfile.mkdtemp(prefix="tongxin-bench-")
os.environ["TONGXIN_ENV"] = "testing"
os.environ["TONGXIN_INSTANCE"] = INSTANCE
os.environ.setdefault("HUEY_IMMEDIATE", "1")


def fresh_database_url(url: str | None = None) -> str:
    """``url`` (or DATABASE_URL) when it names an empty database, else a new SQLite file in the
    temporary folder. A database that holds anything is refused: benchmarks fill what they get."""
    from sqlalchemy import inspect

    from portal import db

    url = url or os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE}/bench.db"
    engine = db.make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise SystemExit(
            f"the database already has tables ({', '.join(sorted(tables)[:5])}…): "
            "the benchmark needs an empty database of its own"
        )
    return url


def cleanup() -> None:
    shutil.rmtree(INSTANCE, ignore_errors=True)


def timed(fn, *, min_reps: int, max_reps: int, budget_seconds: float, warmup: int = 0, digits: int = 2) -> dict:
    """Run ``fn`` repeatedly (at least ``min_reps`` times, then until ``max_reps`` runs or the
    time budget); milliseconds per call as p50/p95/min and how many runs."""
    import statistics
    import time

    for _ in range(warmup):
        fn()
    samples = []
    started = time.perf_counter()
    while len(samples) < max_reps and (len(samples) < min_reps or time.perf_counter() - started < budget_seconds):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "p50": round(statistics.median(samples), digits),
        "p95": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], digits),
        "min": round(samples[0], digits),
        "runs": len(samples),
    }


def log(line: str = "") -> None:
    print(line, flush=True)


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def load_demo(app, scale: str) -> float:
    """Run ``flask demo-data --scale SCALE`` through the CLI runner; seconds taken."""
    import time

    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(args=["demo-data", "--scale", scale])
    seconds = time.perf_counter() - started
    for line in result.output.splitlines():
        log(f"  demo-data: {line}")
    if result.exit_code != 0:
        cause = str(result.exception or f"exit code {result.exit_code}").strip().splitlines()[0]
        raise SystemExit(f"demo-data --scale {scale} failed: {type(result.exception).__name__}: {cause}")
    return seconds


def migrated_app(database_url: str | None):
    """The portal on a fresh, migrated database (``database_url`` when it names an empty one), as
    the benchmarks measure it: tasks in-process, no mail server, rate limits reset."""
    from portal import create_app, migrate
    from portal.config import Config
    from portal.extensions import limiter

    url = fresh_database_url(database_url)
    migrate.upgrade(url)
    app = create_app(Config(SQLALCHEMY_DATABASE_URI=url, HUEY_IMMEDIATE=True, SESSION_COOKIE_SECURE=False,
                            MAIL_SERVER=None, PUBLIC_URL="https://portal.test"))
    limiter.reset()
    return app, url
