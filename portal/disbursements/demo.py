"""Demo disbursements: two years of paid batches of the demo programmes, through the rules.

Each batch is listed and submitted by the county's staff (demo-county), approved by a second
staff member (demo-county-b) and, above the head's limit, by the head of Lanshan's bureau
(demo-county-head); the bank's
result pays all but about one in a hundred, whose failures are carried into the next batch. The
programme funds are funded first by offline gifts (the city's finance bureau, the provincial
lottery welfare fund) recorded and confirmed through the donations area, so ``ledger-check``
stays green. The insurance programme has a fund of its own, which the donations area does not
take gifts into: its batches are not paid here. Draws come from a generator of their own.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from portal.accounts.models import User
from portal.children import demo as children_demo
from portal.disbursements import rules
from portal.disbursements.models import DisbursementBatch, Entitlement, EntitlementState
from portal.donations import rules as donations
from portal.errors import Conflict
from portal.ledger.models import Fund
from portal.programmes.models import PeriodType, Programme, ProgrammeKind
from portal.regions.models import Region

TODAY = children_demo.TODAY
FAILURE_RATE = 0.01
PAYERS = {"scholarship": "山东省福利彩票发行中心", "living_allowance": "临沂市财政局", "medical_aid": "临沂市财政局"}
MEDICAL_TOWNS = 2  # medical aid paid once a year in two towns
# The living allowance is paid month by month in the demo town (Yitang), as towns send their lists:
# the whole district's 24 months would be ten thousand payments, minutes of loading for a demo.
ALLOWANCE_TOWN = "371302105000"


def periods(programme: Programme) -> list[str]:
    """The last two years' periods before the demo's day."""
    kind = PeriodType(programme.period_type)
    year, month = TODAY.year, TODAY.month
    if kind == PeriodType.monthly:
        out = []
        for back in range(24, 0, -1):
            y, m = divmod(year * 12 + month - 1 - back, 12)
            out.append(f"{y}-{m + 1:02d}")
        return out
    if kind == PeriodType.per_term:
        return [f"{y}-{t}" for y in (year - 1, year) for t in ("T1", "T2")]
    if kind == PeriodType.per_year:
        return [str(year - 1), str(year)]
    return [f"{year - 1}-06-30", f"{year}-06-30"]


def _fund(session: Session, maker: User, confirmer: User, programme: Programme, amount_fen: int, on: date,
          rng: random.Random) -> None:
    """A gift covering ``amount_fen`` (rounded up to 100,000 yuan), recorded and confirmed by two people."""
    fund = session.get(Fund, programme.fund_id)
    amount = -(-amount_fen // 10_000_000) * 10_000_000
    gift = donations.record_offline_gift(session, maker, donations.OfflineGift(
        amount_fen=amount, channel="bank", payer=PAYERS.get(fund.code, PAYERS["living_allowance"]),
        paid_on=min(on, TODAY), reference=f"DEMO-ALLOC-{rng.randint(10**8, 10**9 - 1)}", fund_code=fund.code,
        message=programme.name_zh), today=TODAY)
    if gift.status == "awaiting_confirmation":
        donations.confirm_offline_gift(session, confirmer, gift.id)


def _bank_result(session: Session, approver: User, batch: DisbursementBatch, rng: random.Random) -> tuple[int, int]:
    paid = failed = 0
    rows = session.scalars(select(Entitlement).where(Entitlement.batch_id == batch.id,
                                                     Entitlement.state == EntitlementState.approved)
                           .order_by(Entitlement.id)).all()
    for row in rows:
        if rng.random() < FAILURE_RATE:
            rules.record_failed(session, approver, row, rng.choice(("账户已销户", "户名与账号不符", "账户冻结")))
            failed += 1
        else:
            rules.record_paid(session, approver, row, f"DEMO{batch.id:05d}{row.id:07d}")
            paid += 1
    return paid, failed


def pay_programme(session: Session, programme: Programme, maker: User, checker: User, head: User,
                  rng: random.Random, region_code: str | None = None) -> tuple[int, int, int]:
    """Every period's batch of the last two years: listed, approved (funded first), paid."""
    batches = paid = failed = 0
    for period in periods(programme):
        try:
            batch = rules.create_batch(session, maker, programme, period, region_code)
        except Conflict:
            continue  # nobody due in that period
        rules.submit_batch(session, maker, batch)
        missing = rules.shortfall(session, batch)
        if missing:
            _fund(session, maker, head, programme, missing, rules.period_date(programme.period_type, period), rng)
        rules.approve_batch(session, checker, batch)
        if rules.needs_head(batch):
            rules.approve_batch(session, head, batch)
        p, f = _bank_result(session, checker, batch, rng)
        batches, paid, failed = batches + 1, paid + p, failed + f
        session.flush()
    return batches, paid, failed


def load(session: Session, scale: str, rng) -> list[str]:
    own_rng = random.Random(20_27)
    users = {u.username: u for u in session.scalars(select(User).where(
        User.username.in_(["demo-county", "demo-county-b", "demo-county-head"])))}
    if len(users) < 3:
        return ["disbursements: no demo staff, nothing paid"]
    maker, checker, head = users["demo-county"], users["demo-county-b"], users["demo-county-head"]
    lines = []
    programmes = session.scalars(select(Programme).where(Programme.owner_region_code == maker.region_code)
                                 .order_by(Programme.id)).all()
    for programme in programmes:
        if programme.kind == ProgrammeKind.insurance_premium:
            continue  # its own fund takes no gifts through the donations area (see the docstring)
        regions: list[str | None] = [None]
        if programme.kind == ProgrammeKind.living_allowance:
            regions = [ALLOWANCE_TOWN]
        elif programme.kind == ProgrammeKind.medical_aid:
            towns = session.scalars(select(Region.code).where(Region.parent_code == maker.region_code)
                                    .order_by(Region.code)).all()
            regions = list(towns[:MEDICAL_TOWNS])
        totals = [0, 0, 0]
        for region in regions:
            for i, n in enumerate(pay_programme(session, programme, maker, checker, head, own_rng, region)):
                totals[i] += n
        lines.append(f"disbursements: {programme.name_zh}: {totals[0]} batches, {totals[1]} paid, {totals[2]} failed")
    return lines
