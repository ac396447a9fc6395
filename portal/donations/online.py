"""Online gifts through Stripe Checkout: what a donor may give, the pending donation a Checkout
Session is opened for, and what each Stripe event does to it (webhooks.py receives them).

A donor (signed in, or a guest with a name or anonymous and an e-mail for the receipt) gives to a
money need open for donations, a programme or the general fund, an amount between
``ONLINE_MIN_FEN`` and ``ONLINE_MAX_FEN``. The donation is recorded ``pending`` before Stripe is
asked, so its id keys the Checkout Session (a retry opens the same one); it becomes paid only
through ``rules.settle`` when Stripe says it is paid. Monthly gifts go to funds only: a need is
raised once, a subscription would outlive it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlmodel import Session

from portal.accounts.roles import HELPER_ROLES
from portal.audit.rules import record
from portal.donations.models import Channel, Donation, DonationStatus
from portal.donations.rules import checked_amount, open_for_donations, target_fund
from portal.errors import DomainError, NotFound
from portal.ledger.models import Fund
from portal.needs.models import Need
from portal.types import utcnow

MONTHLY_FUNDS = ("general", "scholarship", "medical_aid", "living_allowance")
EMAIL_RE = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,24}", re.ASCII)


@dataclass
class OnlineGift:
    amount_fen: int
    need_id: int | None = None
    fund_code: str | None = None  # "general" or a programme's code, when not for a need
    name: str = ""  # a guest's name ("" with anonymous)
    email: str = ""
    anonymous: bool = False
    message: str = ""
    monthly: bool = False


def limits() -> tuple[int, int]:
    return current_app.config["ONLINE_MIN_FEN"], current_app.config["ONLINE_MAX_FEN"]


def target_kind(need: Need | None, fund_code: str | None, monthly: bool = False) -> str:
    """Which configured list of suggested amounts (``SUGGESTED_YUAN``) a gift's page offers."""
    if monthly and need is None:
        return "monthly"
    if need is not None:
        return "need"
    return "fund" if fund_code in (None, "general") else "programme"


def suggested_fen(need: Need | None, fund_code: str | None, monthly: bool = False) -> list[int]:
    """The amounts offered as buttons for a target (configured per kind of target), within the
    limits, in increasing order; a need also offers what it still lacks."""
    low, high = limits()
    amounts = [y * 100 for y in current_app.config["SUGGESTED_YUAN"][target_kind(need, fund_code, monthly)]]
    if need is not None:
        lacking = max(0, need.target_fen - need.raised_fen)
        if lacking and lacking not in amounts:
            amounts.append(lacking)
    return sorted(a for a in amounts if low <= a <= high)


def _is_donor(actor) -> bool:
    return getattr(actor, "is_authenticated", False) and getattr(actor, "role", None) in HELPER_ROLES


def start_online_gift(session: Session, actor, values: OnlineGift) -> Donation:
    """Record a pending online gift (Stripe is asked next, keyed on its id).

    Refuses: an amount outside the configured limits; a need that is not a money need open for
    donations; an unknown fund; a monthly gift to a need; a guest without an e-mail for the receipt,
    or without a name unless anonymous; a monthly gift from a guest (they manage it from their page).
    """
    checked_amount(values.amount_fen)
    low, high = limits()
    if not low <= values.amount_fen <= high:
        raise DomainError(_l("Give between %(low)s and %(high)s yuan online.", low=f"{low // 100:,}",
                             high=f"{high // 100:,}"), field="amount")
    need = None
    if values.need_id is not None:
        need = session.get(Need, values.need_id)
        if need is None or not open_for_donations(need):
            raise NotFound(_l("This need is not open for donations."))
        if values.monthly:
            raise DomainError(_l("Monthly giving goes to a fund or a programme, not to one need."), field="monthly")
    elif values.fund_code not in MONTHLY_FUNDS:
        raise NotFound(_l("There is no fund of that name."))
    donor = _is_donor(actor)
    if values.monthly and not donor:
        raise DomainError(_l("Sign in to give monthly: you manage or cancel it from your page."), field="monthly")
    email = (values.email or "").strip() or (getattr(actor, "email", "") or "" if donor else "")
    if email and not EMAIL_RE.fullmatch(email):
        raise DomainError(_l("Enter a valid e-mail address."), field="email")
    name = (values.name or "").strip()
    if not donor:
        if not email:
            raise DomainError(_l("Give an e-mail address for your receipt."), field="email")
        if not name and not values.anonymous:
            raise DomainError(_l("Give your name, or choose to give anonymously."), field="name")
    if len(name) > 100:
        raise DomainError(_l("The name is too long."), field="name")
    fund = target_fund(session, need, values.fund_code)
    # A donor whose profile says "my name is never shown with my gifts" gives anonymously, box or not.
    anonymous = bool(values.anonymous) or (donor and prefers_anonymity(session, actor))
    donation = Donation(
        fund_id=fund.id, need_id=need.id if need else None, region_code=need.county_code if need else None,
        donor_id=actor.id if donor else None, guest_name=name, email=email[:200], anonymous=anonymous,
        message=(values.message or "").strip()[:500], amount_fen=values.amount_fen, channel=Channel.online,
    )
    session.add(donation)
    session.flush()
    record(session, actor if donor else None, "donation.start_online", "donation", donation.id,
           region_code=donation.region_code, detail={"amount_fen": donation.amount_fen, "monthly": values.monthly})
    return donation


def prefers_anonymity(session: Session, user) -> bool:
    """Whether a signed-in helper chose, in their profile, never to be named with their gifts."""
    from portal.helpers.models import HelperProfile

    if not getattr(user, "is_authenticated", False):
        return False
    return bool(session.scalar(select(HelperProfile.anonymous).where(HelperProfile.user_id == user.id)))


def product_name(session: Session, donation: Donation, lang: str) -> str:
    """What Checkout shows the donor: the fund's name, or the need's public summary (never a child's name)."""
    if donation.need_id is not None:
        summary = session.get(Need, donation.need_id).public_summary
        return (("捐赠：" if lang == "zh" else "Donation: ") + summary)[:120]
    fund = session.get(Fund, donation.fund_id)
    return ("捐赠：" + fund.name_zh) if lang == "zh" else ("Donation: " + fund.name_en)


def attach_checkout(session: Session, donation_id: int, checkout_session_id: str,
                    subscription: bool = False) -> None:
    """Remember the Checkout Session opened for a pending gift (the webhook finds the gift by it)."""
    session.execute(update(Donation).where(Donation.id == donation_id, Donation.status == DonationStatus.pending)
                    .values(stripe_checkout_session_id=checkout_session_id, updated_at=utcnow())
                    .execution_options(synchronize_session=False))


def checkout_not_opened(session: Session, donation_id: int) -> None:
    """Stripe refused or could not be reached: the gift is marked failed (never deleted)."""
    session.execute(update(Donation).where(Donation.id == donation_id, Donation.status == DonationStatus.pending)
                    .values(status=DonationStatus.failed, updated_at=utcnow())
                    .execution_options(synchronize_session=False))


def by_checkout_session(session: Session, checkout_session_id: str) -> Donation | None:
    return session.scalar(select(Donation).where(Donation.stripe_checkout_session_id == checkout_session_id))


@dataclass(frozen=True)
class MonthlyGift:
    first: Donation  # the month the subscription was opened with
    months_paid: int
    cancelled: bool


def monthly_gifts_of(session: Session, donor) -> list[MonthlyGift]:
    """A donor's monthly gifts (one per subscription), with how many months were paid."""
    from portal.donations.models import SETTLED_STATUSES

    rows = list(session.scalars(select(Donation).where(Donation.donor_id == donor.id,
                                                       Donation.stripe_subscription_id.is_not(None))
                                .order_by(Donation.id)))
    by_subscription: dict[str, list[Donation]] = {}
    for row in rows:
        by_subscription.setdefault(row.stripe_subscription_id, []).append(row)
    return [MonthlyGift(months[0], sum(m.status in SETTLED_STATUSES for m in months),
                        any(m.monthly_cancelled_at is not None for m in months))
            for months in by_subscription.values()]


def cancel_monthly(session: Session, actor, donation_id: int) -> None:
    """The donor stops a monthly gift: Stripe cancels the subscription (no month is charged after),
    then every month of it is marked. Refuses anyone but the donor (as not found) and a gift that
    is not monthly or already cancelled."""
    from portal.donations import stripe_gateway
    from portal.errors import Conflict

    donation = session.get(Donation, donation_id)
    if donation is None or not _is_donor(actor) or donation.donor_id != actor.id \
            or not donation.stripe_subscription_id:
        raise NotFound(_l("This gift does not exist or is outside your region."))
    subscription = donation.stripe_subscription_id
    if session.scalar(select(Donation.id).where(Donation.stripe_subscription_id == subscription,
                                                Donation.monthly_cancelled_at.is_not(None))) is not None:
        raise Conflict(_l("This monthly gift is already cancelled."))
    try:
        stripe_gateway.cancel_subscription(subscription)
    except stripe_gateway.GatewayError as error:
        raise DomainError(_l("Stripe did not cancel the monthly gift: %(reason)s", reason=str(error))) from error
    session.execute(update(Donation).where(Donation.stripe_subscription_id == subscription)
                    .values(monthly_cancelled_at=utcnow()).execution_options(synchronize_session=False))
    record(session, actor, "donation.cancel_monthly", "donation", donation.id, region_code=donation.region_code,
           detail={"subscription": subscription})


def mail_receipt_link(session: Session, donation: Donation) -> None:
    """After the gift is booked (on commit), mail a guest the signed link to their receipt; a signed-in
    donor finds it on their page. Nothing is sent if the transaction rolls back."""
    if donation.donor_id is not None or not donation.email:
        return
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from portal import db
    from portal.donations import receipts
    from portal.mail import send_mail
    from portal.web import public_url

    token = receipts.guest_link_token(current_app.config["SECRET_KEY"], donation.id)
    link = public_url("donations.receipt", donation_id=donation.id, token=token)
    with force_locale("zh"):
        subject = _("Tongxin: your donation receipt")
        body = _("Thank you: your gift of %(amount)s yuan is confirmed. Your receipt: %(link)s",
                 amount=f"{donation.amount_fen // 100:,}.{donation.amount_fen % 100:02d}", link=link)
    to = donation.email
    db.after_commit(session, lambda: send_mail(to, subject, body))
