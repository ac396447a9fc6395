"""An independent count of a dashboard's figures: every row read into Python and counted there,
with no SQL aggregate, to hold the dashboard's GROUP BY queries to."""

from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.accounts.models import User
from portal.children.models import Child
from portal.clues.models import Clue, ClueOutcome
from portal.dashboards.periods import Period
from portal.donations.models import Donation
from portal.helpers.models import VolunteerHours
from portal.needs.models import Need
from portal.regions.models import LEVEL_DIGITS, LEVEL_ORDER
from portal.training.models import TrainingAttendance, TrainingSession
from portal.visits.models import Visit

WAITING = {"reported", "at_town", "at_county", "published", "claimed", "delivered"}
PAID = {"paid", "partially_refunded", "refunded", "disputed"}
CHINA = ZoneInfo("Asia/Shanghai")  # clues are counted in the days of China time


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
    _training(session, period, add)
    _clues(session, period, add, lambda code: row_of(code, scope_code, scope_level), out)
    return out


def _training(session, period: Period, add) -> None:
    """Sessions with an attendee dated in the period and their attendances, by the holding
    region; active child directors and supervisors, and those who attended any session dated in
    the period, by where they work."""
    held = {sid: (code, day) for sid, code, day in session.execute(
        select(TrainingSession.id, TrainingSession.region_code, TrainingSession.held_on))}
    attended: dict[int, set] = {}
    trained = set()
    for sid, uid in session.execute(select(TrainingAttendance.session_id, TrainingAttendance.user_id)):
        code, day = held[sid]
        if period.start <= day <= period.end:
            attended.setdefault(sid, set()).add(uid)
            trained.add(uid)
            add("training.person_times", code)
    for sid in attended:
        add("training.sessions", held[sid][0])
    for uid, code, role, active in session.execute(select(User.id, User.region_code, User.role, User.is_active)):
        if active and code and role in ("child_director", "child_supervisor"):
            add("training.total", code)
            if uid in trained:
                add("training.trained", code)


def _clues(session, period: Period, add, row_for, out) -> None:
    """Clues received in the period; closed in it as transferred, and the distinct children of
    those closed in it as a new child or a reassessment (per row, and for the scope in all)."""
    start = datetime.combine(period.start, time.min, tzinfo=CHINA)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=CHINA)
    helped: dict[str, set] = {}
    for code, created, status, closed, outcome, child in session.execute(
            select(Clue.region_code, Clue.created_at, Clue.status, Clue.closed_at, Clue.outcome, Clue.child_id)):
        if start <= created < end:
            add("clues.found", code)
        if status == "closed" and start <= closed < end:
            add(f"clues.outcome.{outcome}", code)
            if outcome == "transferred":
                add("clues.transferred", code)
            if outcome in ("new_child", "reassessed") and child is not None:
                helped.setdefault(code, set()).add(child)
    rows: dict[str, set] = {}
    for code, children in helped.items():
        if (row := row_for(code)) is not None:
            rows.setdefault(row, set()).update(children)
    out["clues.helped"] = Counter({row: len(children) for row, children in rows.items()})
    out["clues.helped_total"] = Counter({"all": len(set().union(set(), *rows.values()))})


def table_values(dashboard, key: str) -> dict[str, dict]:
    """A region table's values by row region code (rows follow the scope's regions in order)."""
    table = next(t for p in dashboard.panels for t in p.tables if t.key == key)
    assert [row.label for row in table.rows] == [r.name for r in dashboard.scope.rows]
    return {r.code: row.values for r, row in zip(dashboard.scope.rows, table.rows, strict=True)}, table.total.values


def assert_same_as_python(session, dashboard, today) -> int:
    """Compare every region row of the children, visits, needs, training and clues tables, the
    totals of training and clues, clues by outcome, and the totals of hours and gifts, with the
    Python count; how many numbers were compared."""
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
    for key, prefix, names in (("training-by-region", "training", ["sessions", "person_times", "trained", "total"]),
                               ("clues-by-region", "clues", ["found", "transferred", "helped"])):
        rows, total = table_values(dashboard, key)
        for code, values in rows.items():
            for name in names:
                assert values[name] == counted.get(f"{prefix}.{name}", Counter())[code], (key, code, name)
                compared += 1
        for name in names:  # the total is the whole subtree: the scope's own region too
            whole = "clues.helped_total" if key == "clues-by-region" and name == "helped" else f"{prefix}.{name}"
            assert total[name] == sum(counted.get(whole, Counter()).values()), (key, "total", name)
            compared += 1
    outcomes = next(t for p in dashboard.panels for t in p.tables if t.key == "clues-by-outcome")
    for outcome, row in zip(ClueOutcome, outcomes.rows, strict=True):
        assert row.values["clues"] == sum(counted.get(f"clues.outcome.{outcome.value}", Counter()).values())
        compared += 1
    figures = dashboard.figures
    for name in ("orphan", "unsupported", "left_behind"):
        assert figures[f"children.category.{name}"].value == sum(counted.get(f"category.{name}", Counter()).values())
        compared += 1
    assert figures["helpers.hours"].value == round(sum(counted.get("minutes", Counter()).values()) / 60, 1)
    assert figures["money.raised"].value == sum(counted.get("raised", Counter()).values())
    return compared + 2
