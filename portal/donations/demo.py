"""Demo donations: the money that funds the demo's money needs, booked the way real gifts are.

Every gift is a bank transfer or cash recorded by the county's civil-affairs staff and settled
through ``rules.settle`` (its ledger posting, the need's raised amount, its receipt number), so
``flask ledger-check`` holds on the demo database. About a third of the money needs on the board
are funded in full (the last gift often exceeds the target: the excess goes to the general fund),
the others partly; gifts are online (made-up Stripe ids: no Stripe call is made) or offline, some
come from demo-donor (so the recommender has donations to learn from, and a monthly gift to the
scholarship fund), some are anonymous, some partly or wholly refunded, and some go to the general
and programme funds. Deterministic for the seed; needs are read in batches of ids, and each gift is settled in the
loader's transaction.
"""

from __future__ import annotations

import time as clock
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlmodel import Session

from portal.accounts.models import User
from portal.donations import refunds, rules
from portal.donations.models import Channel, Donation
from portal.helpers.models import HelperProfile
from portal.ledger import rules as ledger
from portal.ledger.models import FundKind
from portal.needs.models import Need, NeedKind, NeedStatus
from portal.types import utcnow

BATCH = 1000
PAYERS = ["王建国", "李秀英", "临沂某商贸有限公司", "张志强", "陈海燕", "兰山区某爱心车队", "刘桂兰", "赵文明"]
MESSAGES = ["祝孩子早日康复！", "一点心意，希望孩子好好读书。", "", "", "加油！"]
REFUND_REASONS = ["捐赠人重复转账，退回多转部分。", "捐赠人要求撤回捐赠。"]


def _staff_of(session: Session, county_code: str, cache: dict) -> User | None:
    if county_code not in cache:
        cache[county_code] = session.scalar(select(User).where(User.region_code == county_code,
                                                               User.role == "civil_affairs").order_by(User.id))
    return cache[county_code]


def _gives_anonymously(session: Session, donor_id: int) -> bool:
    return bool(session.scalar(select(HelperProfile.anonymous).where(HelperProfile.user_id == donor_id)))


def _gift(session: Session, staff: User, fund_id: int, need: Need | None, amount: int, at, rng, donor_id=None,
          channel: Channel | None = None, stripe: dict | None = None) -> Donation:
    """One gift, settled. Online ones carry made-up Stripe ids (``…_demo_…``): no Stripe call is made;
    they are booked from Stripe clearing as the webhook will book real ones."""
    channel = channel or rng.choice((Channel.online, Channel.online, Channel.bank, Channel.cash))
    online = channel == Channel.online
    donation = Donation(
        fund_id=fund_id, need_id=need.id if need else None,
        region_code=need.county_code if need else (None if online else staff.region_code), donor_id=donor_id,
        # A donor who chose anonymous giving in their profile gives anonymously (demo-donor does).
        guest_name="" if donor_id else rng.choice(PAYERS),
        anonymous=(rng.random() < 0.25) or (donor_id is not None and _gives_anonymously(session, donor_id)),
        message=rng.choice(MESSAGES), amount_fen=amount, channel=channel,
        payer="" if online else rng.choice(PAYERS), paid_on=None if online else at.date(),
        reference=f"DEMO{rng.randint(10**9, 10**10 - 1)}" if channel == Channel.bank else "",
        recorded_by_id=None if online else staff.id, created_at=at, updated_at=at, **(stripe or {}))
    session.add(donation)
    session.flush()
    if online and not stripe:
        for field, prefix in (("stripe_checkout_session_id", "cs"), ("stripe_payment_intent_id", "pi"),
                              ("stripe_charge_id", "ch")):
            setattr(donation, field, f"{prefix}_demo_{donation.id}")
    return rules.settle(session, None if online else staff, donation.id, at=at)


# The province set gives to this share of its money needs: each gift goes through ``settle`` (the
# posting, the need, the receipt, the audit), and all of them took 22 minutes of a 26-minute load.
PROVINCE_GIVEN_SHARE = 0.2


def load(session: Session, scale: str, rng) -> list[str]:
    started = clock.perf_counter()
    donor_id = session.scalar(select(User.id).where(User.username == "demo-donor"))
    staff_cache: dict = {}
    now = utcnow()
    gifts = given_back = funded = 0
    last_id = 0
    while True:
        needs = session.scalars(select(Need).where(Need.id > last_id, Need.kind == NeedKind.money,
                                                   Need.status == NeedStatus.published)
                                .order_by(Need.id).limit(BATCH)).all()
        if not needs:
            break
        last_id = needs[-1].id
        for need in needs:
            staff = _staff_of(session, need.county_code, staff_cache)
            if staff is None or need.target_fen <= 0:
                continue
            if scale != "small" and rng.random() >= PROVINCE_GIVEN_SHARE:
                continue  # most of a province's money needs wait for their first gift
            fund = ledger.fund_for_need(session, need)
            full = rng.random() < 0.35
            goal = need.target_fen if full else rng.randint(0, need.target_fen * 9 // 10) // 10_000 * 10_000
            published = need.published_at or now - timedelta(days=30)
            span = max(1.0, (now - published).total_seconds() / 3600 - 1)
            moments = sorted(published + timedelta(hours=rng.uniform(0.5, span)) for _ in range(rng.randint(1, 4)))
            given = 0
            for i, at in enumerate(moments):
                last = i == len(moments) - 1
                if given >= goal:
                    break
                share = goal - given if last else max(100, (goal - given) * rng.randint(20, 60) // 100 // 100 * 100)
                if last and full and rng.random() < 0.4:
                    share += rng.randint(1, 20) * 10_000  # more than it lacked: the rest to the general fund
                who = donor_id if donor_id and rng.random() < 0.2 else None
                donation = _gift(session, staff, fund.id, need, share, at, rng, who)
                given += donation.need_fen
                gifts += 1
                # Refunds of offline gifts only: an online one is refunded through Stripe, which the demo never calls.
                if not full and rng.random() < 0.08 and donation.amount_fen >= 200 and donation.channel != Channel.online:
                    part = donation.amount_fen if rng.random() < 0.5 else donation.amount_fen // 2
                    part = min(part, current_app.config["REFUND_CONFIRM_FEN"])  # one person may book it
                    refunds.refund(session, staff, donation.id, part, rng.choice(REFUND_REASONS))
                    given_back += 1
                session.refresh(need)
            funded += need.status == NeedStatus.claimed
        # Written; the rows of this batch need not stay in memory (province scale).
        session.flush()
        session.expunge_all()
        staff_cache.clear()
    # Gifts to the general and programme funds, recorded by the demo county's and city's staff.
    staff = [u for u in (session.scalar(select(User).where(User.username == name))
                         for name in ("demo-county", "demo-city")) if u is not None]
    if staff:
        funds = [f for f in ledger.standard_funds(session) if f.kind in (FundKind.general, FundKind.programme)]
        for i in range(40 if scale == "small" else 400):
            at = now - timedelta(days=rng.uniform(1, 300))
            fund = funds[i % len(funds)]
            _gift(session, staff[i % len(staff)], fund.id, None, rng.randint(1, 200) * 1000, at, rng,
                  donor_id if donor_id and i % 5 == 0 else None)
            gifts += 1
    monthly = 0
    if staff and donor_id:
        # demo-donor gives 100 yuan a month to the scholarship fund (a Stripe subscription): one
        # gift per monthly invoice, the last twelve months.
        scholarship = ledger.programme_fund(session, "scholarship")
        for month in range(12, 0, -1):
            at = now - timedelta(days=30 * month)
            _gift(session, staff[0], scholarship.id, None, 10_000, at, rng, donor_id, Channel.online,
                  {"stripe_subscription_id": "sub_demo_donor", "stripe_invoice_id": f"in_demo_donor_{month}",
                   "stripe_payment_intent_id": f"pi_demo_donor_{month}", "stripe_charge_id": f"ch_demo_donor_{month}"})
            monthly += 1
            gifts += 1
    session.flush()
    return [f"donations: {gifts} gifts ({monthly} monthly, {given_back} refunds), {funded} money needs funded; "
            f"{clock.perf_counter() - started:.1f} s"]
