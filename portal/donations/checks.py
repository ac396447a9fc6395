"""The donations area's checks in ``ledger-check``: every settled gift is booked exactly once, and
what the gifts say (amounts, splits, refunds, receipts, a need's raised amount) is what the ledger
holds, to the fen."""

from __future__ import annotations

from sqlalchemy import String, cast, func, literal, select
from sqlmodel import Session

from portal.donations.models import SETTLED_STATUSES, Donation, DonationFundGivers, DonationGiver, Receipt, giver_key
from portal.ledger.checks import Problem, ledger_check, shared
from portal.ledger.models import Account, AccountPurpose, Entry, LedgerTransaction, TransactionKind
from portal.needs.models import Need

BATCH = 5000


SETTLED = frozenset(s.value for s in SETTLED_STATUSES)


def _donations(session: Session) -> list[tuple]:
    """Every donation as (id, status, ledger_transaction_id, need_id, amount_fen, need_fen, general_fen,
    refunded_fen, fund_id, giver), plain values in id order, read once per check run: both checks go through all of
    them, and at a million postings reading them (not comparing them) is what takes the time."""
    table = Donation.__table__
    stmt = select(table.c.id, table.c.status, table.c.ledger_transaction_id, table.c.need_id, table.c.amount_fen,
                  table.c.need_fen, table.c.general_fen, table.c.refunded_fen, table.c.fund_id, table.c.donor_id,
                  table.c.guest_name)

    def read() -> list[tuple]:
        # Plain columns through the connection (no ORM rows, no enum objects), sorted here: the
        # database need not sort them all first.
        rows = [tuple(row) for row in session.connection().execute(stmt.execution_options(yield_per=BATCH))]
        rows.sort()
        return [(i, str(status), *rest, giver_key(donor_id, guest_name))
                for i, status, *rest, donor_id, guest_name in rows]

    return shared(session, "donations", read)


def _reference():
    return literal("donation:") + cast(Donation.id, String)


def _booked(session: Session, kind: TransactionKind) -> dict[int, tuple[int, int]]:
    """Per donation id: (transactions of ``kind``, fen they moved on fund balances); once per check run."""
    return shared(session, ("donations_booked", kind.value), lambda: _booked_now(session, kind))


def _booked_now(session: Session, kind: TransactionKind) -> dict[int, tuple[int, int]]:
    stmt = (select(LedgerTransaction.reference, func.count(func.distinct(LedgerTransaction.id)),
                   func.coalesce(func.sum(Entry.amount_fen), 0))
            .join(Entry, Entry.transaction_id == LedgerTransaction.id)
            .join(Account, Account.id == Entry.account_id)
            .where(LedgerTransaction.kind == kind.value, LedgerTransaction.posted.is_(True),
                   LedgerTransaction.reference.like("donation:%"), Account.purpose == AccountPurpose.fund_balance)
            .group_by(LedgerTransaction.reference))
    booked = {}
    for reference, count, fen in session.execute(stmt):
        booked[int(reference.split(":", 1)[1])] = (int(count), abs(int(fen)))
    return booked


@ledger_check("paid_donations_posted_once")
def paid_donations_posted_once(session: Session) -> list[Problem]:
    """Every settled donation has exactly one gift posting, the one it names; no other has any."""
    gifts = _booked(session, TransactionKind.gift)
    problems = []
    seen = set()
    for donation_id, status, txn_id, *_rest in _donations(session):
        seen.add(donation_id)
        count = gifts.get(donation_id, (0, 0))[0]
        settled = status in SETTLED_STATUSES
        if settled and (count != 1 or txn_id is None):
            problems.append({"donation": donation_id, "message": f"donation {donation_id} is {status} "
                             f"with {count} gift posting(s)"})
        if not settled and count:
            problems.append({"donation": donation_id, "message": f"donation {donation_id} is {status} "
                             f"but has {count} gift posting(s)"})
    for donation_id in sorted(set(gifts) - seen):
        problems.append({"donation": donation_id, "message": f"a gift is booked for donation {donation_id}, "
                         "which does not exist"})
    return problems


@ledger_check("donations_match_ledger")
def donations_match_ledger(session: Session) -> list[Problem]:
    """A settled gift's amount is what its posting put into funds, its split adds up, what it says
    was refunded is what refund postings took back, its receipt shows the same refund; and every
    money need that took gifts shows as raised what its gifts kept for it."""
    gifts = _booked(session, TransactionKind.gift)
    refunds = _booked(session, TransactionKind.refund)
    receipts = dict(session.execute(select(Receipt.donation_id, Receipt.refunded_fen)).all())
    problems = []
    kept_for_need: dict[int, int] = {}
    for donation_id, status, _txn, need_id, amount, need_fen, general_fen, refunded, *_giver in _donations(session):
        if status not in SETTLED:
            continue
        booked = gifts.get(donation_id, (0, 0))[1]
        if booked != amount:
            problems.append({"donation": donation_id, "message": f"donation {donation_id} is {amount} fen, "
                             f"the ledger booked {booked}"})
        if need_id is not None and need_fen + general_fen != amount:
            problems.append({"donation": donation_id, "message": f"donation {donation_id} splits "
                             f"{need_fen} + {general_fen} fen of {amount}"})
        taken_back = refunds.get(donation_id, (0, 0))[1]
        if taken_back != refunded:
            problems.append({"donation": donation_id, "message": f"donation {donation_id} shows {refunded} fen "
                             f"refunded, the ledger {taken_back}"})
        if receipts.get(donation_id) != refunded:
            problems.append({"donation": donation_id, "message": f"donation {donation_id}'s receipt does not "
                             "show its refunds (or is missing)"})
        if need_id is not None:
            # Refunds take back the general fund's share first (rules._book_refund).
            kept = need_fen - max(0, refunded - general_fen)
            kept_for_need[need_id] = kept_for_need.get(need_id, 0) + kept
    # The donations area never reverses its postings (a refund is its own transaction): a reversal
    # of one was made behind the gift's back, and the gift no longer says what the ledger holds.
    reversed_refs = session.scalars(select(LedgerTransaction.reference).distinct().where(
        LedgerTransaction.kind == TransactionKind.reversal.value, LedgerTransaction.reference.like("donation:%")))
    for reference in reversed_refs:
        problems.append({"donation": int(reference.split(":", 1)[1]),
                         "message": f"a posting of {reference} was reversed outside the donation's refunds"})
    if kept_for_need:
        raised = dict(session.execute(select(Need.id, Need.raised_fen).where(Need.id.in_(list(kept_for_need)))).all())
        for need_id, kept in sorted(kept_for_need.items()):
            if int(raised.get(need_id, 0)) != kept:
                problems.append({"need": need_id, "message": f"need {need_id} shows {raised.get(need_id)} fen "
                                 f"raised, its gifts kept {kept} for it"})
    return problems


@ledger_check("givers_match_gifts")
def _givers_match_gifts(session: Session) -> list[Problem]:
    """The number of givers a fund's or a need's public page shows (``donation_giver``) is the
    number of distinct givers of its settled gifts."""
    from_gifts: dict[int, set[str]] = {}
    for _id, status, *_rest, fund_id, giver in _donations(session):
        if status in SETTLED:
            from_gifts.setdefault(fund_id, set()).add(giver)
    recorded: dict[int, set[str]] = {}
    for fund_id, giver in session.connection().execute(
            select(DonationGiver.fund_id, DonationGiver.giver).execution_options(yield_per=BATCH)):
        recorded.setdefault(fund_id, set()).add(giver)
    counted = dict(session.execute(select(DonationFundGivers.fund_id, DonationFundGivers.givers)).all())
    problems = []
    for fund_id in sorted(set(from_gifts) | set(recorded) | set(counted)):
        gave, kept, shown = from_gifts.get(fund_id, set()), recorded.get(fund_id, set()), counted.get(fund_id, 0)
        if gave != kept or shown != len(gave):
            problems.append({"fund_id": fund_id, "message": f"fund {fund_id}: its page counts {shown} givers, "
                             f"{len(kept)} are kept, {len(gave)} gave in its settled gifts"})
    return problems
