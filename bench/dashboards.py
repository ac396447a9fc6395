"""How fast are the dashboards on the province data set?

    .venv/bin/python bench/dashboards.py --database-url postgresql+psycopg://…/db --state-dir DIR

Reuses `bench/pages.py`'s ``prepare`` (the database loaded once with `flask demo-data --scale
province`, its state folder remembering it; `flask db upgrade` on a database loaded before), adds
one province-level civil-affairs account (the demo set has none), refreshes the province's and
cities' snapshots once as the periodic task does (``flask dashboards refresh``, timed), serves the
portal under gunicorn and asks, one request after another after a warm-up, for:

- the county dashboard of `demo-county` (兰山区, counted live: counties are never snapshotted);
- the province dashboard (山东省, from the snapshot);
- the town dashboard of `demo-town`, the county's report page and its .xlsx;
- the province dashboard for a custom period (no snapshot: counted live, for comparison).

Readable lines go to standard output; the last line is one JSON object with `children`,
`county_p95_ms`, `province_p95_ms` and every page's `p50_ms` / `p95_ms` / `max_ms`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import BIN, ROOT, Server, log, prepare, sign_in  # noqa: E402

PROVINCE_USER = "bench-province"
COUNTY, PROVINCE, TOWN = "371302000000", "370000000000", "371302105000"

ADD_USER = f"""
from sqlalchemy import select
from portal import create_app, db
from portal.accounts.demo import DEMO_PASSWORD
from portal.accounts.models import User
from portal.children.models import Child
from portal.accounts.passwords import hash_password
from sqlalchemy import func
app = create_app()
with app.app_context(), db.write_session() as s:
    if s.scalar(select(User).where(User.username == "{PROVINCE_USER}")) is None:
        s.add(User(username="{PROVINCE_USER}", display_name="山东省民政厅 (bench)", role="civil_affairs",
                   region_code="{PROVINCE}", password_hash=hash_password(DEMO_PASSWORD), email=None))
    print(s.scalar(select(func.count()).select_from(Child)))
"""


def timed(url: str, cookie: str, count: int) -> dict:
    """``count`` requests one after another; their latency percentiles in milliseconds."""
    times = []
    for _ in range(count):
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            if response.status != 200:
                raise SystemExit(f"{url} answered {response.status}")
        times.append((time.perf_counter() - started) * 1000)
    times.sort()

    def rank(share: float) -> float:
        return round(times[min(len(times) - 1, int(share * len(times) + 0.5) - 1)], 1)

    return {"requests": count, "p50_ms": rank(0.5), "p95_ms": rank(0.95), "max_ms": round(times[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["small", "province"], default="province")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--state-dir", default=None)
    parser.add_argument("--requests", type=int, default=60, help="per page, after the warm-up")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    env = prepare(args)
    children = int(subprocess.run([str(BIN / "python"), "-c", ADD_USER], env=env, cwd=ROOT, check=True, text=True,
                                  capture_output=True).stdout.strip().splitlines()[-1])
    started = time.perf_counter()
    subprocess.run([str(BIN / "flask"), "--app", "app", "dashboards", "refresh"], env=env, cwd=ROOT, check=True)
    refresh_s = round(time.perf_counter() - started, 1)
    log(f"{children} children; snapshots refreshed in {refresh_s} s")

    server = Server("app:app", env, args.workers, "sync", 1, ROOT)
    results: dict[str, dict] = {}
    try:
        server.wait("/healthz")
        county, town, province = (sign_in(server.base, name) for name in ("demo-county", "demo-town", PROVINCE_USER))
        pages = {
            "county_dashboard": (f"/dashboards/{COUNTY}", county),
            "province_dashboard": (f"/dashboards/{PROVINCE}", province),
            "town_dashboard": (f"/dashboards/{TOWN}", town),
            "county_report": (f"/dashboards/{COUNTY}/report", county),
            "county_report_xlsx": (f"/dashboards/{COUNTY}/report.xlsx", county),
            "province_custom_live": (f"/dashboards/{PROVINCE}?period=custom&start=2026-01-01&end=2026-03-31", province),
        }
        log(f"{'page':<22} {'p50':>8} {'p95':>8} {'max':>8}")
        for name, (path, cookie) in pages.items():
            count = args.requests if name != "province_custom_live" else max(5, args.requests // 10)
            timed(server.base + path, cookie, 3)  # warm: templates compiled, models loaded
            results[name] = timed(server.base + path, cookie, count)
            r = results[name]
            log(f"{name:<22} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8}")
    finally:
        server.stop()
    print(json.dumps({"scale": args.scale, "children": children, "workers": args.workers,
                      "county_p95_ms": results["county_dashboard"]["p95_ms"],
                      "province_p95_ms": results["province_dashboard"]["p95_ms"],
                      "snapshot_refresh_s": refresh_s, "pages": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
