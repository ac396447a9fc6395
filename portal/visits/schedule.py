"""How often a child is visited: the interval set by the risk level (per county, or the
defaults), and the date of the next required visit.

Kept apart from ``rules`` because the children's rules need it (a new grade moves the due date)
while ``visits.rules`` needs theirs (a visit is recorded on a file): this module uses only the
children's models, so the import graph stays one-way.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from portal.children.grading import RiskLevel
from portal.children.models import Child
from portal.visits.models import VisitPolicy

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
