"""How fast do the programmes' rules find the children (政策找人)? Loads the demo data set into a
fresh database through the app's own ``demo-data`` command, then times:

* ``eligibility_seconds``: ``eligible_children`` for one programme over the whole province (the
  living allowance's rules: orphans and de-facto unsupported children under 18), the slowest of
  the seeds' four programmes evaluated province-wide; each programme's time is reported too;
* ``sweep_seconds``: the daily look (``finding.sweep``) over every demo programme, enrolments and
  notices included;
* ``file_change_ms``: re-evaluating one child after a change of its file (what every save costs).

    .venv/bin/python bench/programmes.py                      # province: 100,000 children
    .venv/bin/python bench/programmes.py --scale small

    scripts/with-postgres bash -c '.venv/bin/python bench/programmes.py --database-url "$TONGXIN_TEST_DATABASE_URL"'

Only the accounts, children and programmes of the demo set are loaded (the rules read nothing
else). The database is a new SQLite file unless --database-url (or DATABASE_URL) names an empty one. The
disbursement batches (``batch_*``) and reports are measured by the benchmark that builds them.
Readable lines go to standard output; the last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import time

import _bench  # noqa: E402,F401  (first: the environment the portal reads)
from sqlalchemy import func, select, text  # noqa: E402

from portal import db  # noqa: E402
from portal.children.models import Child  # noqa: E402
from portal.ledger.models import Entry  # noqa: E402
from portal.programmes import eligibility, finding  # noqa: E402
from portal.programmes.demo import PROGRAMMES, TODAY  # noqa: E402
from portal.programmes.models import Programme, ProgrammeEnrolment  # noqa: E402

PROVINCE = {"small": "371300000000", "province": "370000000000"}
TARGETS = {"eligibility_seconds": 10.0}


def _province_programme(values: dict, owner: str) -> Programme:
    """The demo programme's rules over the whole province (not stored: programmes are owned by a
    city or a county, but the rules evaluate over any subtree)."""
    return Programme(name_zh=values["name_zh"], kind=values["kind"], period_type=values["period_type"], fund_id=0,
                     owner_region_code=owner, amount_rule=values["amount_rule"],
                     eligibility=eligibility.check_eligibility(values["eligibility"], owner),
                     required_documents=values["required_documents"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(PROVINCE), default="province")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    # The rules read children only: load accounts, children and programmes (the needs, helpers and
    # gifts of the full set take long and are never read here).
    from portal.accounts import demo as accounts_demo
    from portal.children import demo as children_demo
    from portal.demo import cli as demo_cli
    from portal.programmes import demo as programmes_demo

    demo_cli.LOADERS[:] = [accounts_demo.load, children_demo.load, programmes_demo.load]
    app, url = _bench.migrated_app(args.database_url)
    figures: dict = {"scale": args.scale, "database": url.split(":", 1)[0]}
    try:
        _bench.log(f"loading demo data ({args.scale}) …")
        figures["demo_seconds"] = round(_bench.load_demo(app, args.scale), 1)
        with app.app_context():
            session = db.session()
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("ANALYZE"))
                session.commit()
            figures["children"] = session.scalar(select(func.count()).select_from(Child))
            figures["ledger_entries"] = session.scalar(select(func.count()).select_from(Entry))
            per_programme = {}
            for values in PROGRAMMES:
                programme = _province_programme(values, PROVINCE[args.scale])
                started = time.perf_counter()
                found = eligibility.eligible_children(session, programme, TODAY)
                seconds = time.perf_counter() - started
                per_programme[values["kind"]] = {"seconds": round(seconds, 2), "eligible": len(found)}
                _bench.log(f"  {values['name_zh']}: {len(found)} eligible in the province, {seconds:.2f} s")
            figures["eligibility_by_kind"] = per_programme
            figures["eligibility_seconds"] = max(p["seconds"] for p in per_programme.values())
            figures["eligible_children"] = per_programme["living_allowance"]["eligible"]

            started = time.perf_counter()
            newly = finding.sweep(session, TODAY)
            session.commit()
            figures["sweep_seconds"] = round(time.perf_counter() - started, 2)
            figures["sweep_programmes"] = len(newly)
            figures["enrolments"] = session.scalar(select(func.count()).select_from(ProgrammeEnrolment))
            _bench.log(f"  daily sweep over {len(newly)} programmes: {figures['sweep_seconds']} s")

            some = session.scalars(select(ProgrammeEnrolment.child_id).order_by(ProgrammeEnrolment.id).limit(50)).all()
            picks = iter(some * 10)

            def change() -> None:
                finding.reevaluate_children(session, [next(picks)], TODAY)
                session.rollback()

            timing = _bench.timed(change, min_reps=20, max_reps=200, budget_seconds=4.0, warmup=2)
            figures["file_change_ms"] = timing["p95"]
            _bench.log(f"  one file changed, re-evaluated: p95 {timing['p95']} ms")
    finally:
        app.extensions["db_engine"].dispose()
        _bench.cleanup()
    figures["targets"] = TARGETS
    figures["within_targets"] = figures.get("eligibility_seconds", 1e9) <= TARGETS["eligibility_seconds"]
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
