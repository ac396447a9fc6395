"""The staff overview of needs: how many there are in each status and how long the waiting ones
have waited, per region one level below the viewer; how long helpers take to claim a published
need and how long until its delivery is verified, per category and per region; and how many needs
are past their deadline.

Counts are grouped in SQL. Medians and 90th percentiles are taken in Python from the two
timestamps of each need, because SQLite has no percentile function and PostgreSQL's
``percentile_cont`` has no portable twin.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from portal import access
from portal.accounts.models import User
from portal.categories import NeedCategory
from portal.needs.models import CLOSED_STATUSES, OPEN_STATUSES, Need, NeedStatus
from portal.regions.models import LEVEL_DIGITS, LEVEL_ORDER, Level
from portal.regions.rules import CODE_LENGTH, children_of, level_of_code, names_of

# Needs still waiting for someone: inside government, or on the board (claimed or not).
WAITING_STATUSES = OPEN_STATUSES | {NeedStatus.published, NeedStatus.claimed}
# (key, waiting fewer than this many days): the last bucket has no upper bound.
AGE_BUCKETS = (("under_3", 3), ("3_to_7", 7), ("7_to_30", 30), ("over_30", None))
DAY = 86_400.0


@dataclass(frozen=True)
class Durations:
    """How long something took, in days, over ``count`` needs (None when there were none)."""

    count: int = 0
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, days: list[float]) -> Durations:
        if not days:
            return cls()
        ordered = sorted(days)
        # Nearest rank: the smallest duration that at least 90% of the needs did not exceed.
        return cls(len(ordered), statistics.median(ordered), ordered[math.ceil(0.9 * len(ordered)) - 1])


@dataclass
class RegionRow:
    code: str
    name: str
    by_status: dict[NeedStatus, int] = field(default_factory=dict)
    by_age: dict[str, int] = field(default_factory=lambda: {key: 0 for key, _days in AGE_BUCKETS})
    overdue: int = 0  # past the deadline and not closed
    to_claim: Durations = Durations()
    to_verify: Durations = Durations()

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def waiting(self) -> int:
        return sum(self.by_age.values())


@dataclass
class CategoryRow:
    category: NeedCategory
    to_claim: Durations
    to_verify: Durations


@dataclass
class Overview:
    region_code: str
    region_name: str
    level: Level  # of the rows: one below the viewer's region (their own village for a director)
    statuses: list[NeedStatus]  # the statuses that occur, in workflow order
    regions: list[RegionRow]
    categories: list[CategoryRow]  # those with a claimed or verified need
    to_claim: Durations
    to_verify: Durations

    @property
    def by_status(self) -> dict[NeedStatus, int]:
        return {s: sum(r.by_status.get(s, 0) for r in self.regions) for s in self.statuses}

    @property
    def by_age(self) -> dict[str, int]:
        return {key: sum(r.by_age[key] for r in self.regions) for key, _days in AGE_BUCKETS}

    @property
    def total(self) -> int:
        return sum(r.total for r in self.regions)

    @property
    def waiting(self) -> int:
        return sum(r.waiting for r in self.regions)

    @property
    def overdue(self) -> int:
        return sum(r.overdue for r in self.regions)


def row_level(region_code: str) -> Level:
    """The level the overview breaks ``region_code``'s needs down by: one below it, a village's own."""
    rank = LEVEL_ORDER.index(level_of_code(region_code))
    return LEVEL_ORDER[min(rank + 1, len(LEVEL_ORDER) - 1)]


def _row_key(level: Level):
    """The SQL expression of a need's region at ``level`` (the stored codes where there is one)."""
    stored = {Level.village: Need.region_code, Level.town: Need.town_code, Level.county: Need.county_code}
    return stored.get(level, func.substr(Need.region_code, 1, LEVEL_DIGITS[level]))


def _pad(code: str) -> str:
    return code.ljust(CODE_LENGTH, "0")


def overview(session: Session, actor: User, today: date | None = None) -> Overview:
    """The needs of ``actor``'s subtree, broken down by the regions one level below them (see the
    module docstring). Staff only: anyone else is refused with ``NotAllowed``."""
    access.require(actor, "needs.list")
    today = today or date.today()
    level = row_level(actor.region_code)
    scope = Need.region_code.startswith(access.scope_prefix(actor.region_code))
    key = _row_key(level).label("region")
    rows: dict[str, RegionRow] = {}

    def row(code: str) -> RegionRow:
        code = _pad(code)
        return rows.setdefault(code, RegionRow(code=code, name=""))

    # Every region below the viewer gets a row, even one without a need: silence is worth seeing.
    if level_of_code(actor.region_code) == Level.village:
        row(actor.region_code)
    else:
        for region in children_of(session, actor.region_code):
            row(region.code)

    # Grouping on a subquery's columns: PostgreSQL does not see two renderings of an expression
    # with bound parameters (substr(…, 1, 4), a CASE on dates) as the same GROUP BY expression.
    overdue = case((and_(Need.deadline < today, Need.status.not_in(list(CLOSED_STATUSES))), 1), else_=0)
    inner = select(key, Need.status.label("status"), overdue.label("overdue")).where(scope).subquery()
    for code, status, count, late in session.execute(
            select(inner.c.region, inner.c.status, func.count(), func.sum(inner.c.overdue))
            .group_by(inner.c.region, inner.c.status)):
        target = row(code)
        target.by_status[NeedStatus(status)] = count
        target.overdue += int(late or 0)

    inner = (select(key, _age_bucket(today).label("bucket"))
             .where(scope, Need.status.in_(list(WAITING_STATUSES))).subquery())
    for code, bucket, count in session.execute(
            select(inner.c.region, inner.c.bucket, func.count()).group_by(inner.c.region, inner.c.bucket)):
        row(code).by_age[bucket] = count

    claimed = _durations(session, key, scope, Need.claimed_at, Need.claimed_at.is_not(None))
    verified = _durations(session, key, scope, Need.closed_at, Need.status == NeedStatus.verified,
                          Need.closed_at.is_not(None))
    for code in claimed["region"].keys() | verified["region"].keys():
        target = row(code)
        target.to_claim = Durations.of(claimed["region"].get(code, []))
        target.to_verify = Durations.of(verified["region"].get(code, []))

    names = names_of(session, [*rows, actor.region_code])
    for code, target in rows.items():
        target.name = names.get(code, code)
    present = {s for r in rows.values() for s in r.by_status}
    categories = [CategoryRow(c, Durations.of(claimed["category"].get(c, [])),
                              Durations.of(verified["category"].get(c, [])))
                  for c in NeedCategory if c in claimed["category"] or c in verified["category"]]
    return Overview(
        region_code=actor.region_code, region_name=names.get(actor.region_code, actor.region_code), level=level,
        statuses=[s for s in NeedStatus if s in present], regions=[rows[c] for c in sorted(rows)],
        categories=categories, to_claim=Durations.of(claimed["all"]), to_verify=Durations.of(verified["all"]),
    )


def _age_bucket(today: date):
    """How long a need has waited since it was reported, in whole days up to the end of ``today``."""
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=timezone.utc)
    bounded = [(Need.created_at >= end - timedelta(days=days), bucket) for bucket, days in AGE_BUCKETS if days]
    return case(*bounded, else_=AGE_BUCKETS[-1][0])


def _durations(session: Session, key, scope, until, *conditions) -> dict:
    """Days from publication to ``until`` of the published needs matching ``conditions``, gathered
    per region, per category and overall; only the two timestamps and the grouping keys are read."""
    found: dict = {"region": {}, "category": {}, "all": []}
    stmt = select(key, Need.category, Need.published_at, until).where(scope, Need.published_at.is_not(None),
                                                                       *conditions)
    for code, category, start, end in session.execute(stmt):
        days = max(0.0, (end - start).total_seconds() / DAY)
        found["region"].setdefault(_pad(code), []).append(days)
        found["category"].setdefault(NeedCategory(category), []).append(days)
        found["all"].append(days)
    return found
