"""How fast is the money side? Fills the ledger with balanced gift postings (and their donations and
receipts), times ``ledger-check`` over all of it, times a fund's and a money need's public pages
through a live server, and delivers signed Stripe webhooks to that server concurrently.

    .venv/bin/python bench/donations.py                          # 1,000,000 legs, 200 webhooks
    .venv/bin/python bench/donations.py --entries 20000 --webhooks 50

    scripts/with-postgres bash -c 'DATABASE_URL="$TONGXIN_TEST_DATABASE_URL" .venv/bin/python bench/donations.py'

The database is a new SQLite file unless DATABASE_URL (or --database-url) names an empty database.
The demo data set (``demo-data --scale small``) is loaded first: regions, money needs, staff, and
the demo's own gifts. Then every published money need gets its fund, and the fill posts
``entries / 2`` gifts, each one settled donation (paid, with its receipt) and one posted transaction
of two legs (Stripe clearing debited, the fund credited): a quarter to the general fund, 15% to the
programmes, the rest spread over the money needs, whose raised amounts follow. The fill goes
through SQL in batches, the ledger's triggers on: each transaction is inserted unposted, its legs
inserted, then marked posted (the database checks it balances), and PostgreSQL checks each again at
COMMIT; each batch also moves the funds' running totals and adds their new givers, as ``post`` and
``settle`` do. On PostgreSQL the tables are VACUUM ANALYZEd after the fill (what autovacuum does shortly).

The pages are requested one after the other over loopback from the Flask development server
(threaded, in this process). The webhooks: ``--webhooks`` deliveries of ``checkout.session.completed``,
a fifth of them duplicates, shuffled, posted from a pool of threads; each gift was opened as the
give form does (a pending online gift and its Checkout Session in the Stripe stand-in of
``tests/stripe_fake``, over localstripe) and paid on the stand-in. Afterwards the database must show
each distinct event stored once, each gift paid and booked by exactly one gift posting.

Readable lines go to standard output; the last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import _bench  # noqa: E402,F401  (first: the environment the portal reads)
from sqlalchemy import func, insert, select, text, update  # noqa: E402
from sqlalchemy.dialects import postgresql, sqlite  # noqa: E402

from portal import db  # noqa: E402
from portal.donations.models import (  # noqa: E402
    Channel,
    Donation,
    DonationFundGivers,
    DonationGiver,
    DonationStatus,
    Receipt,
    ReceiptCounter,
    StripeEvent,
    giver_key,
)
from portal.ledger import rules as ledger  # noqa: E402
from portal.ledger.models import AccountPurpose, Entry, Fund, FundTotal, LedgerTransaction, TransactionKind  # noqa: E402
from portal.needs.models import Need, NeedKind, NeedStatus  # noqa: E402
from portal.types import utcnow  # noqa: E402

SEED = 19
BATCH = 5000  # gifts per database transaction of the fill
PAGE_REQUESTS = 200
WEBHOOK_THREADS = 16
DUPLICATE_SHARE = 0.2
GIFT_FEN = 10_000  # each benchmark webhook's gift: 100 yuan to the general fund
TARGETS = {"ledger_check_seconds": 30.0, "fund_page_p95_ms": 100.0}


# --- the fill --------------------------------------------------------------------------------------


def _next_id(conn, table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar()) + 1


def fill(app, entries: int) -> dict:
    """Post ``entries // 2`` two-legged gifts with their donations and receipts; returns what was made."""
    rng = random.Random(SEED)
    with app.app_context():
        session = db.session()
        funds = ledger.standard_funds(session)
        needs = session.scalars(select(Need).where(Need.kind == NeedKind.money, Need.status == NeedStatus.published)
                                .order_by(Need.id)).all()
        need_funds = [(ledger.fund_for_need(session, need), need) for need in needs]
        clearing = ledger.system_account(session, AccountPurpose.stripe_clearing)
        accounts = {fund.id: ledger.fund_account(session, fund).id for fund in funds + [f for f, _n in need_funds]}
        region_of = {need.id: need.county_code for need in needs}
        session.commit()
        general, programmes = funds[0], funds[1:]
        clearing_id = clearing.id
        targets = [(fund.id, need.id) for fund, need in need_funds]

    engine = app.extensions["db_engine"]
    gifts = entries // 2
    year = utcnow().year
    raised: dict[int, int] = {}
    started = time.perf_counter()
    with engine.begin() as conn:
        txn_id, entry_id = _next_id(conn, LedgerTransaction.__table__), _next_id(conn, Entry.__table__)
        donation_id, receipt_id = _next_id(conn, Donation.__table__), _next_id(conn, Receipt.__table__)
        number = int(conn.execute(select(ReceiptCounter.last_number).where(ReceiptCounter.year == year)).scalar() or 0)
    now = utcnow()
    done = 0
    while done < gifts:
        size = min(BATCH, gifts - done)
        txns, legs, donations, receipts = [], [], [], []
        into_fund: dict[int, int] = {}
        givers: set[tuple[int, str]] = set()
        for _ in range(size):
            pick = rng.random()
            if pick < 0.25 or not targets:
                fund_id, need_id = general.id, None
            elif pick < 0.40:
                fund_id, need_id = rng.choice(programmes).id, None
            else:
                fund_id, need_id = rng.choice(targets)
            amount = rng.choice((1_000, 5_000, 10_000, 20_000, 50_000, 100_000)) + rng.randrange(100)
            at = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
            reference = f"donation:{donation_id}"
            txns.append({"id": txn_id, "at": at, "kind": TransactionKind.gift.value, "memo": "",
                         "actor_id": None, "reference": reference, "reverses_id": None, "posted": False})
            legs.append({"id": entry_id, "transaction_id": txn_id, "account_id": clearing_id,
                         "amount_fen": amount, "currency": "CNY"})
            legs.append({"id": entry_id + 1, "transaction_id": txn_id, "account_id": accounts[fund_id],
                         "amount_fen": -amount, "currency": "CNY"})
            anonymous = rng.random() < 0.2
            number += 1
            donations.append({
                "id": donation_id, "fund_id": fund_id, "need_id": need_id,
                "region_code": region_of.get(need_id), "donor_id": None,
                "guest_name": "" if anonymous else f"捐赠人{donation_id}", "email": f"d{donation_id}@example.org",
                "anonymous": anonymous, "message": "", "amount_fen": amount, "currency": "CNY",
                "channel": Channel.bank.value, "status": DonationStatus.paid.value,
                "need_fen": amount if need_id else 0, "general_fen": 0, "refunded_fen": 0, "payer": "",
                "paid_on": at.date(), "reference": f"B{donation_id}", "receipt_scan_path": None,
                "recorded_by_id": None, "confirmed_by_id": None, "ledger_transaction_id": txn_id,
                "created_at": at, "paid_at": at, "updated_at": at})
            receipts.append({"id": receipt_id, "donation_id": donation_id, "year": year, "number": number,
                             "issued_at": at, "refunded_fen": 0, "refunded_at": None})
            if need_id:
                raised[need_id] = raised.get(need_id, 0) + amount
            into_fund[fund_id] = into_fund.get(fund_id, 0) + amount
            givers.add((fund_id, giver_key(None, donations[-1]["guest_name"])))
            txn_id, entry_id, donation_id, receipt_id = txn_id + 1, entry_id + 2, donation_id + 1, receipt_id + 1
        with engine.begin() as conn:  # one batch: unposted, legs, posted (checked), then the gifts
            conn.execute(insert(LedgerTransaction.__table__), txns)
            conn.execute(insert(Entry.__table__), legs)
            conn.execute(update(LedgerTransaction.__table__)
                         .where(LedgerTransaction.__table__.c.id.between(txns[0]["id"], txns[-1]["id"]))
                         .values(posted=True))
            conn.execute(insert(Donation.__table__), donations)
            conn.execute(insert(Receipt.__table__), receipts)
            # What ``post`` and ``settle`` keep beside the legs: each fund's running totals, its givers.
            totals = FundTotal.__table__
            for fund_id, fen in sorted(into_fund.items()):
                conn.execute(update(totals).where(totals.c.fund_id == fund_id).values(
                    received_fen=totals.c.received_fen + fen, balance_fen=totals.c.balance_fen + fen))
            dialect_insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
            new_givers: dict[int, int] = {}
            added = conn.execute(dialect_insert(DonationGiver.__table__)
                                 .values([{"fund_id": f, "giver": g} for f, g in sorted(givers)])
                                 .on_conflict_do_nothing().returning(DonationGiver.__table__.c.fund_id))
            for (fund_id,) in added:
                new_givers[fund_id] = new_givers.get(fund_id, 0) + 1
            counts = DonationFundGivers.__table__
            for fund_id, n in sorted(new_givers.items()):
                conn.execute(dialect_insert(counts).values(fund_id=fund_id, givers=n).on_conflict_do_update(
                    index_elements=[counts.c.fund_id], set_={"givers": counts.c.givers + n}))
        done += size
        if done % (BATCH * 20) == 0 or done == gifts:
            _bench.log(f"  {done:,} gifts ({2 * done:,} legs) after {time.perf_counter() - started:.0f} s")
    with engine.begin() as conn:
        need_table = Need.__table__
        for need_id, fen in raised.items():
            conn.execute(update(need_table).where(need_table.c.id == need_id)
                         .values(raised_fen=need_table.c.raised_fen + fen))
        counter = ReceiptCounter.__table__
        if conn.execute(update(counter).where(counter.c.year == year).values(last_number=number)).rowcount == 0:
            conn.execute(insert(counter).values(year=year, last_number=number))
        if engine.dialect.name == "postgresql":  # the ids were given here: the sequences move past them
            for table in ("ledger_transaction", "ledger_entry", "donation", "receipt"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
    seconds = time.perf_counter() - started
    busiest = max(raised, key=raised.get) if raised else None
    return {"gifts": gifts, "seconds": seconds, "general_code": general.code, "busiest_need": busiest}


# --- the live server ---------------------------------------------------------------------------------


class LiveServer:
    """The app on loopback, the Flask development server, one thread per request."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        if response.status != 200:
            raise SystemExit(f"GET {url} answered {response.status}")
        return response.read()


def page_timings(server: LiveServer, path: str, n: int) -> dict:
    get(server.url + path)  # warm: the first request compiles templates
    return _bench.timed(lambda: get(server.url + path), min_reps=n, max_reps=n, budget_seconds=0, warmup=2)


# --- webhooks ------------------------------------------------------------------------------------------


def open_gifts(app, n: int, standin) -> list[tuple[int, dict]]:
    """``n`` pending online gifts, each with a Checkout Session paid on the stand-in: (id, completed session)."""
    from flask_login import current_user

    from portal.donations import online, stripe_gateway

    paid = []
    for i in range(n):
        with app.test_request_context("/donate?fund=general", method="POST"):
            session = db.session()
            donation = online.start_online_gift(session, current_user, online.OnlineGift(
                amount_fen=GIFT_FEN, fund_code="general", name=f"网友{i}", email=f"web{i}@example.org"))
            session.commit()
            checkout = stripe_gateway.create_checkout_session(
                donation_id=donation.id, amount_fen=donation.amount_fen, name="综合基金", email=donation.email,
                locale="zh", success_url="https://portal.test/donate/thanks?session={CHECKOUT_SESSION_ID}",
                cancel_url="https://portal.test/donate/cancelled")
            online.attach_checkout(session, donation.id, checkout.id)
            session.commit()
            paid.append((donation.id, standin.pay(checkout.id)))
    return paid


def deliver_webhooks(app, server: LiveServer, count: int, standin, secret: str) -> dict:
    from tests.stripe_fake import events

    rng = random.Random(SEED)
    distinct = max(1, round(count * (1 - DUPLICATE_SHARE)))
    started = time.perf_counter()
    gifts = open_gifts(app, distinct, standin)
    _bench.log(f"  opened and paid {distinct} Checkout Sessions in {time.perf_counter() - started:.1f} s")
    sent = [events.checkout_session_completed(completed) for _id, completed in gifts]
    deliveries = sent + [rng.choice(sent) for _ in range(count - distinct)]
    rng.shuffle(deliveries)
    requests = []
    for event in deliveries:
        body, headers = events.signed_request(event, secret)
        requests.append(urllib.request.Request(server.url + "/stripe/webhook", data=body, headers=headers,
                                               method="POST"))

    def post(request) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read()).get("outcome", "")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")[:200]

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WEBHOOK_THREADS) as pool:
        answers = list(pool.map(post, requests))
    seconds = time.perf_counter() - started
    outcomes: dict[str, int] = {}
    for status, outcome in answers:
        key = outcome if status == 200 else f"HTTP {status}: {outcome}"
        outcomes[key] = outcomes.get(key, 0) + 1

    ids = [donation_id for donation_id, _c in gifts]
    event_ids = [event["id"] for event in sent]
    with app.app_context(), db.write_session() as s:
        stored = dict(s.execute(select(StripeEvent.event_id, func.count()).where(StripeEvent.event_id.in_(event_ids))
                                .group_by(StripeEvent.event_id)).all())
        paid = s.scalar(select(func.count()).select_from(Donation)
                        .where(Donation.id.in_(ids), Donation.status == DonationStatus.paid.value))
        postings = dict(s.execute(select(LedgerTransaction.reference, func.count())
                                  .where(LedgerTransaction.kind == TransactionKind.gift.value,
                                         LedgerTransaction.posted.is_(True),
                                         LedgerTransaction.reference.in_([f"donation:{i}" for i in ids]))
                                  .group_by(LedgerTransaction.reference)).all())
    applied_once = (all(stored.get(e) == 1 for e in event_ids) and paid == len(ids)
                    and all(postings.get(f"donation:{i}") == 1 for i in ids)
                    and outcomes.get("applied") == distinct and outcomes.get("duplicate", 0) == count - distinct)
    return {"webhooks": count, "distinct": distinct, "threads": WEBHOOK_THREADS, "seconds": seconds,
            "webhooks_per_s": count / seconds if seconds else 0.0, "outcomes": outcomes, "applied_once": applied_once,
            "stored_events": sum(stored.values()), "paid": paid, "postings": sum(postings.values())}


# --- the run -------------------------------------------------------------------------------------------


def load_average() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="ledger legs to fill (two per gift)")
    parser.add_argument("--webhooks", type=int, default=200, help="webhook deliveries (a fifth duplicates)")
    parser.add_argument("--requests", type=int, default=PAGE_REQUESTS, help="requests of each public page")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="an empty database to use (default: DATABASE_URL, else a new SQLite file)")
    parser.add_argument("--explain", action="store_true", help="print the plans of the fund page's queries")
    args = parser.parse_args()

    from tests.stripe_fake.fixtures import SECRET_KEY, WEBHOOK_SECRET
    from tests.stripe_fake.localstripe_process import LocalStripe
    from tests.stripe_fake.standin import StripeStandIn

    app = localstripe = standin = None
    loads = {}
    try:
        localstripe = LocalStripe().start()
        standin = StripeStandIn(localstripe.base_url, WEBHOOK_SECRET).start()
        app, url = _migrated_app(args.database_url, {
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_API_BASE": standin.base_url})
        engine = app.extensions["db_engine"]
        postgres = engine.dialect.name == "postgresql"
        _bench.log(f"{args.entries:,} legs, {args.webhooks} webhooks on {engine.dialect.name}: "
                   f"{url.split('@')[-1].split('?')[0]}; load average {load_average()} (2 cores shared)")
        demo_seconds = _bench.load_demo(app, "small")
        _bench.log(f"demo data loaded in {demo_seconds:.1f} s")

        made = fill(app, args.entries)
        loads["fill"] = load_average()
        if postgres:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        with engine.connect() as conn:
            entries = conn.scalar(select(func.count()).select_from(Entry.__table__))
            transactions = conn.scalar(select(func.count()).select_from(LedgerTransaction.__table__))
            donations = conn.scalar(select(func.count()).select_from(Donation.__table__))
            funds = conn.scalar(select(func.count()).select_from(Fund.__table__))
        _bench.log(f"filled {made['gifts']:,} gifts in {made['seconds']:.1f} s "
                   f"({2 * made['gifts'] / made['seconds']:,.0f} legs/s); now {entries:,} legs, "
                   f"{transactions:,} transactions, {donations:,} donations, {funds} funds"
                   f"{'; VACUUM ANALYZE done' if postgres else ''}")

        with app.app_context():
            session = db.new_session()
            try:
                started = time.perf_counter()
                report = ledger.check(session)
                check_seconds = time.perf_counter() - started
            finally:
                session.close()
        loads["check"] = load_average()
        _bench.log(f"ledger-check: {check_seconds:.2f} s, {report['violations']} violation(s) "
                   f"over {report['entries']:,} legs{'  SLOWER THAN 30 s' if check_seconds > 30 else ''}")
        _bench.log("  by check (s): " + ", ".join(f"{name} {sec:.2f}" for name, sec in report["check_seconds"].items()))
        for problem in report["problems"][:10]:
            _bench.log(f"  VIOLATION [{problem['check']}] {problem['message']}")

        fund_path = f"/funds/{made['general_code']}"
        need_path = f"/needs/{made['busiest_need']}/money" if made["busiest_need"] else None
        with LiveServer(app) as server:
            fund = page_timings(server, fund_path, args.requests)
            _bench.log(f"{fund_path}: p50 {fund['p50']:.1f} ms, p95 {fund['p95']:.1f} ms ({fund['runs']} requests)"
                       f"{'  SLOWER THAN 100 ms' if fund['p95'] > 100 else ''}")
            need = page_timings(server, need_path, args.requests) if need_path else None
            if need:
                _bench.log(f"{need_path}: p50 {need['p50']:.1f} ms, p95 {need['p95']:.1f} ms ({need['runs']} requests)"
                           f"{'  SLOWER THAN 100 ms' if need['p95'] > 100 else ''}")
            loads["pages"] = load_average()
            if args.explain:
                explain(app, made["general_code"])
            hooks = deliver_webhooks(app, server, args.webhooks, standin, WEBHOOK_SECRET)
            loads["webhooks"] = load_average()
        _bench.log(f"webhooks: {hooks['webhooks']} ({hooks['distinct']} distinct) from {hooks['threads']} threads "
                   f"in {hooks['seconds']:.2f} s = {hooks['webhooks_per_s']:.1f}/s; answers {hooks['outcomes']}; "
                   f"applied once: {hooks['applied_once']} ({hooks['stored_events']} events stored, "
                   f"{hooks['paid']} paid, {hooks['postings']} postings)")
        _bench.log(f"load average (1/5/15 min) while measuring: {loads}")
        result = {
            "database": engine.dialect.name,
            "ledger_entries": entries,
            "ledger_transactions": transactions,
            "donations": donations,
            "funds": funds,
            "fill_seconds": round(made["seconds"], 1),
            "ledger_check_seconds": round(check_seconds, 2),
            "ledger_check_violations": report["violations"],
            "ledger_check_seconds_by_check": report["check_seconds"],
            "fund_page": fund_path,
            "fund_page_p50_ms": fund["p50"],
            "fund_page_p95_ms": fund["p95"],
            "need_page": need_path,
            "need_page_p50_ms": need["p50"] if need else None,
            "need_page_p95_ms": need["p95"] if need else None,
            "page_requests": args.requests,
            "webhooks": hooks["webhooks"],
            "webhooks_distinct": hooks["distinct"],
            "webhooks_per_s": round(hooks["webhooks_per_s"], 1),
            "webhook_outcomes": hooks["outcomes"],
            "applied_once": hooks["applied_once"],
            "load_average": loads,
        }
    finally:
        if app is not None:
            app.extensions["db_engine"].dispose()
        if standin is not None:
            standin.stop()
        if localstripe is not None:
            localstripe.stop()
        _bench.cleanup()
    print(json.dumps(result, ensure_ascii=False, separators=(",", ":")), flush=True)


def _migrated_app(database_url, stripe_settings: dict):
    from portal import create_app, migrate
    from portal.config import Config
    from portal.extensions import limiter

    url = _bench.fresh_database_url(database_url)
    migrate.upgrade(url)
    app = create_app(Config(SQLALCHEMY_DATABASE_URI=url, HUEY_IMMEDIATE=True, SESSION_COOKIE_SECURE=False,
                            MAIL_SERVER=None, PUBLIC_URL="https://portal.test", **stripe_settings))
    limiter.reset()
    # Quiet: no access log line per request, no "mail not sent" notice per receipt link (errors still show).
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app.logger.setLevel(logging.ERROR)
    return app, url


def explain(app, code: str) -> None:
    """The plans of what the fund page asks (PostgreSQL: EXPLAIN ANALYZE)."""
    from portal.donations.models import SETTLED_STATUSES

    with app.app_context():
        session = db.session()
        fund = session.scalar(select(Fund).where(Fund.code == code))
        where = [Donation.status.in_([s.value for s in SETTLED_STATUSES]), Donation.fund_id == fund.id]
        queries = {
            "figures": ledger._figures_query().where(Fund.id == fund.id),
            "gifts": select(Donation).where(*where).order_by(Donation.paid_at.desc(), Donation.id.desc()).limit(100),
            "givers": select(Donation.donor_id, Donation.guest_name).where(*where).distinct(),
        }
        engine = db.engine()
        postgres = engine.dialect.name == "postgresql"
        with engine.connect() as conn:
            for name, query in queries.items():
                sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
                rows = conn.execute(text(("EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN ") + sql))
                _bench.log(f"  {name}:")
                for row in rows:
                    _bench.log(f"    {row[0] if postgres else row[-1]}")


if __name__ == "__main__":
    main()
