"""Donations: recording offline gifts, confirming them, settling any gift into the ledger (refunds
are in ``refunds``, what pages show in ``queries``).

``settle`` is the one place a donation becomes paid. In one database transaction it posts the
gift's single ledger transaction (bank, cash or Stripe clearing → the fund balances), adds the
need's part to the need (``needs.claims.add_funding``) and gives the gift the next receipt number
of the year; what exceeds the need's target goes to the general fund. It is applied by a
conditional UPDATE from ``pending``, so applying it twice (two confirmers, a webhook sent again)
books it once. Offline gifts above ``OFFLINE_CONFIRM_FEN`` wait for a second staff member, never
the one who recorded them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal import access, db
from portal.audit.rules import record
from portal.donations.models import (
    SETTLED_STATUSES,
    Channel,
    Donation,
    DonationAnomaly,
    DonationFundGivers,
    DonationGiver,
    DonationStatus,
    Receipt,
    ReceiptCounter,
    giver_key,
)
from portal.errors import Conflict, DomainError, NotAllowed, NotFound
from portal.ledger import rules as ledger
from portal.ledger.models import AccountPurpose, Fund, TransactionKind
from portal.needs.claims import add_funding, lock_need
from portal.needs.models import Need, NeedKind, NeedStatus
from portal.types import utcnow

# Receipts are numbered per calendar year in China.
RECEIPT_TIMEZONE = ZoneInfo("Asia/Shanghai")
MAX_GIFT_FEN = 10**13  # 100 billion yuan: more is a typing mistake, and fits a BIGINT many times
SOURCE = {Channel.online: AccountPurpose.stripe_clearing, Channel.bank: AccountPurpose.bank,
          Channel.cash: AccountPurpose.cash}
# Yuan as people type them: ASCII digits only (no full-width or look-alike digits), at most two decimals.
YUAN_RE = re.compile(r"[0-9]{1,11}(?:\.[0-9]{1,2})?", re.ASCII)


def parse_yuan(text: str) -> int:
    """``"123.45"`` → ``12345`` fen, with string arithmetic only (no float). Refuses anything else:
    signs, exponents, more than two decimals, full-width digits, empty."""
    text = (text or "").strip().replace(",", "")
    if not YUAN_RE.fullmatch(text):
        raise DomainError(_l("Enter an amount in yuan, such as 200 or 199.50."), field="amount")
    whole, _dot, cents = text.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def checked_amount(amount_fen) -> int:
    """``amount_fen`` if it is a positive int of fen within reason; refuses anything else."""
    if type(amount_fen) is not int or amount_fen <= 0:
        raise DomainError(_l("The amount must be more than zero."), field="amount")
    if amount_fen > MAX_GIFT_FEN:
        raise DomainError(_l("That amount is too large."), field="amount")
    return amount_fen


def receipt_year(at: datetime) -> int:
    return at.astimezone(RECEIPT_TIMEZONE).year


# --- what a gift is for ------------------------------------------------------------------------------


def open_for_donations(need: Need) -> bool:
    return need.kind == NeedKind.money and need.status == NeedStatus.published


def split_for(need: Need | None, amount_fen: int) -> tuple[int, int]:
    """How a gift of ``amount_fen`` towards ``need`` divides: (to the need, to the general fund).
    The need takes what it still lacks of its target while it is open for donations; the rest
    goes to the general fund (the page says so before anyone pays)."""
    if need is None:
        return 0, amount_fen
    lacking = max(0, need.target_fen - need.raised_fen) if open_for_donations(need) else 0
    to_need = min(amount_fen, lacking)
    return to_need, amount_fen - to_need


def target_fund(session: Session, need: Need | None, fund_code: str | None) -> Fund:
    """The fund a gift goes into: the need's own fund, or the general or a programme fund."""
    if need is not None:
        if need.kind != NeedKind.money:
            raise DomainError(_l("Only a money need takes donations."))
        return ledger.fund_for_need(session, need)
    if not fund_code or fund_code == "general":
        return ledger.general_fund(session)
    return ledger.programme_fund(session, fund_code)


# --- offline gifts -----------------------------------------------------------------------------------


@dataclass
class OfflineGift:
    amount_fen: int
    channel: str  # "bank" or "cash"
    payer: str
    paid_on: date | None
    reference: str = ""
    need_id: int | None = None
    fund_code: str | None = None  # "general" or a programme's code, when not for a need
    donor_id: int | None = None  # a donor's account, when the payer has one
    anonymous: bool = False
    message: str = ""
    receipt_scan_path: str | None = None


def _offline_values(values: OfflineGift, today: date) -> tuple[Channel, str, str]:
    checked_amount(values.amount_fen)
    if values.channel not in (Channel.bank.value, Channel.cash.value):
        raise DomainError(_l("An offline gift is a bank transfer or cash."), field="channel")
    payer = (values.payer or "").strip()
    if not payer:
        raise DomainError(_l("Say who paid."), field="payer")
    if len(payer) > 100:
        raise DomainError(_l("The payer's name is too long."), field="payer")
    if values.paid_on is None:
        raise DomainError(_l("Give the date the money was received."), field="paid_on")
    if values.paid_on > today:
        raise DomainError(_l("The date received cannot be in the future."), field="paid_on")
    reference = (values.reference or "").strip()
    if values.channel == Channel.bank.value and not reference:
        raise DomainError(_l("A bank transfer needs its transaction reference."), field="reference")
    if len(reference) > 100:
        raise DomainError(_l("The reference is too long."), field="reference")
    return Channel(values.channel), payer, reference


def record_offline_gift(session: Session, actor, values: OfflineGift, today: date | None = None) -> Donation:
    """Record a bank transfer or cash gift towards a money need or into a fund.

    At or below ``OFFLINE_CONFIRM_FEN`` it is settled at once; above it waits for a second staff
    member (``confirm_offline_gift``). Refuses: staff without authority over the need (or any fund),
    a need that is not a money need open for donations, an unknown fund, a donor account that is
    not a donor's, an amount that is not a positive int of fen, no payer, no or a future date, and a
    bank transfer without its reference.
    """
    today = today or datetime.now(RECEIPT_TIMEZONE).date()
    need = None
    if values.need_id is not None:
        need = session.get(Need, values.need_id)
        if need is None or not access.allowed(actor, "donations.record", need):
            raise NotFound(_l("This need does not exist or is outside your region."))
        if not open_for_donations(need):
            raise DomainError(_l("This need is not open for donations; record the gift to a fund instead."))
    else:
        access.require(actor, "donations.record", None)
    channel, payer, reference = _offline_values(values, today)
    message = (values.message or "").strip()[:500]
    if values.donor_id is not None:
        from portal.accounts.models import User
        from portal.accounts.roles import HELPER_ROLES

        donor = session.get(User, values.donor_id)
        if donor is None or donor.role not in HELPER_ROLES:
            raise DomainError(_l("That account is not a donor's."), field="donor")
    fund = target_fund(session, need, values.fund_code)
    waits = values.amount_fen > current_app.config["OFFLINE_CONFIRM_FEN"]
    donation = Donation(
        fund_id=fund.id, need_id=need.id if need else None,
        region_code=need.county_code if need else actor.region_code,
        donor_id=values.donor_id, guest_name=payer, anonymous=bool(values.anonymous), message=message,
        amount_fen=values.amount_fen, channel=channel,
        status=DonationStatus.awaiting_confirmation if waits else DonationStatus.pending,
        payer=payer, paid_on=values.paid_on, reference=reference, receipt_scan_path=values.receipt_scan_path,
        recorded_by_id=actor.id,
    )
    session.add(donation)
    session.flush()
    record(session, actor, "donation.record", "donation", donation.id, region_code=donation.region_code,
           detail={"amount_fen": donation.amount_fen, "channel": channel.value, "waits": waits})
    if not waits:
        settle(session, actor, donation.id)
    return donation


def load_donation(session: Session, actor, donation_id: int, rule: str = "donations.manage") -> Donation:
    donation = session.get(Donation, donation_id)
    if donation is None or not access.allowed(actor, rule, donation):
        raise NotFound(_l("This gift does not exist or is outside your region."))
    return donation


def confirm_offline_gift(session: Session, actor, donation_id: int) -> Donation:
    """A second staff member confirms an offline gift that waits, which settles it.

    Refuses: staff without authority over the gift; the person who recorded it (never their own);
    a gift not waiting for confirmation. Two staff confirming at the same moment: one conditional
    UPDATE from ``awaiting_confirmation`` decides, one wins, the other is told it is done.
    """
    donation = load_donation(session, actor, donation_id)
    if donation.recorded_by_id == actor.id:
        raise NotAllowed(_l("You recorded this gift: another staff member must confirm it."))
    won = session.execute(
        update(Donation).where(Donation.id == donation_id, Donation.status == DonationStatus.awaiting_confirmation,
                               Donation.recorded_by_id != actor.id)
        .values(status=DonationStatus.pending, confirmed_by_id=actor.id, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if won != 1:
        raise Conflict(_l("This gift is not waiting for confirmation: someone has already confirmed it."))
    record(session, actor, "donation.confirm", "donation", donation_id, region_code=donation.region_code)
    return settle(session, actor, donation_id)


def cancel_offline_gift(session: Session, actor, donation_id: int, reason: str) -> Donation:
    """A gift recorded by mistake, still waiting for confirmation, is marked failed (never deleted).
    Refuses without a reason, and a gift that is not waiting."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason."), field="reason")
    donation = load_donation(session, actor, donation_id)
    done = session.execute(
        update(Donation).where(Donation.id == donation_id, Donation.status == DonationStatus.awaiting_confirmation)
        .values(status=DonationStatus.failed, updated_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise Conflict(_l("This gift is not waiting for confirmation: someone has already confirmed it."))
    record(session, actor, "donation.cancel", "donation", donation_id, region_code=donation.region_code,
           detail={"reason": reason[:500]})
    session.refresh(donation)
    return donation


# --- settling: the one place a gift becomes paid -------------------------------------------------------


def next_receipt_number(session: Session, year: int) -> int:
    """The next receipt number of ``year``, taken in the caller's transaction: the counter row is
    updated (and so locked) until it commits, and a rollback gives the number back: no gaps."""
    bump = (update(ReceiptCounter).where(ReceiptCounter.year == year)
            .values(last_number=ReceiptCounter.last_number + 1).returning(ReceiptCounter.last_number)
            .execution_options(synchronize_session=False))
    number = session.execute(bump).scalar_one_or_none()
    if number is None:
        try:
            with session.begin_nested():
                session.execute(insert(ReceiptCounter).values(year=year, last_number=0))
        except IntegrityError:
            pass  # another posting created the year's counter first
        number = session.execute(bump).scalar_one()
    return number


def settle(session: Session, actor, donation_id: int, at: datetime | None = None) -> Donation:
    """Make a pending donation paid: its ledger posting, the need's raised amount and its receipt,
    in the caller's transaction. A donation already settled is returned unchanged (a no-op);
    refuses one that waits for confirmation, failed, or does not exist."""
    at = at or utcnow()
    moved = session.execute(
        update(Donation).where(Donation.id == donation_id, Donation.status == DonationStatus.pending)
        .values(status=DonationStatus.paid, paid_at=at, updated_at=at).execution_options(synchronize_session=False)
    ).rowcount
    donation = session.execute(select(Donation).where(Donation.id == donation_id)
                               .execution_options(populate_existing=True)).scalar_one_or_none()
    if donation is None:
        raise NotFound(_l("This gift does not exist or is outside your region."))
    if moved != 1:
        if donation.status in SETTLED_STATUSES:
            return donation
        raise Conflict(_l("This gift cannot be booked as paid in its present state."))

    fund = session.get(Fund, donation.fund_id)
    need = lock_need(session, donation.need_id) if donation.need_id is not None else None
    to_need, to_general = split_for(need, donation.amount_fen) if need is not None else (0, 0)
    source = ledger.system_account(session, SOURCE[Channel(donation.channel)])
    legs = [(source, donation.amount_fen)]
    if need is None:
        legs.append((ledger.fund_account(session, fund), -donation.amount_fen))
    else:
        if to_need:
            legs.append((ledger.fund_account(session, fund), -to_need))
        if to_general:
            legs.append((ledger.fund_account(session, ledger.general_fund(session)), -to_general))
    txn = ledger.post(session, actor, TransactionKind.gift, legs, memo=f"donation {donation.id}",
                      reference=f"donation:{donation.id}")
    if to_need:
        add_funding(session, need, to_need, actor)
    year = receipt_year(at)
    session.add(Receipt(donation_id=donation.id, year=year, number=next_receipt_number(session, year), issued_at=at))
    count_giver(session, donation.fund_id, giver_key(donation.donor_id, donation.guest_name))
    donation.ledger_transaction_id = txn.id
    donation.need_fen, donation.general_fen = to_need, to_general
    session.add(donation)
    session.flush()
    record(session, actor, "donation.settle", "donation", donation.id, region_code=donation.region_code,
           detail={"amount_fen": donation.amount_fen, "need_fen": to_need, "general_fen": to_general,
                   "transaction": txn.id})
    return donation


def count_giver(session: Session, fund_id: int, giver: str) -> bool:
    """Note ``giver`` among the givers of ``fund_id``; counted once however often they give (and
    however two of their gifts race). True when they are new to the fund."""
    insert = db.insert_for(session)
    new = session.execute(insert(DonationGiver).values(fund_id=fund_id, giver=giver)
                          .on_conflict_do_nothing().returning(DonationGiver.id)).scalar() is not None
    if new:
        session.execute(insert(DonationFundGivers).values(fund_id=fund_id, givers=1).on_conflict_do_update(
            index_elements=[DonationFundGivers.fund_id], set_={"givers": DonationFundGivers.givers + 1}))
    return new


def givers_of(session: Session, fund_id: int | None) -> int:
    """How many people gave to the fund (a fund's or a need's public page)."""
    if fund_id is None:
        return 0
    return int(session.scalar(select(DonationFundGivers.givers).where(DonationFundGivers.fund_id == fund_id)) or 0)


def receipt_of(session: Session, donation_id: int) -> Receipt | None:
    return session.scalar(select(Receipt).where(Receipt.donation_id == donation_id))


# --- what Stripe reported that did not match the books ---------------------------------------------


def resolve_anomaly(session: Session, actor, anomaly_id: int, note: str) -> DonationAnomaly:
    """Staff looked into an anomaly and mark it resolved, saying what they found (audited with the
    note). Refuses: staff not over its region (an anomaly of no known gift is the city's and
    province's), no note or one over 500 characters, and an anomaly already resolved."""
    access.require(actor, "donations.manage", None)
    found = session.get(DonationAnomaly, anomaly_id)
    if found is None or not access.allowed(actor, "donations.manage", found):
        raise NotFound(_l("This report does not exist or is outside your region."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("Say what was found and done."), field="note")
    if len(note) > 500:
        raise DomainError(_l("The note is too long."), field="note")
    now = utcnow()
    done = session.execute(update(DonationAnomaly).where(DonationAnomaly.id == anomaly_id,
                                                         DonationAnomaly.resolved_at.is_(None))
                           .values(resolved_at=now).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise Conflict(_l("This report is already marked resolved."))
    record(session, actor, "donation.anomaly_resolved", "donation_anomaly", anomaly_id, region_code=found.region_code,
           detail={"note": note, "kind": found.kind, "donation": found.donation_id})
    session.refresh(found)
    return found
