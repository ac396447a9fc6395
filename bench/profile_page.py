"""Where does one page's time go? Profiles a page in-process, one request at a time, on a database
that bench/pages.py loaded (same --state-dir / --database-url), and splits it into database and
Python time.

    .venv/bin/python bench/profile_page.py /board
    .venv/bin/python bench/profile_page.py /children/ --user demo-county --scale province \\
        --database-url postgresql+psycopg://…/db

Prints the functions with the most own time, then, last line, JSON: `ms_per_request` (p50 of the
timed runs, no profiler), `db_ms` (time inside the database driver's execute, p50) and
`python_ms` (the rest).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--user", default=None, help="a demo account to sign in as")
    parser.add_argument("--scale", choices=["small", "province"], default="small")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--state-dir", default=None)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime", help="a pstats sort key: tottime, cumulative …")
    parser.add_argument("--only", default=None, help="list only functions whose file path holds this text")
    args = parser.parse_args()

    from pages import state_folder  # bench/ is on the path: the script runs from it

    state = state_folder(args)
    if not (state / "loaded.json").exists():
        raise SystemExit(f"no database loaded by bench/pages.py in {state}: run it first")
    os.environ.update(TONGXIN_ENV="development", TONGXIN_INSTANCE=str(state / "instance"), HUEY_IMMEDIATE="1",
                      DATABASE_URL=args.database_url or os.environ.get("DATABASE_URL") or f"sqlite:///{state / 'bench.db'}",
                      SESSION_COOKIE_SECURE="0")
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import event

    from portal import create_app

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    if args.user:
        response = client.post("/login", data={"username": args.user, "password": "tongxin-demo"})
        if response.status_code != 302:
            raise SystemExit(f"could not sign in as {args.user}")
    in_db = [0.0]

    @event.listens_for(app.extensions["db_engine"], "before_cursor_execute")
    def _start(conn, *_a):
        conn.info["bench_t0"] = time.perf_counter()

    @event.listens_for(app.extensions["db_engine"], "after_cursor_execute")
    def _stop(conn, *_a):
        in_db[0] += time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())

    def get():
        response = client.get(args.path)
        if response.status_code != 200:
            raise SystemExit(f"{args.path} answered {response.status_code}")

    for _ in range(5):
        get()
    totals, dbs = [], []
    for _ in range(args.runs):
        in_db[0] = 0.0
        t0 = time.perf_counter()
        get()
        totals.append((time.perf_counter() - t0) * 1000)
        dbs.append(in_db[0] * 1000)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.runs):
        get()
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats(args.sort)
    if args.only:
        stats.print_stats(args.only, args.top)
    else:
        stats.print_stats(args.top)
    total, db = statistics.median(totals), statistics.median(dbs)
    print(json.dumps({"path": args.path, "user": args.user, "ms_per_request": round(total, 2),
                      "db_ms": round(db, 2), "python_ms": round(total - db, 2)}))


if __name__ == "__main__":
    main()
