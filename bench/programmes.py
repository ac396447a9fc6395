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

Then the disbursements (issue 20, second half), with the ledger first filled to ``--entries`` legs
by ``bench/donations.py``'s own ``fill`` (balanced gifts with their donations and receipts):

* ``batch_entitlements`` / ``batch_seconds``: listing and submitting one batch of a monthly
  programme over the city with the most children, every active child under 18 of it enrolled
  (files added to its villages first, as plain rows, when it has fewer than ``--batch-children``);

Then a year of real payments, made through the rules (the demo pays no Zibo batch): the twelve
monthly batches of the previous year of the living allowance owned by Zibo city (on the small set,
which has no Zibo, Lanshan's over the whole district), each listed and submitted by one staff
member, its fund topped up by an offline gift recorded and confirmed by two, approved by a second,
above ``DISBURSEMENT_HEAD_FEN`` by the owning region's named head (the demo's ``demo-zibo-head`` /
``demo-county-head``), and its bank result file (.csv, one payment in 200 refused and carried into
the next month) imported through the bank-result rules. Then, over the ledger with all the legs:

* ``county_report_p50_ms``/``…_p95_ms``, ``city_…``, ``province_…``: the report (rules, as the page
  calls them) for that year over the county with most payments, the owning city, and the province;
  with each report's children, person-times and amount, and ``ledger_violations`` afterwards.

The database is a new SQLite file unless --database-url (or DATABASE_URL) names an empty one.
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
from portal.programmes import eligibility, finding, rules  # noqa: E402
from portal.programmes.demo import PROGRAMMES, TODAY  # noqa: E402
from portal.programmes.models import Programme, ProgrammeEnrolment  # noqa: E402

PROVINCE = {"small": "371300000000", "province": "370000000000"}
TARGETS = {"eligibility_seconds": 10.0, "batch_seconds": 30.0, "county_report_p95_ms": 1000.0,
           "city_report_p95_ms": 3000.0}  # the province's report has no target in the issue


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
    parser.add_argument("--entries", type=int, default=None,
                        help="ledger legs to fill before the disbursements (default: 1,000,000 on the province set, 0 on small)")
    parser.add_argument("--batch-children", type=int, default=10_000,
                        help="children the measured batch pays (files are added to the city when it has fewer)")
    args = parser.parse_args()
    entries = args.entries if args.entries is not None else (1_000_000 if args.scale == "province" else 0)
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
        figures.update(disbursements(app, entries, args.batch_children))
        figures.update(paid_year(app))
    finally:
        app.extensions["db_engine"].dispose()
        _bench.cleanup()
    figures["targets"] = TARGETS
    figures["within_targets"] = all(figures.get(name, 1e9) <= limit for name, limit in TARGETS.items())
    print(json.dumps(figures, ensure_ascii=False))


def _add_children(session, city: str, count: int) -> None:
    """``count`` plain files of under-18s in the city's villages that already have children."""
    import secrets
    from datetime import date

    from portal.types import utcnow

    now = utcnow()
    villages = session.scalars(select(Child.region_code).where(Child.region_code.like(f"{city[:4]}%"))
                               .distinct().order_by(Child.region_code)).all()
    rows = [{"region_code": villages[n % len(villages)], "name": f"基准{n}", "gender": "male",
             "birth_date": date(TODAY.year - 8, 1 + n % 12, 1 + n % 28), "categories": ["orphan"],
             "qr_token": secrets.token_hex(12), "status": "active", "ethnicity": "", "school": "", "grade": "",
             "school_stage": "primary", "disability_category": "", "disability_level": "", "chronic_illness": "",
             "benefits": [], "status_reason": "", "created_at": now, "updated_at": now} for n in range(count)]
    for start in range(0, len(rows), 5000):
        session.execute(Child.__table__.insert(), rows[start : start + 5000])
    session.commit()


def disbursements(app, entries: int, batch_children: int) -> dict:
    """Fill the ledger, then time one large batch and the county's and the city's reports."""
    from portal.accounts.models import User
    from portal.accounts.roles import Role
    from portal.disbursements import rules as batches
    from portal.disbursements.models import Entitlement
    from portal.programmes.models import EnrolmentState

    figures: dict = {}
    if entries:
        from donations import fill  # bench/donations.py: the same million legs

        _bench.log(f"filling the ledger to {entries:,} legs …")
        made = fill(app, entries)
        _bench.log(f"  {made['gifts']:,} gifts in {made['seconds']:.1f} s")
    with app.app_context():
        session = db.session()
        if session.get_bind().dialect.name == "postgresql":
            session.commit()
            with db.engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        figures["ledger_entries"] = session.scalar(select(func.count()).select_from(Entry))
        date_18 = TODAY.replace(year=TODAY.year - 18)
        city_of = func.substr(Child.region_code, 1, 4)
        top = session.execute(select(city_of, func.count()).where(Child.status == "active").group_by(city_of)
                              .order_by(func.count().desc()).limit(1)).one()[0]
        city = f"{top}00000000"
        under_18 = session.scalar(select(func.count()).select_from(Child).where(
            Child.status == "active", Child.region_code.like(f"{top}%"), Child.birth_date > date_18))
        if under_18 < batch_children:
            _add_children(session, city, batch_children - under_18)
        maker = User(username="bench-maker", display_name="bench", password_hash="!", role=Role.civil_affairs,
                     region_code=city)
        session.add(maker)
        session.flush()
        values = rules.ProgrammeValues(name_zh="基准·生活补助", kind="living_allowance", period_type="monthly",
                                       fund_code="living_allowance", amount_rule={"type": "fixed", "amount_fen": 10_000},
                                       eligibility={"age_max": 17}, required_documents=["identity_document"])
        programme = rules.create_programme(session, maker, values, today=TODAY)
        session.execute(ProgrammeEnrolment.__table__.update()
                        .where(ProgrammeEnrolment.programme_id == programme.id)
                        .values(state=EnrolmentState.enrolled, documents={"identity_document": True}))
        session.commit()
        started = time.perf_counter()
        batch = batches.create_batch(session, maker, programme, f"{TODAY.year}-{TODAY.month:02d}")
        batches.submit_batch(session, maker, batch)
        session.commit()
        figures["batch_seconds"] = round(time.perf_counter() - started, 2)
        figures["batch_entitlements"] = session.scalar(select(func.count()).select_from(Entitlement)
                                                       .where(Entitlement.batch_id == batch.id))
        _bench.log(f"  a batch of {figures['batch_entitlements']:,} entitlements over {city}: "
                   f"{figures['batch_seconds']} s")
    return figures


# The living allowance paid for a year: Zibo city's on the province set, Lanshan's on the small one.
PAYING_OWNERS = ("370300000000", "371302000000")


def _bank_file(session, batch, fail_every: int) -> bytes:
    """The bank's result for an approved batch, in the sheet's own headings: every payment paid
    with a reference, but one in ``fail_every`` refused."""
    import csv
    import io

    from portal.disbursements.models import Entitlement, EntitlementState

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Payment no.", "Amount (yuan)", "Bank status", "Bank reference", "Failure reason"])
    for n, (entitlement_id, amount) in enumerate(session.execute(
            select(Entitlement.id, Entitlement.amount_fen).where(Entitlement.batch_id == batch.id,
                                                                 Entitlement.state == EntitlementState.approved)
            .order_by(Entitlement.id)), start=1):
        yuan = f"{amount // 100}.{amount % 100:02d}"
        if n % fail_every == 0:
            writer.writerow([entitlement_id, yuan, "失败", "", "账户已销户"])
        else:
            writer.writerow([entitlement_id, yuan, "成功", f"BENCH{batch.id:05d}{entitlement_id:08d}", ""])
    return out.getvalue().encode("utf-8")


def paid_year(app, fail_every: int = 200) -> dict:
    """Pay a year of monthly living-allowance batches through the rules, then time the reports."""
    import random

    from portal.accounts.models import User
    from portal.accounts.roles import Role
    from portal.disbursements import bank, reports
    from portal.disbursements import rules as batches
    from portal.disbursements.demo import _fund
    from portal.errors import Conflict
    from portal.ledger import rules as ledger
    from portal.programmes.models import ProgrammeKind

    figures: dict = {}
    year = TODAY.year - 1
    with app.app_context(), app.test_request_context():
        session = db.session()
        programme = None
        for owner in PAYING_OWNERS:
            programme = session.scalar(select(Programme).where(Programme.owner_region_code == owner,
                                                               Programme.kind == ProgrammeKind.living_allowance))
            if programme is not None:
                break
        if programme is None:
            _bench.log("no demo living allowance to pay: no paid year")
            return figures
        owner = programme.owner_region_code
        head = session.scalar(select(User).where(User.region_code == owner, User.is_head, User.is_active))
        if head is None:
            raise SystemExit(f"no head named for {owner}: the demo names one (demo-zibo-head, demo-county-head)")
        staff = {}
        for name in ("maker", "checker"):
            staff[name] = User(username=f"bench-paid-{name}", display_name=f"基准 {name}", password_hash="!",
                               role=Role.civil_affairs, region_code=owner)
            session.add(staff[name])
        viewer = User(username="bench-province", display_name="基准 省厅", password_hash="!",
                      role=Role.civil_affairs, region_code="370000000000")
        session.add(viewer)
        session.commit()
        maker, checker = staff["maker"], staff["checker"]
        rng = random.Random(20_28)
        _bench.log(f"paying {year}'s twelve months of {programme.name_zh} ({owner}), head: "
                   f"{head.username if head else 'none'} …")
        started = time.perf_counter()
        counts = {"batches": 0, "head_approved": 0, "paid": 0, "failed": 0}
        for month in range(1, 13):
            period = f"{year}-{month:02d}"
            try:
                batch = batches.create_batch(session, maker, programme, period)
            except Conflict:
                continue  # nobody due that month
            batches.submit_batch(session, maker, batch)
            missing = batches.shortfall(session, batch)
            if missing:
                _fund(session, maker, checker, programme, missing, batches.period_date(programme.period_type, period),
                      rng)
            batches.approve_batch(session, checker, batch)
            if batches.needs_head(batch):
                batches.approve_batch(session, head, batch)
                counts["head_approved"] += 1
            job, _preview = bank.start_import(session, checker, batch, f"bank-{period}.csv",
                                              _bank_file(session, batch, fail_every))
            bank.claim(session, job, "running")
            done = bank.run_import(session, checker, job)
            session.commit()
            counts["batches"] += 1
            counts["paid"] += done["paid"]
            counts["failed"] += done["failed"]
        seconds = time.perf_counter() - started
        figures.update({f"paid_year_{k}": v for k, v in counts.items()})
        figures["paid_year_seconds"] = round(seconds, 1)
        figures["paid_year_owner"] = owner
        _bench.log(f"  {counts['batches']} batches ({counts['head_approved']} head-approved), {counts['paid']:,} paid, "
                   f"{counts['failed']} failed (carried), {seconds:.1f} s")
        if session.get_bind().dialect.name == "postgresql":
            session.commit()
            with db.engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        from portal.disbursements.models import Entitlement

        county_of = func.substr(Entitlement.region_code, 1, 6)
        county = session.execute(select(county_of, func.count()).where(Entitlement.programme_id == programme.id)
                                 .group_by(county_of).order_by(func.count().desc()).limit(1)).one()[0]
        regions = {"county": f"{county}000000", "city": f"{owner[:4]}00000000", "province": "370000000000"}
        figures["ledger_entries"] = session.scalar(select(func.count()).select_from(Entry))
        for key, region in regions.items():
            result = reports.report(session, viewer, region, str(year))
            timing = _bench.timed(lambda r=region: reports.report(session, viewer, r, str(year)),
                                  min_reps=10, max_reps=200, budget_seconds=5.0, warmup=1)
            figures[f"{key}_report_region"] = region
            figures[f"{key}_report_p50_ms"] = timing["p50"]
            figures[f"{key}_report_p95_ms"] = timing["p95"]
            figures[f"{key}_report_runs"] = timing["runs"]
            figures[f"{key}_report_children"] = result.children
            figures[f"{key}_report_person_times"] = result.person_times
            figures[f"{key}_report_amount_fen"] = result.amount_fen
            _bench.log(f"  {key} report {region} for {year}: {result.children} children, "
                       f"{result.person_times:,} person-times, {ledger.format_fen(result.amount_fen)} yuan; "
                       f"p50 {timing['p50']} ms, p95 {timing['p95']} ms")
        figures["ledger_violations"] = ledger.check(session)["violations"]
        _bench.log(f"  ledger-check afterwards: {figures['ledger_violations']} violations")
    return figures


if __name__ == "__main__":
    main()
