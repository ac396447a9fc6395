"""What the donations pages show: a staff member's list, the public gifts of a fund or a need, a
donor's own gifts. Nothing here names a child."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlmodel import Session

from portal import access
from portal.donations.models import SETTLED_STATUSES, Donation, Receipt
from portal.donations.rules import givers_of
from portal.errors import NotFound
from portal.ledger.models import Fund, FundKind
from portal.needs.models import Need
from portal.regions.models import Level
from portal.regions.rules import level_of_code


def gifts_in_region(session: Session, actor, status: str | None = None, channel: str | None = None,
                    limit: int = 200) -> list[Donation]:
    """The gifts ``actor`` looks after (their region's subtree), newest first, optionally filtered."""
    access.require(actor, "donations.manage", None)
    prefix = access.scope_prefix(actor.region_code)
    mine = Donation.region_code.startswith(prefix, autoescape=True)
    if level_of_code(actor.region_code) in (Level.city, Level.province):
        mine = or_(mine, Donation.region_code.is_(None))  # online gifts to funds (access.py)
    stmt = select(Donation).where(mine)
    if status:
        stmt = stmt.where(Donation.status == status)
    if channel:
        stmt = stmt.where(Donation.channel == channel)
    return list(session.scalars(stmt.order_by(Donation.id.desc()).limit(limit)))


@dataclass(frozen=True)
class PublicGift:
    name: str  # the giver's name, or "" for an anonymous gift (shown as 爱心人士)
    amount_fen: int
    refunded_fen: int
    paid_at: datetime | None


def public_gifts(session: Session, *, fund_id: int | None = None, need_id: int | None = None,
                 limit: int = 100) -> tuple[list[PublicGift], int]:
    """The newest settled gifts of a fund or a need as the public sees them, and the number of
    givers (kept as each new giver's first gift is settled). Anonymous gifts carry no name. Donors'
    messages are not shown: one could name the child."""
    from portal.accounts.models import User

    where = [Donation.status.in_([s.value for s in SETTLED_STATUSES])]
    where.append(Donation.need_id == need_id if need_id is not None else Donation.fund_id == fund_id)
    rows = session.execute(select(Donation, User.display_name).outerjoin(User, User.id == Donation.donor_id)
                           .where(*where).order_by(Donation.paid_at.desc(), Donation.id.desc()).limit(limit)).all()
    gifts = [PublicGift("" if d.anonymous else (name or d.guest_name), d.amount_fen, d.refunded_fen, d.paid_at)
             for d, name in rows]
    if need_id is not None:
        fund_id = session.scalar(select(Fund.id).where(Fund.need_id == need_id))
    return gifts, givers_of(session, fund_id)


@dataclass(frozen=True)
class MyGift:
    donation: Donation
    fund_name_zh: str
    fund_name_en: str
    need_summary: str  # the need's public summary: never the child's name
    receipt: str


def gifts_of(session: Session, donor) -> list[MyGift]:
    """A donor's own gifts and what each went to: a fund's name, or a need's public summary."""
    access.require(donor, "donations.mine", None)
    rows = session.execute(
        select(Donation, Fund.name_zh, Fund.name_en, Need.public_summary, Need.kind, Receipt)
        .join(Fund, Fund.id == Donation.fund_id).outerjoin(Need, Need.id == Donation.need_id)
        .outerjoin(Receipt, Receipt.donation_id == Donation.id)
        .where(Donation.donor_id == donor.id).order_by(Donation.id.desc())).all()
    return [MyGift(d, zh, en, summary or "", receipt.code if receipt else "") for d, zh, en, summary, _k, receipt in rows]


def fund_of_code(session: Session, code: str) -> Fund:
    fund = session.scalar(select(Fund).where(Fund.code == code, Fund.kind != FundKind.need))
    if fund is None:
        raise NotFound(_l("There is no fund of that name."))
    return fund


def anomalies_in_region(session: Session, actor, limit: int = 200) -> list:
    """What Stripe reported that did not match the books, for the staff over the gifts concerned;
    anomalies of no known gift (or a gift to a fund) are the city's and province's. Newest first."""
    from portal.donations.models import DonationAnomaly

    access.require(actor, "donations.manage", None)
    prefix = access.scope_prefix(actor.region_code)
    mine = DonationAnomaly.region_code.startswith(prefix, autoescape=True)
    if level_of_code(actor.region_code) in (Level.city, Level.province):
        mine = or_(mine, DonationAnomaly.region_code.is_(None))
    return list(session.scalars(select(DonationAnomaly).where(mine).order_by(DonationAnomaly.id.desc()).limit(limit)))


def anomalies_of(session: Session, donation_id: int) -> list:
    from portal.donations.models import DonationAnomaly

    return list(session.scalars(select(DonationAnomaly).where(DonationAnomaly.donation_id == donation_id)
                                .order_by(DonationAnomaly.id)))
