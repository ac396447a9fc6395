"""Summary snapshots of the biggest dashboards. A province's or a city's dashboard groups every
child, need and visit below it (a province: ~100,000 children, a million visits); counted per
request that takes seconds. So a periodic task (every 10 minutes) computes the province's and
each city's dashboard for the current month, quarter and year and stores each panel step's result;
a request for those reads the snapshot, when it is of today and at most ``MAX_AGE`` old, instead
of asking the database. Counties and below, custom periods and past periods are counted live."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import Session

from portal.dashboards.models import DashboardSnapshot
from portal.dashboards.periods import Period, month, quarter, year
from portal.dashboards.tables import PANELS, Scope, scope_for
from portal.regions.models import Level, Region
from portal.types import utcnow

SNAPSHOT_LEVELS = (Level.province, Level.city)
REFRESH_MINUTES = 10
MAX_AGE = timedelta(minutes=2 * REFRESH_MINUTES)  # one missed run is tolerated, two are not


def _key(period: Period) -> str:
    return f"{period.kind}:{period.value}"


def standard_periods(today: date) -> list[Period]:
    return [month(today), quarter(today), year(today.year)]


def attach(session: Session, scope: Scope, period: Period, today: date) -> bool:
    """Give ``scope`` its stored snapshot for ``period`` when there is a fresh one (of ``today``,
    at most ``MAX_AGE`` old); True when it did."""
    if scope.region.level not in SNAPSHOT_LEVELS or period.kind == "custom":
        return False
    row = session.get(DashboardSnapshot, (scope.code, _key(period)))
    if row is None or row.computed_on != today or row.computed_at < utcnow() - MAX_AGE:
        return False
    scope.snapshot = row.data
    return True


def refresh(session: Session, code: str, period: Period, today: date) -> DashboardSnapshot:
    """Compute region ``code``'s dashboard for ``period`` now and store every step's result."""
    scope = scope_for(session, code)
    scope.recording = {}
    for fn in PANELS.values():
        fn(session, scope, period, today)
    row = session.get(DashboardSnapshot, (code, _key(period))) or DashboardSnapshot(region_code=code,
                                                                                   period=_key(period))
    row.computed_on, row.computed_at, row.data = today, utcnow(), scope.recording
    session.add(row)
    return row


def refresh_all(session: Session, today: date) -> int:
    """Refresh the snapshot of every province and city for the standard periods; how many."""
    codes = session.scalars(select(Region.code).where(Region.level.in_(list(SNAPSHOT_LEVELS))).order_by(Region.code))
    done = 0
    for code in list(codes):
        for period in standard_periods(today):
            refresh(session, code, period, today)
            session.commit()  # each snapshot on its own: a long run holds no lock for minutes
            done += 1
    return done
