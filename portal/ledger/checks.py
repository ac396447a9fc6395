"""``check``: every invariant of the ledger, checked at any moment (``flask ledger-check``, /ledger/check).

Each check is a named function returning its problems (empty when it holds). The database already
refuses most of what these look for; the checks prove it, catch a database restored without its
triggers, and compare the ledger with what other areas show (a money need's ``raised_fen``, which
the public board shows). Later areas add their own with ``@ledger_check("name")``: the donations
area adds "paid_donations_posted_once" (every paid donation has exactly one posting).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from portal.ledger.models import Entry, Fund, FundKind, LedgerTransaction, TransactionKind
from portal.ledger.rules import FundFigures, all_fund_figures, all_fund_totals

Problem = dict
CheckFn = Callable[[Session], list[Problem]]
CHECKS: list[tuple[str, CheckFn]] = []
# What ``run`` computes once for all its checks (each check alone computes it itself).
RUN_CACHE = "ledger_check_cache"


def shared(session: Session, key, compute: Callable[[], object]):
    """``compute()`` once per ``run``: the checks that need the same figures (every fund's, every
    gift's postings) read them once over the whole ledger, not once each. Outside ``run``, fresh."""
    cache = session.info.get(RUN_CACHE)
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _all_fund_figures(session: Session):
    return shared(session, "all_fund_figures", lambda: all_fund_figures(session))


def ledger_check(name: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check under ``name``; it runs in registration order."""

    def register(fn: CheckFn) -> CheckFn:
        if name in dict(CHECKS):
            raise ValueError(f"ledger check {name!r} registered twice")
        CHECKS.append((name, fn))
        return fn

    return register


@ledger_check("transactions_balance")
def _transactions_balance(session: Session) -> list[Problem]:
    """Every posted transaction has at least two legs and they sum to zero in each currency."""
    unbalanced = session.execute(
        select(Entry.transaction_id, Entry.currency, func.sum(Entry.amount_fen))
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .where(LedgerTransaction.posted.is_(True))
        .group_by(Entry.transaction_id, Entry.currency).having(func.sum(Entry.amount_fen) != 0)
    ).all()
    legs = func.count(Entry.id)
    too_few = session.execute(
        select(LedgerTransaction.id, legs).outerjoin(Entry, Entry.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.posted.is_(True)).group_by(LedgerTransaction.id).having(legs < 2)
    ).all()
    return ([{"transaction": t, "message": f"transaction {t} legs sum to {int(s)} {c}"} for t, c, s in unbalanced]
            + [{"transaction": t, "message": f"transaction {t} has {n} leg(s)"} for t, n in too_few])


@ledger_check("transactions_posted")
def _transactions_posted(session: Session) -> list[Problem]:
    """No transaction is left unposted: ``post`` marks it in the same database transaction, so one
    seen unposted was written behind the ledger's back (its legs count nowhere)."""
    ids = session.scalars(select(LedgerTransaction.id).where(LedgerTransaction.posted.is_(False))).all()
    return [{"transaction": t, "message": f"transaction {t} was never posted"} for t in ids]


@ledger_check("reversals_exact")
def _reversals_exact(session: Session) -> list[Problem]:
    """A reversal undoes one transaction that is not itself a reversal, leg for leg."""
    original = aliased(LedgerTransaction)
    wrong_target = session.execute(
        select(LedgerTransaction.id).outerjoin(original, original.id == LedgerTransaction.reverses_id)
        .where(or_(and_(LedgerTransaction.kind == TransactionKind.reversal.value,
                        LedgerTransaction.reverses_id.is_(None)),
                   and_(LedgerTransaction.kind != TransactionKind.reversal.value,
                        LedgerTransaction.reverses_id.is_not(None)),
                   original.kind == TransactionKind.reversal.value))
    ).scalars().all()
    mine, theirs = aliased(Entry), aliased(Entry)
    unmatched = session.execute(
        select(LedgerTransaction.id).join(mine, mine.transaction_id == LedgerTransaction.id)
        .outerjoin(theirs, (theirs.transaction_id == LedgerTransaction.reverses_id)
                   & (theirs.account_id == mine.account_id) & (theirs.amount_fen == -mine.amount_fen))
        .where(LedgerTransaction.reverses_id.is_not(None), theirs.id.is_(None)).distinct()
    ).scalars().all()
    # Legs counted for the reversals and their originals only (by the leg index), not for every transaction.
    legs_of = aliased(Entry)
    mine_n = select(func.count(Entry.id)).where(Entry.transaction_id == LedgerTransaction.id).scalar_subquery()
    theirs_n = (select(func.count(legs_of.id)).where(legs_of.transaction_id == LedgerTransaction.reverses_id)
                .scalar_subquery())
    fewer = session.execute(
        select(LedgerTransaction.id).where(LedgerTransaction.reverses_id.is_not(None), mine_n != theirs_n)
    ).scalars().all()
    bad = sorted(set(wrong_target) | set(unmatched) | set(fewer))
    return [{"transaction": t, "message": f"reversal {t} does not exactly undo what it reverses"} for t in bad]


@ledger_check("fund_identity")
def _fund_identity(session: Session) -> list[Problem]:
    """For every fund: received − refunded − disbursed = balance."""
    return [{"fund": fund.code, "message": f"fund {fund.code}: received {f.received} - refunded {f.refunded}"
             f" - disbursed {f.disbursed} != balance {f.balance}"}
            for fund, f in _all_fund_figures(session) if f.received - f.refunded - f.disbursed != f.balance]


@ledger_check("fund_totals_match")
def _fund_totals_match(session: Session) -> list[Problem]:
    """Every fund's running totals (what its public page shows) equal its figures summed from the
    legs, to the fen; a fund with legs but no totals is a problem too."""
    totals = all_fund_totals(session)
    problems = []
    for fund, from_legs in _all_fund_figures(session):
        shown = totals.get(fund.id)
        if shown != from_legs and not (shown is None and from_legs == FundFigures(0, 0, 0, 0)):
            problems.append({"fund": fund.code, "message": f"fund {fund.code}: running totals {shown}"
                             f" differ from its legs {from_legs}"})
    return problems


@ledger_check("funds_not_negative")
def _funds_not_negative(session: Session) -> list[Problem]:
    """No fund holds less than nothing."""
    return [{"fund": fund.code, "message": f"fund {fund.code} is below zero: {f.balance}"}
            for fund, f in _all_fund_figures(session) if f.balance < 0]


@ledger_check("needs_match_ledger")
def _needs_match_ledger(session: Session) -> list[Problem]:
    """A money need's raised amount (what the public board shows) is what its fund received less
    what was refunded, to the fen; money recorded on a need with no fund is a problem too."""
    from portal.needs.models import Need

    in_ledger = {fund.need_id: f.received - f.refunded for fund, f in _all_fund_figures(session)
                 if fund.kind == FundKind.need}
    raised = dict(session.execute(select(Need.id, Need.raised_fen).where(
        (Need.raised_fen != 0) | Need.id.in_(select(Fund.need_id).where(Fund.need_id.is_not(None))))).all())
    problems = []
    for need_id in sorted(set(in_ledger) | set(raised)):
        shown, booked = int(raised.get(need_id, 0)), in_ledger.get(need_id, 0)
        if shown != booked:
            problems.append({"need": need_id, "raised_fen": shown, "ledger_fen": booked,
                             "message": f"need {need_id} shows {shown} fen raised, the ledger holds {booked}"})
    return problems


def run(session: Session) -> dict:
    """Run every registered check; ``violations`` is 0 only when all of them hold."""
    problems: list[Problem] = []
    seconds: dict[str, float] = {}
    session.info[RUN_CACHE] = {}
    try:
        for name, fn in CHECKS:
            started = time.perf_counter()
            problems += [{"check": name, **problem} for problem in fn(session)]
            seconds[name] = round(time.perf_counter() - started, 3)
        funds = _all_fund_figures(session)
    finally:
        session.info.pop(RUN_CACHE, None)
    return {
        "transactions": session.scalar(select(func.count(LedgerTransaction.id))) or 0,
        "entries": session.scalar(select(func.count(Entry.id))) or 0,
        "funds": len(funds),
        "checks": [name for name, _fn in CHECKS],
        # How long each took (a check that reads first what later ones share carries that reading).
        "check_seconds": seconds,
        "violations": len(problems),
        "problems": problems,
        "fund_figures": [{"fund": fund.code, "kind": str(fund.kind), "received": f.received, "refunded": f.refunded,
                          "disbursed": f.disbursed, "balance": f.balance} for fund, f in funds],
    }
