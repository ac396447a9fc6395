"""How fast are the child list and the overdue list? Loads the demo data set into a fresh database
through the app's own ``demo-data`` command and times whole HTTP requests, signed in as county and
town staff, through the Flask test client.

    .venv/bin/python bench/children.py                    # small: ~1,500 children in Lanshan district
    .venv/bin/python bench/children.py --scale province   # 100,000 children, ~1,000,000 visits

The database is a new SQLite file in a temporary directory, removed afterwards. With --database-url
(or DATABASE_URL), e.g. a PostgreSQL database made for the run, that database is used instead, but
only when it is empty: the benchmark migrates it and fills it, so it refuses one that holds anything.

    scripts/with-postgres bash -c '.venv/bin/python bench/children.py --scale province \\
        --database-url "$TONGXIN_TEST_DATABASE_URL"'

At small scale the demo accounts demo-county (Lanshan) and demo-town (Yitang) are used. At province
scale the benchmark finds the county and, inside it, the town holding the most children, and adds a
civil-affairs and a child-supervisor account there. On PostgreSQL the tables are ANALYZEd after the
load (what autovacuum does within a minute or so), so the plans do not depend on the timing of the
run; SQLite gets no statistics, as the portal never gathers them.

Readable lines go to standard output; the last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re

import _bench  # noqa: E402,F401  (first: the environment the portal reads)
from sqlalchemy import func, select, text  # noqa: E402

from portal import db  # noqa: E402
from portal.accounts.demo import DEMO_PASSWORD  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.passwords import hash_password  # noqa: E402
from portal.accounts.roles import Role  # noqa: E402
from portal.children.models import Child  # noqa: E402
from portal.demo import SCALES  # noqa: E402
from portal.regions.models import Region  # noqa: E402
from portal.visits.models import Visit  # noqa: E402

# Each page repeats until it has run MAX_REPS times or for BUDGET_SECONDS, and at least MIN_REPS times.
MIN_REPS = 20
MAX_REPS = 400
BUDGET_SECONDS = 4.0
WARMUP = 2

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
TOTAL_RE = re.compile(r'<p class="muted">([^<]*\d[^<]*)</p>')

# name -> path; every page is requested as each signed-in user.
PAGES = {
    "list": "/children/",
    "risk_red": "/children/?risk=red",
    "category_orphan": "/children/?category=orphan",
    "q_wang": "/children/?q=王",
    "overdue": "/visits/overdue",
    "list_page5": "/children/?page=5",
    "home": "/",  # the to-do counts of the subtree (issue 21)
}


def timed(fn) -> dict:
    """Run ``fn`` repeatedly; milliseconds per call as p50/p95/min and how many runs."""
    return _bench.timed(fn, min_reps=MIN_REPS, max_reps=MAX_REPS, budget_seconds=BUDGET_SECONDS, warmup=WARMUP)


def busiest(session, prefix: str, digits: int) -> tuple[str, int]:
    """The region code of ``digits`` digits under ``prefix`` with the most children, and that count."""
    key = func.substr(Child.region_code, 1, digits)
    stmt = (
        select(key, func.count())
        .where(Child.region_code.like(f"{prefix}%"))
        .group_by(key)
        .order_by(func.count().desc(), key)
        .limit(1)
    )
    code, count = session.execute(stmt).one()
    return code, count


def staff_accounts(app, scale: str) -> dict[str, tuple[str, str, int]]:
    """Who to sign in as: {"county": (username, region code, children in scope), "town": ...}."""
    with app.app_context(), db.write_session() as session:
        if scale == "small":
            chosen = {"county": ("demo-county", "371302000000"), "town": ("demo-town", "371302105000")}
        else:
            county, _ = busiest(session, "", 6)
            town, _ = busiest(session, county, 9)
            chosen = {"county": ("bench-county", county + "000000"), "town": ("bench-town", town + "000")}
            password_hash = hash_password(DEMO_PASSWORD)
            roles = {"county": Role.civil_affairs, "town": Role.child_supervisor}
            for key, (username, code) in chosen.items():
                session.add(User(username=username, display_name=f"bench {key}", password_hash=password_hash,
                                 role=roles[key], region_code=code, email=f"{username}@example.org"))
        accounts = {}
        for key, (username, code) in chosen.items():
            prefix = code[:6] if key == "county" else code[:9]
            in_scope = session.scalar(select(func.count()).select_from(Child).where(Child.region_code.like(f"{prefix}%")))
            name = session.scalar(select(Region.name).where(Region.code == code))
            accounts[key] = (username, code, in_scope, name)
    return accounts


def signed_in_client(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    match = CSRF_RE.search(page)
    if not match:
        raise SystemExit("no CSRF token on /login")
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                           "csrf_token": match.group(1)})
    if response.status_code != 302:
        raise SystemExit(f"signing in as {username} failed: {response.status_code}")
    return client


def get_ok(client, path: str) -> str:
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return response.get_data(as_text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="an empty database to use (default: DATABASE_URL, else a new SQLite file)")
    args = parser.parse_args()

    app = None
    try:
        app, url = _bench.migrated_app(args.database_url)
        engine = app.extensions["db_engine"]
        _bench.log(f"scale {args.scale} on {engine.dialect.name}: {url.split('@')[-1].split('?')[0]}")

        rss_before = _bench.peak_rss_mb()
        load_seconds = _bench.load_demo(app, args.scale)
        rss_after = _bench.peak_rss_mb()
        _bench.log(f"loaded in {load_seconds:.1f} s; peak RSS {rss_after:.0f} MB (before the load: {rss_before:.0f} MB)")
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))

        with app.app_context():
            session = db.session()
            children = session.scalar(select(func.count()).select_from(Child))
            visits = session.scalar(select(func.count()).select_from(Visit))
        _bench.log(f"{children:,} children, {visits:,} visits")

        accounts = staff_accounts(app, args.scale)
        clients = {}
        for key, (username, code, in_scope, name) in accounts.items():
            _bench.log(f"  {key:6} {username} at {code} {name}: {in_scope:,} children in scope")
            clients[key] = signed_in_client(app, username)

        _bench.log(f"timings of whole requests in ms (p50 / p95, at least {MIN_REPS} runs, up to {MAX_REPS} or "
            f"{BUDGET_SECONDS:.0f} s each):")
        healthz = timed(lambda: get_ok(clients["county"], "/healthz"))
        _bench.log(f"  {'healthz':24} {healthz['p50']:8.2f} / {healthz['p95']:8.2f}  ({healthz['runs']} runs)")
        pages = {}
        for key, client in clients.items():
            for page, path in PAGES.items():
                body = get_ok(client, path)
                total = TOTAL_RE.search(body)
                figures = timed(lambda c=client, p=path: get_ok(c, p))
                figures["x_healthz"] = round(figures["p50"] / healthz["p50"], 1)
                name = f"{key}/{page}"
                pages[name] = figures
                _bench.log(f"  {name:24} {figures['p50']:8.2f} / {figures['p95']:8.2f}  ({figures['runs']} runs,"
                    f" {figures['x_healthz']}x healthz) {total.group(1).strip() if total else ''}")

        result = {
            "scale": args.scale,
            "database": engine.dialect.name,
            "children": children,
            "visits": visits,
            "load_seconds": round(load_seconds, 1),
            "peak_rss_mb": round(rss_after, 1),
            "accounts": {k: {"username": u, "region": c, "children": n} for k, (u, c, n, _name) in accounts.items()},
            "pages": pages,
            "healthz_p50": healthz["p50"],
            "healthz_p95": healthz["p95"],
        }
    finally:
        if app is not None:
            app.extensions["db_engine"].dispose()
        _bench.cleanup()
    print(json.dumps(result, ensure_ascii=False, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
