"""How fast is the public board of needs? Loads the demo data set into a fresh database through the
app's own ``demo-data`` command and times whole anonymous HTTP requests to ``GET /board`` (filtered,
paginated) through the Flask test client.

    .venv/bin/python bench/board.py                    # small: ~300 needs in Lanshan district
    .venv/bin/python bench/board.py --scale province   # 200,000 needs, about a quarter published

The database is a new SQLite file in a temporary directory, removed afterwards. With --database-url
(or DATABASE_URL), e.g. a PostgreSQL database made for the run, that database is used instead, but
only when it is empty: the benchmark migrates it and fills it, so it refuses one that holds anything.

    scripts/with-postgres bash -c '.venv/bin/python bench/board.py --scale province \\
        --database-url "$TONGXIN_TEST_DATABASE_URL"'

The cases: the whole board (page 1), one county (the one with the most published needs), a category
with high urgency, a deep page (page 50, or the last page when there are fewer), and a deadline
filter (deadline within 30 days); and the place filters at their worst for the query plan: the
county with the fewest published needs, and the town with the most. Every request also counts its
matches and builds the county choices of the filter form, as the page does.

On PostgreSQL the database is VACUUM ANALYZEd after the load: what autovacuum does by itself within
a minute or two of a bulk insert (left alone, it ran in the middle of the timings, which then
depended on when it started). Vacuumed, every page is marked all-visible and the board's counts are
index-only scans. --no-vacuum measures the just-loaded state instead (ANALYZE only, autovacuum
switched off for the need table so the state holds for the whole run): each count then reads the
heap page of every published need. A live board, where claims and status changes keep touching
needs, lies between the two. SQLite gets no statistics, as the portal never gathers them.
--explain prints the query plans of every case.

Readable lines go to standard output; the last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from datetime import date, timedelta

import _bench  # noqa: E402,F401  (first: the environment the portal reads)
from sqlalchemy import func, select, text  # noqa: E402

from portal import db  # noqa: E402
from portal.demo import SCALES  # noqa: E402
from portal.needs import board  # noqa: E402
from portal.needs.models import Need, NeedEvent, NeedStatus  # noqa: E402

# Each case repeats until it has run MAX_REPS times or for BUDGET_SECONDS, and at least MIN_REPS times.
MIN_REPS = 20
MAX_REPS = 400
BUDGET_SECONDS = 4.0
WARMUP = 2
PER_PAGE = 50  # the board's page size (PAGE_SIZE, at most 50)
DEEP_PAGE = 50
TARGET_MS = 100  # the goal for the median on PostgreSQL at province scale

TOTAL_RE = re.compile(r'<p class="muted">([^<]*\d[^<]*)</p>')
CARD_RE = re.compile(r'href="/board/(\d+)"')


def timed(fn) -> dict:
    """Run ``fn`` repeatedly; milliseconds per call as p50/p95/min and how many runs."""
    return _bench.timed(fn, min_reps=MIN_REPS, max_reps=MAX_REPS, budget_seconds=BUDGET_SECONDS, warmup=WARMUP)


def cases(session) -> dict[str, tuple[str, board.BoardFilter, int]]:
    """name -> (path, the same filter for --explain, page)."""
    county, _count = session.execute(
        select(Need.county_code, func.count()).where(Need.status == NeedStatus.published)
        .group_by(Need.county_code).order_by(func.count().desc(), Need.county_code).limit(1)
    ).one()
    fewest = session.execute(
        select(Need.county_code, func.count()).where(Need.status == NeedStatus.published)
        .group_by(Need.county_code).order_by(func.count(), Need.county_code).limit(1)
    ).one()[0]
    town = session.execute(
        select(Need.town_code, func.count()).where(Need.status == NeedStatus.published)
        .group_by(Need.town_code).order_by(func.count().desc(), Need.town_code).limit(1)
    ).one()[0]
    published = session.scalar(select(func.count()).select_from(Need).where(Need.status == NeedStatus.published))
    deep = max(1, min(DEEP_PAGE, -(-published // PER_PAGE)))
    before = date.today() + timedelta(days=30)
    return {
        "all": ("/board", board.BoardFilter(), 1),
        "county": (f"/board?county={county}", board.BoardFilter(county=county), 1),
        "category_urgency": ("/board?category=education&urgency=3",
                             board.BoardFilter(category="education", urgency=3), 1),
        f"page_{deep}": (f"/board?page={deep}", board.BoardFilter(), deep),
        "deadline": (f"/board?before={before.isoformat()}", board.BoardFilter(before=before), 1),
        "county_fewest": (f"/board?county={fewest}", board.BoardFilter(county=fewest), 1),
        "town": (f"/board?town={town}", board.BoardFilter(town=town), 1),
    }


def get_ok(client, path: str) -> str:
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return response.get_data(as_text=True)


def explain(app, filters: board.BoardFilter, page: int) -> list[str]:
    """The plans of the queries one board page runs: the count, the page, the county choices."""
    stmt = board._filtered(filters)
    queries = {
        "count": select(func.count()).select_from(stmt.order_by(None).subquery()),
        "page": stmt.order_by(Need.urgency.desc(), Need.published_at.desc(), Need.id.desc())
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE),
        "counties": select(Need.county_code).where(Need.status == NeedStatus.published).group_by(Need.county_code),
    }
    lines = []
    with app.app_context():
        engine = db.engine()
        postgres = engine.dialect.name == "postgresql"
        with engine.connect() as conn:
            for name, query in queries.items():
                sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
                prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
                rows = conn.execute(text(prefix + sql)).all()
                lines.append(f"    {name}:")
                lines += [f"      {row[0] if postgres else row[-1]}" for row in rows]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="an empty database to use (default: DATABASE_URL, else a new SQLite file)")
    parser.add_argument("--explain", action="store_true", help="print the query plans of every case")
    parser.add_argument("--no-vacuum", action="store_true",
                        help="PostgreSQL: ANALYZE only, autovacuum off for the needs (the just-loaded state)")
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
        vacuumed = engine.dialect.name == "postgresql" and not args.no_vacuum
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                if args.no_vacuum:
                    conn.execute(text("ALTER TABLE need SET (autovacuum_enabled = false)"))
                conn.execute(text("ANALYZE" if args.no_vacuum else "VACUUM ANALYZE"))
            _bench.log("VACUUM ANALYZE done" if vacuumed else "ANALYZE done; autovacuum off for the need table")

        with app.app_context():
            session = db.session()
            needs = session.scalar(select(func.count()).select_from(Need))
            published = session.scalar(select(func.count()).select_from(Need)
                                       .where(Need.status == NeedStatus.published))
            events = session.scalar(select(func.count()).select_from(NeedEvent))
            counties = len(board.counties_with_needs(session))
            chosen = cases(session)
        _bench.log(f"{needs:,} needs, {published:,} published (in {counties} count{'ies' if counties > 1 else 'y'}), "
            f"{events:,} events")

        client = app.test_client()  # anonymous: the board is public
        _bench.log(f"timings of whole requests in ms (p50 / p95, at least {MIN_REPS} runs, up to {MAX_REPS} or "
            f"{BUDGET_SECONDS:.0f} s each):")
        healthz = timed(lambda: get_ok(client, "/healthz"))
        _bench.log(f"  {'healthz':18} {healthz['p50']:8.2f} / {healthz['p95']:8.2f}  ({healthz['runs']} runs)")
        results = {}
        for name, (path, filters, page) in chosen.items():
            body = get_ok(client, path)
            total = TOTAL_RE.search(body)
            shown = len(set(CARD_RE.findall(body)))
            figures = timed(lambda p=path: get_ok(client, p))
            results[name] = {"path": path, "p50_ms": figures["p50"], "p95_ms": figures["p95"],
                             "min_ms": figures["min"], "runs": figures["runs"], "shown": shown}
            slow = "  SLOWER THAN 100 ms" if figures["p50"] > TARGET_MS else ""
            _bench.log(f"  {name:18} {figures['p50']:8.2f} / {figures['p95']:8.2f}  ({figures['runs']} runs, {shown} shown; "
                f"{total.group(1).strip() if total else '?'})  {path}{slow}")
            if args.explain:
                for line in explain(app, filters, page):
                    _bench.log(line)

        result = {
            "scale": args.scale,
            "database": engine.dialect.name,
            "vacuumed": vacuumed,
            "needs": needs,
            "published": published,
            "events": events,
            "load_seconds": round(load_seconds, 1),
            "peak_rss_mb": round(rss_after, 1),
            "healthz_p50_ms": healthz["p50"],
            "cases": results,
        }
    finally:
        if app is not None:
            app.extensions["db_engine"].dispose()
        _bench.cleanup()
    print(json.dumps(result, ensure_ascii=False, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
