"""The helpers' and the money panels: volunteers and their approved hours, organizations serving
the region and their claims; gifts received per fund and payments per programme."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, String, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from portal.dashboards.periods import Period
from portal.dashboards.query import both, grouped, in_period, split
from portal.dashboards.tables import Column, Figure, Panel, Row, Scope, Table, panel, region_rows, total_of
from portal.disbursements.models import Entitlement
from portal.donations.models import Donation, DonationStatus
from portal.helpers.models import HoursStatus, Organization, OrganizationArea, OrgStatus, VolunteerHours
from portal.ledger.models import Account, AccountPurpose, Entry, Fund, FundKind, LedgerTransaction
from portal.needs.models import Claim, Need
from portal.programmes.models import Programme
from portal.regions.rules import ancestors_of

ORG_STATUS_LABELS = {
    OrgStatus.applied: _l("Waiting for vetting"),
    OrgStatus.more_info: _l("More information asked for"),
    OrgStatus.approved: _l("Approved"),
    OrgStatus.rejected: _l("Rejected"),
    OrgStatus.suspended: _l("Suspended"),
}
NEEDS_LINE = "needs"
# Gifts that were paid (a refund is subtracted from the amount).
PAID = (DonationStatus.paid, DonationStatus.partially_refunded, DonationStatus.refunded, DonationStatus.disputed)


@panel("helpers")
def helpers_panel(session: Session, scope: Scope, period: Period, today: date) -> Panel:
    """Volunteers who served and the hours approved in the period, by region; organizations
    serving the region by status; claims per organization in the period."""
    approved = VolunteerHours.status == HoursStatus.approved
    found, previous = split(grouped(session, scope, "helpers.hours", VolunteerHours.region_code, {
        **both("minutes", VolunteerHours.service_date, period, approved, VolunteerHours.minutes, dates=True),
    }))
    volunteers = scope.remember("helpers.volunteers", lambda: _volunteers(session, scope, period))
    minutes = {"current": sum(v["minutes"] for v in found.values()),
               "previous": sum(v["minutes"] for v in previous.values())}
    for values in [*found.values(), *previous.values()]:
        values["hours"] = round(values.pop("minutes") / 60, 1)
    for code, n in volunteers.items():
        found.setdefault(code, {"hours": 0})["volunteers"] = n
    columns = [Column("volunteers", _l("Volunteers who served")),
               Column("hours", _l("Hours approved"), "hours", compare=True)]
    rows = region_rows(scope, found, columns, previous)
    # A volunteer who served in two villages is one volunteer; hours are summed before rounding.
    total = Row(_l("Total"), {"volunteers": scope.remember("helpers.volunteers_total",
                                                           lambda: _volunteers(session, scope, period, total=True)),
                              "hours": round(minutes["current"] / 60, 1)},
                previous={"hours": round(minutes["previous"] / 60, 1)})
    by_region = Table("helpers-by-region", _l("Volunteer service by region"), columns, rows, total=total)

    serving = _serving(scope)
    by_status = scope.remember("helpers.organizations", lambda: {str(k): int(n) for k, n in session.execute(
        select(Organization.status, func.count(func.distinct(Organization.id)))
        .join(OrganizationArea, OrganizationArea.organization_id == Organization.id)
        .where(serving).group_by(Organization.status))})
    org_table = Table("helpers-organizations", _l("Organizations serving the region, by status"),
                      [Column("organizations", _l("Organizations"))],
                      [Row(label, {"organizations": by_status.get(s.value, 0)}) for s, label in
                       ORG_STATUS_LABELS.items()], chart="pie")
    claims = scope.remember("helpers.claims", lambda: [[name, int(n)] for name, n in session.execute(
        select(Organization.name, func.count(Claim.id))
        .join(Claim, Claim.organization_id == Organization.id).join(Need, Need.id == Claim.need_id)
        .where(scope.within(Need.region_code), in_period(Claim.claimed_at, period))
        .group_by(Organization.name).order_by(func.count(Claim.id).desc(), Organization.name).limit(10))])
    claim_table = Table("helpers-claims", _l("Claims per organization in the period (top 10)"),
                        [Column("claims", _l("Claims"))], [Row(name, {"claims": int(n)}) for name, n in claims])
    figures = {"volunteers": Figure(by_region.total.values["volunteers"], by_region.key),
               "hours": Figure(by_region.total.values["hours"], by_region.key, by_region.total.previous.get("hours")),
               "organizations": Figure(by_status.get(OrgStatus.approved.value, 0), org_table.key)}
    return Panel("helpers", _l("Helpers"), [by_region, org_table, claim_table], figures)


def _volunteers(session: Session, scope: Scope, period: Period, total: bool = False):
    """Distinct volunteers with approved hours in the period, per row region (or in all)."""
    where = (scope.within(VolunteerHours.region_code), VolunteerHours.status == HoursStatus.approved,
             in_period(VolunteerHours.service_date, period, dates=True))
    if total:
        return int(session.scalar(select(func.count(func.distinct(VolunteerHours.user_id))).where(*where)) or 0)
    inner = select(scope.row_key(VolunteerHours.region_code).label("region"),
                   VolunteerHours.user_id.label("user_id")).where(*where).subquery()
    stmt = select(inner.c.region, func.count(func.distinct(inner.c.user_id))).group_by(inner.c.region)
    return {scope.pad(code): int(n) for code, n in session.execute(stmt)}


def _serving(scope: Scope):
    """SQL: an organization's service area lies inside the scope or contains it."""
    return or_(scope.within(OrganizationArea.region_code),
               OrganizationArea.region_code.in_(ancestors_of(scope.region)))


# --- money -------------------------------------------------------------------------------------


@panel("money")
def money_panel(session: Session, scope: Scope, period: Period, today: date) -> Panel:
    """Gifts received in the period per fund (for needs and places in the region), and payments
    made in the period per programme: children paid, person-times and amount, from the ledger's
    unreversed payment legs."""
    net = Donation.amount_fen - Donation.refunded_fen
    settled = Donation.status.in_(PAID)
    # Gifts towards money needs land in one fund per need: they are one line, "towards needs".
    line = case((Fund.kind == FundKind.need, literal(NEEDS_LINE)), else_=cast(Fund.id, String))
    prev = period.previous()

    def gifts_by_fund():
        return [[key, name, int(now), int(before)] for key, name, now, before in session.execute(
            select(line, func.min(Fund.name_zh), _sum_if(in_period(Donation.paid_at, period), net),
                   _sum_if(in_period(Donation.paid_at, prev), net))
            .join(Fund, Fund.id == Donation.fund_id)
            .where(settled, scope.within(Donation.region_code), Donation.paid_at >= prev.bounds()[0],
                   Donation.paid_at < period.bounds()[1])
            .group_by(line))]

    gifts = sorted(scope.remember("money.gifts", gifts_by_fund), key=lambda g: (g[0] == NEEDS_LINE, g[0].zfill(12)))
    fund_rows = [Row(_l("Gifts towards needs") if key == NEEDS_LINE else name, {"received": now},
                     previous={"received": before}) for key, name, now, before in gifts]
    in_columns = [Column("received", _l("Received (yuan)"), "money", compare=True)]
    in_table = Table("money-in", _l("Gifts received per fund"), in_columns, fund_rows,
                     total=total_of(fund_rows, in_columns, _l("Total")))

    paid = scope.remember("money.paid", lambda: _payments(session, scope, period))
    out_columns = [Column("children", _l("Children paid"), compare=True),
                   Column("person_times", _l("Person-times")),
                   Column("paid", _l("Paid (yuan)"), "money", compare=True)]
    programme_rows = [Row(line["name"], line["current"], previous=line["previous"]) for line in paid["programmes"]]
    out_table = Table("money-out", _l("Payments per programme"), out_columns, programme_rows,
                      total=total_of(programme_rows, out_columns, _l("Total")))
    # A child paid by two programmes is one child: the total counts children once.
    out_table.total.values["children"], out_table.total.previous["children"] = paid["children"]
    figures = {"raised": Figure(in_table.total.values["received"], in_table.key, in_table.total.previous["received"]),
               "spent": Figure(out_table.total.values["paid"], out_table.key, out_table.total.previous["paid"]),
               "children_paid": Figure(out_table.total.values["children"], out_table.key,
                                       out_table.total.previous["children"]),
               "person_times": Figure(out_table.total.values["person_times"], out_table.key)}
    return Panel("money", _l("Money"), [in_table, out_table], figures)


def _sum_if(condition, amount):
    return cast(func.coalesce(func.sum(case((condition, amount), else_=0)), 0), BigInteger)


def _payments(session: Session, scope: Scope, period: Period) -> dict:
    """Unreversed payment legs on disbursements payable, booked in the period or the one before,
    for children of villages in the scope: per programme the children, person-times and amount of
    each period, and the distinct children of each period in all (a child paid by two programmes
    is one child)."""
    reversal = aliased(LedgerTransaction)
    payable = select(Account.id).where(Account.code == AccountPurpose.disbursements_payable.value).scalar_subquery()
    prev = period.previous()
    now, before = in_period(LedgerTransaction.at, period), in_period(LedgerTransaction.at, prev)

    def joined(stmt):
        return (stmt.join(LedgerTransaction, LedgerTransaction.id == Entitlement.payment_txn_id)
                .join(Entry, Entry.transaction_id == LedgerTransaction.id)
                .where(Entry.account_id == payable, LedgerTransaction.posted.is_(True),
                       ~exists().where(reversal.reverses_id == LedgerTransaction.id),
                       scope.within(Entitlement.region_code), LedgerTransaction.at >= prev.bounds()[0],
                       LedgerTransaction.at < period.bounds()[1]))

    def children(condition):
        return func.count(func.distinct(case((condition, Entitlement.child_id))))

    rows = session.execute(joined(
        select(Programme.id, Programme.name_zh, children(now), func.count(case((now, 1))),
               _sum_if(now, Entry.amount_fen), children(before), _sum_if(before, Entry.amount_fen))
        .join(Programme, Programme.id == Entitlement.programme_id))
        .group_by(Programme.id, Programme.name_zh).order_by(Programme.id)).all()
    totals = session.execute(joined(select(children(now), children(before)))).one()
    return {"programmes": [{"name": name, "current": {"children": int(c), "person_times": int(t), "paid": int(a)},
                            "previous": {"children": int(pc), "paid": int(pa)}}
                           for _id, name, c, t, a, pc, pa in rows],
            "children": [int(totals[0]), int(totals[1])]}
