"""An independent count of a dashboard's figures: every row read into Python and counted there,
with no SQL aggregate, to hold the dashboard's GROUP BY queries to."""

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from portal.children.models import Child
from portal.dashboards.periods import Period
from portal.donations.models import Donation
from portal.helpers.models import VolunteerHours
from portal.needs.models import Need
from portal.regions.models import LEVEL_DIGITS, LEVEL_ORDER
from portal.visits.models import Visit

WAITING = {"reported", "at_town", "at_county", "published", "claimed", "delivered"}
PAID = {"paid", "partially_refunded", "refunded", "disputed"}


def row_of(code: str, scope_code: str, scope_level: str) -> str | None:
    """The row region (one level below the scope, padded) that ``code`` belongs to, or None."""
    rank = LEVEL_ORDER.index(scope_level)
    if not code.startswith(scope_code[:LEVEL_DIGITS[LEVEL_ORDER[rank]]]):
        return None
    digits = LEVEL_DIGITS[LEVEL_ORDER[min(rank + 1, 4)]]
    return code[:digits].ljust(12, "0")


def expected(session, scope_code: str, scope_level: str, period: Period, today) -> dict[str, Counter]:
    """Counters by figure name → row region code."""
    start, end = period.bounds()
    out: dict[str, Counter] = {}

    def add(name, code, n=1):
        row = row_of(code, scope_code, scope_level)
        if row:
            out.setdefault(name, Counter())[row] += n

    children = session.execute(select(Child.id, Child.region_code, Child.status, Child.risk_level, Child.categories,
                                      Child.created_at, Child.next_visit_due)).all()
    where = {}
    for cid, code, status, risk, categories, created, due in children:
        where[cid] = code
        if start <= created < end:
            add("new", code)
        if status != "active":
            continue
        add("active", code)
        add(str(risk) if risk else "ungraded", code)
        for category in categories:
            add(f"category.{category}", code)
        if due is not None and due >= today:
            add("covered", code)
        else:
            add("overdue", code)
        if due is not None and today <= due <= today + timedelta(days=7):
            add("due_soon", code)
    for child_id, day in session.execute(select(Visit.child_id, Visit.visited_on)):
        if period.start <= day <= period.end:
            add("visits", where[child_id])
    for code, status, created, published, closed in session.execute(
            select(Need.region_code, Need.status, Need.created_at, Need.published_at, Need.closed_at)):
        if start <= created < end:
            add("reported", code)
        if published and start <= published < end:
            add("published", code)
        if closed and start <= closed < end and status in ("resolved", "verified"):
            add(str(status), code)
        if status in WAITING:
            add("waiting", code)
    for code, status, day, minutes in session.execute(
            select(VolunteerHours.region_code, VolunteerHours.status, VolunteerHours.service_date, VolunteerHours.minutes)):
        if status == "approved" and period.start <= day <= period.end:
            add("minutes", code, minutes)
    for code, status, paid_at, amount, refunded in session.execute(
            select(Donation.region_code, Donation.status, Donation.paid_at, Donation.amount_fen, Donation.refunded_fen)):
        if code and status in PAID and paid_at and start <= paid_at < end:
            add("raised", code, amount - refunded)
    return out


def table_values(dashboard, key: str) -> dict[str, dict]:
    """A region table's values by row region code (rows follow the scope's regions in order)."""
    table = next(t for p in dashboard.panels for t in p.tables if t.key == key)
    assert [row.label for row in table.rows] == [r.name for r in dashboard.scope.rows]
    return {r.code: row.values for r, row in zip(dashboard.scope.rows, table.rows, strict=True)}, table.total.values


def assert_same_as_python(session, dashboard, today) -> int:
    """Compare every region row of the children, visits and needs tables, and the totals of hours
    and gifts, with the Python count; how many numbers were compared."""
    scope = dashboard.scope
    counted = expected(session, scope.code, scope.region.level, dashboard.period, today)
    compared = 0
    for key, names in (("children-by-region", ["active", "red", "yellow", "blue", "green", "ungraded", "new"]),
                       ("visits-by-region", ["active", "covered", "overdue", "due_soon", "visits"]),
                       ("needs-by-region", ["reported", "resolved", "published", "verified", "waiting"])):
        rows, _total = table_values(dashboard, key)
        for code, values in rows.items():
            for name in names:
                assert values[name] == counted.get(name, Counter())[code], (key, code, name)
                compared += 1
    figures = dashboard.figures
    for name in ("orphan", "unsupported", "left_behind"):
        assert figures[f"children.category.{name}"].value == sum(counted.get(f"category.{name}", Counter()).values())
        compared += 1
    assert figures["helpers.hours"].value == round(sum(counted.get("minutes", Counter()).values()) / 60, 1)
    assert figures["money.raised"].value == sum(counted.get("raised", Counter()).values())
    return compared + 2
