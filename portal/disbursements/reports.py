"""Disbursement reports, computed from the ledger: the payment legs (``disbursement_paid``, payable
→ bank) that were not reversed, with each leg's child, village, category and period read from the
entitlement it paid. "为N名儿童发放X元" is this module's sentence; a test holds it to the ledger
to the fen."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, cast, exists, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from portal import access
from portal.children.labels import CATEGORY_LABELS
from portal.disbursements.models import Entitlement
from portal.errors import DomainError
from portal.ledger import rules as ledger
from portal.ledger.models import AccountPurpose, Entry, LedgerTransaction
from portal.programmes.models import Programme
from portal.regions.rules import level_of_code, subtree_bounds

PERIOD_CHARACTERS = set("0123456789-T")


@dataclass
class Line:
    category: str
    children: int
    person_times: int
    amount_fen: int

    @property
    def label(self) -> str:
        return str(CATEGORY_LABELS.get(self.category, self.category or "—"))


@dataclass
class Report:
    region_code: str
    period: str
    programme: Programme | None
    children: int = 0
    person_times: int = 0
    amount_fen: int = 0
    lines: list[Line] = field(default_factory=list)

    def sentence(self) -> str:
        """"为215名儿童发放1,075,000元", in the reader's language."""
        return _("%(children)s children received %(amount)s yuan", children=f"{self.children:,}",
                 amount=yuan(self.amount_fen))


def yuan(fen: int) -> str:
    """Whole yuan without decimals, otherwise to the fen: "219,150", "219,150.50"."""
    text = ledger.format_fen(fen)
    return text[:-3] if text.endswith(".00") else text


def _period(text: str) -> str:
    text = (text or "").strip()
    if len(text) > 10 or not text.isascii() or not set(text) <= PERIOD_CHARACTERS:
        raise DomainError(_l("Write the period like 2026, 2026-09 or 2026-T1."), field="period")
    return text


def paid_legs(session: Session, region_code: str, period: str = "", programme_id: int | None = None):
    """The unreversed payment legs on disbursements payable, with the entitlement's child,
    category and the leg's amount, for a region's subtree, a period prefix and a programme."""
    payable = ledger.system_account(session, AccountPurpose.disbursements_payable)
    reversal = aliased(LedgerTransaction)
    low, high = subtree_bounds(region_code, level_of_code(region_code))
    stmt = (select(Entitlement.child_id.label("child_id"), Entitlement.category.label("category"),
                   Entry.amount_fen.label("amount"))
            .join(LedgerTransaction, LedgerTransaction.id == Entitlement.payment_txn_id)
            .join(Entry, Entry.transaction_id == LedgerTransaction.id)
            .where(Entry.account_id == payable.id, LedgerTransaction.posted.is_(True),
                   ~exists().where(reversal.reverses_id == LedgerTransaction.id),
                   Entitlement.region_code.between(low, high)))
    if period:
        stmt = stmt.where(Entitlement.period.startswith(period))
    if programme_id is not None:
        stmt = stmt.where(Entitlement.programme_id == programme_id)
    return stmt


def report(session: Session, actor, region_code: str, period: str = "", programme: Programme | None = None) -> Report:
    """Children, person-times and amount paid, in total and by category, over ``region_code``
    (any level: its whole subtree), for periods starting with ``period`` ("2026" takes every month
    and term of 2026) and one programme or all. Refuses a region outside the actor's reach and a
    period in another shape."""
    region_code = (region_code or "").strip()
    if len(region_code) != 12 or not region_code.isascii() or not region_code.isdigit():
        raise DomainError(_l("List the regions by their 12-digit codes."), field="region")
    access.require(actor, "disbursements.report", region_code)
    period = _period(period)
    legs = paid_legs(session, region_code, period, programme.id if programme else None).subquery()
    total = cast(func.coalesce(func.sum(legs.c.amount), 0), BigInteger)
    result = Report(region_code=region_code, period=period, programme=programme)
    row = session.execute(select(func.count(func.distinct(legs.c.child_id)), func.count(), total)).one()
    result.children, result.person_times, result.amount_fen = int(row[0]), int(row[1]), int(row[2])
    by_category = session.execute(select(legs.c.category, func.count(func.distinct(legs.c.child_id)), func.count(), total)
                                  .group_by(legs.c.category).order_by(legs.c.category)).all()
    result.lines = [Line(c, int(n), int(t), int(a)) for c, n, t, a in by_category]
    return result


def helped_by_fund(session: Session, fund_id: int, period: str) -> int:
    """How many children a fund's payments reached in ``period`` (a year): what its donors see,
    a number and nothing that names a child."""
    payable = ledger.system_account(session, AccountPurpose.disbursements_payable)
    reversal = aliased(LedgerTransaction)
    stmt = (select(func.count(func.distinct(Entitlement.child_id)))
            .join(Programme, Programme.id == Entitlement.programme_id)
            .join(LedgerTransaction, LedgerTransaction.id == Entitlement.payment_txn_id)
            .join(Entry, Entry.transaction_id == LedgerTransaction.id)
            .where(Programme.fund_id == fund_id, Entry.account_id == payable.id,
                   ~exists().where(reversal.reverses_id == LedgerTransaction.id),
                   Entitlement.period.startswith(_period(period))))
    return int(session.scalar(stmt) or 0)


@dataclass
class Helped:
    fund_name: str
    children: int

    def sentence(self) -> str:
        """"您捐赠的助学金今年帮助了73名儿童"."""
        return _("Your gifts to %(fund)s helped %(n)s children this year.", fund=self.fund_name, n=self.children)


def helped_for_donor(session: Session, donor, year: int) -> list[Helped]:
    """For a donor's gifts to programme funds: how many children each fund's payments reached this
    year. Counts only, never an identity."""
    from portal.donations.models import Donation, DonationStatus
    from portal.ledger.models import Fund, FundKind

    settled = (DonationStatus.paid, DonationStatus.partially_refunded)
    funds = session.execute(select(Fund.id, Fund.name_zh).join(Donation, Donation.fund_id == Fund.id)
                            .where(Donation.donor_id == donor.id, Donation.status.in_(settled),
                                   Fund.kind == FundKind.programme).distinct().order_by(Fund.id)).all()
    helped = [Helped(name, helped_by_fund(session, fund_id, str(year))) for fund_id, name in funds]
    return [h for h in helped if h.children]


def workbook(result: Report, region_name: str) -> bytes:
    """The report as an .xlsx sheet: the sentence, then the table by category."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "report"
    title = result.programme.name_zh if result.programme else _("All programmes")
    sheet.append([f"{region_name} {title} {result.period}".strip()])
    sheet.append([result.sentence()])
    sheet.append([])
    sheet.append([_("Category"), _("Children"), _("Person-times"), _("Amount (yuan)")])
    for line in result.lines:
        sheet.append([line.label, line.children, line.person_times, yuan(line.amount_fen)])
    sheet.append([_("Total"), result.children, result.person_times, yuan(result.amount_fen)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
