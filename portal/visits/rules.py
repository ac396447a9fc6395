"""Visit rules: how often each child must be visited, recording visits, what is overdue."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from portal import access
from portal.audit.rules import record
from portal.children.grading import RiskLevel
from portal.children.models import Child, ChildStatus
from portal.errors import DomainError
from portal.visits.models import Visit, VisitMode, VisitPolicy

DEFAULT_DAYS = {RiskLevel.red: 7, RiskLevel.yellow: 15, RiskLevel.blue: 30, RiskLevel.green: 90}
# A child not yet assessed is visited as often as a yellow one until someone grades them.
UNASSESSED = RiskLevel.yellow


def county_of(region_code: str) -> str:
    return region_code[:6] + "000000"


def visit_interval(session: Session, region_code: str, level: RiskLevel | None) -> int:
    """Days allowed between visits for ``level`` in the county of ``region_code``."""
    level = RiskLevel(level or UNASSESSED)
    policy = session.get(VisitPolicy, county_of(region_code))
    if policy is None:
        return DEFAULT_DAYS[level]
    return getattr(policy, f"{level.value}_days")


def next_due(session: Session, child: Child, today: date) -> date:
    """The date of the next required visit: the interval counted from the last visit (or today,
    for a child never visited)."""
    start = child.last_visited_on or today
    return start + timedelta(days=visit_interval(session, child.region_code, child.risk_level))


def record_visit(
    session: Session,
    actor,
    child: Child,
    *,
    visited_on: date,
    mode: VisitMode,
    seen: str = "",
    findings: str = "",
    follow_up: str = "",
    via_qr: bool = False,
    today: date | None = None,
) -> Visit:
    """Record a visit to ``child`` by ``actor`` and move the child's next due date.

    Refuses a child outside the actor's region, a file that is no longer active, and a date in
    the future.
    """
    access.require(actor, "children.edit", child)
    today = today or date.today()
    if child.status != ChildStatus.active:
        raise DomainError(_l("Visits are recorded only for active files."))
    if visited_on > today:
        raise DomainError(_l("The visit date cannot be in the future."), field="visited_on")
    visit = Visit(
        child_id=child.id, visited_on=visited_on, visitor_id=actor.id, mode=VisitMode(mode),
        seen=seen.strip(), findings=findings.strip(), follow_up=follow_up.strip(), via_qr=via_qr,
    )
    session.add(visit)
    if child.last_visited_on is None or visited_on >= child.last_visited_on:
        child.last_visited_on = visited_on
        child.next_visit_due = next_due(session, child, today)
    session.flush()
    record(session, actor, "visit.create", "child", child.id, region_code=child.region_code,
           detail={"visit": visit.id, "via_qr": via_qr})
    return visit


def days_overdue(child: Child, today: date) -> int:
    if child.next_visit_due is None or child.next_visit_due >= today:
        return 0
    return (today - child.next_visit_due).days


def visits_of(session: Session, child: Child, limit: int = 50) -> list[Visit]:
    from sqlalchemy import select

    stmt = select(Visit).where(Visit.child_id == child.id).order_by(Visit.visited_on.desc(), Visit.id.desc())
    return list(session.scalars(stmt.limit(limit)))
