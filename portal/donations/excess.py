"""What gifts to money needs gave above the need's target, which ``rules.settle`` moved to the general
fund (``Donation.general_fen``): listed on the general fund's public page beside the gifts made to it,
so that its list explains its "received" figure. A line names the giver (anonymous: no name) and the
part moved, never the need nor its child."""

from __future__ import annotations

from sqlalchemy import BigInteger, cast, func, literal_column, select
from sqlmodel import Session

from portal.donations.models import SETTLED_STATUSES, Donation
from portal.donations.queries import PublicGift


def _excess():
    # "> 0" written out, not bound: the partial index ix_donation_excess_paid is used only then.
    return [Donation.general_fen > literal_column("0"), Donation.need_id.is_not(None),
            Donation.status.in_([s.value for s in SETTLED_STATUSES])]


def excess_gifts(session: Session, limit: int = 100) -> tuple[list[PublicGift], int]:
    """The newest need gifts' parts moved to the general fund, as the public sees them (amount: the
    part moved; refunded: what refunds took of it, which they take first), and the fen moved in all."""
    from portal.accounts.models import User

    rows = session.execute(select(Donation.anonymous, Donation.guest_name, Donation.general_fen, Donation.refunded_fen,
                                  Donation.paid_at, User.display_name)
                           .outerjoin(User, User.id == Donation.donor_id).where(*_excess())
                           .order_by(Donation.paid_at.desc(), Donation.id.desc()).limit(limit)).all()
    gifts = [PublicGift("" if anonymous else (name or guest), moved, min(refunded, moved), paid_at)
             for anonymous, guest, moved, refunded, paid_at, name in rows]
    total = session.scalar(select(cast(func.coalesce(func.sum(Donation.general_fen), 0), BigInteger))
                           .where(*_excess()))
    return gifts, int(total or 0)
