"""A county's public figures page (opt-in): children helped, needs solved, volunteer hours, money
raised and spent, for a year, by town. The public sees counts under 5 as "<5" (and, where a total
would give a hidden cell away, one more cell hidden beside it)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, union
from sqlmodel import Session

from portal.dashboards.helpers_money import money_panel
from portal.dashboards.periods import Period
from portal.dashboards.query import grouped, in_period
from portal.dashboards.rules import clean_code, public_enabled
from portal.dashboards.tables import SMALL_CELL, Column, Figure, Scope, Table, region_rows, scope_for, total_of
from portal.disbursements.models import Entitlement
from portal.errors import NotFound
from portal.helpers.models import HoursStatus, VolunteerHours
from portal.needs.models import Need, NeedStatus

SMALL = "<5"
SOLVED = (NeedStatus.verified, NeedStatus.resolved)


@dataclass
class PublicPage:
    scope: Scope
    period: Period
    table: Table
    raised: Figure
    spent: Figure


def public_page(session: Session, county_code: str, period: Period) -> PublicPage:
    """The public figures of county ``county_code`` for ``period``; ``NotFound`` (as for a county
    that does not exist) unless its staff switched the page on."""
    county_code = clean_code(county_code)
    if not public_enabled(session, county_code):
        raise NotFound(_l("This county has not opened a public figures page."))
    scope = scope_for(session, county_code)
    found = grouped(session, scope, "public.solved", Need.region_code, {
        "solved": Need.status.in_(SOLVED)}, in_period(Need.closed_at, period))
    hours = grouped(session, scope, "public.hours", VolunteerHours.region_code, {
        "minutes": (VolunteerHours.status == HoursStatus.approved, VolunteerHours.minutes)},
        in_period(VolunteerHours.service_date, period, dates=True))
    for code, values in hours.items():
        found.setdefault(code, {})["hours"] = round(values["minutes"] / 60, 1)
    helped = _helped(session, scope, period)
    for code, n in helped.items():
        found.setdefault(code, {})["children"] = n
    columns = [Column("children", _l("Children helped")), Column("solved", _l("Needs solved")),
               Column("hours", _l("Volunteer hours"), "hours")]
    rows = region_rows(scope, found, columns)
    for row in rows:
        row.code = None  # the public page does not drill into staff dashboards
    table = Table("public-by-town", _l("By town"), columns, rows, total=total_of(rows, columns, _l("Total")))
    table.total.values["children"] = sum(_helped(session, scope, period, total=True).values())
    money = money_panel(session, scope, period, period.end)
    return PublicPage(scope, period, suppress(table), money.figures["raised"], money.figures["spent"])


def _helped(session: Session, scope: Scope, period: Period, total: bool = False) -> dict[str, int]:
    """Distinct children helped in the period: a need of theirs solved, or a payment made to them
    (unreversed legs are the money panel's business; here an entitlement paid in the period)."""
    needs = select(Need.region_code.label("region_code"), Need.child_id.label("child_id")).where(
        scope.within(Need.region_code), Need.child_id.is_not(None), Need.status.in_(SOLVED),
        in_period(Need.closed_at, period))
    paid = select(Entitlement.region_code.label("region_code"), Entitlement.child_id.label("child_id")).where(
        scope.within(Entitlement.region_code), Entitlement.payment_txn_id.is_not(None),
        in_period(Entitlement.changed_at, period))
    both = union(needs, paid).subquery()
    if total:
        return {"all": int(session.scalar(select(func.count(func.distinct(both.c.child_id)))) or 0)}
    inner = select(scope.row_key(both.c.region_code).label("region"), both.c.child_id).subquery()
    stmt = select(inner.c.region, func.count(func.distinct(inner.c.child_id))).group_by(inner.c.region)
    return {scope.pad(code): int(n) for code, n in session.execute(stmt)}


def suppress(table: Table) -> Table:
    """The table as the public may see it: every count under 5 (zero too) shown as "<5"; where a
    column has exactly one hidden cell beside its total, the next smallest is hidden too, so the
    total cannot be subtracted back to it."""
    counts = [c.key for c in table.columns if c.unit == "count"]
    rows = [replace(r, values=dict(r.values), previous={}) for r in table.rows]
    for key in counts:
        hidden = [r for r in rows if (r.values.get(key) or 0) < SMALL_CELL]
        if len(hidden) == 1 and len(rows) > 1:
            shown = sorted((r for r in rows if all(r is not h for h in hidden)), key=lambda r: r.values.get(key) or 0)
            hidden.append(shown[0])
        for r in hidden:
            r.values[key] = SMALL
    total = None
    if table.total is not None:
        total = replace(table.total, values=dict(table.total.values), previous={})
        for key in counts:
            if (total.values.get(key) or 0) < SMALL_CELL:
                total.values[key] = SMALL
    return replace(table, rows=rows, total=total)
