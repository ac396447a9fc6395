"""The public board: published needs in their anonymous form, for anyone, without signing in.

Only what DESIGN.md §2 allows leaves this module: the public summary, category, kind, the child's
age band, the town, urgency, slots left, deadline and, for money needs, raised of target. The
query never selects the child, the internal description or the village.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from portal.categories import NeedCategory
from portal.needs.models import Need, NeedKind, NeedStatus, close_contact
from portal.regions.rules import names_of

PUBLIC_COLUMNS = (Need.id, Need.public_summary, Need.category, Need.kind, Need.age_band, Need.town_code,
                  Need.county_code, Need.urgency, Need.slots, Need.slots_taken, Need.deadline, Need.target_fen,
                  Need.raised_fen, Need.published_at, Need.status, Need.pairing_months)


@dataclass(frozen=True)
class PublicNeed:
    id: int
    summary: str
    category: NeedCategory
    kind: NeedKind
    age_band: str
    town_code: str
    county_code: str
    urgency: int
    slots: int
    slots_taken: int
    deadline: date | None
    target_fen: int
    raised_fen: int
    published_at: object
    status: NeedStatus
    pairing_months: int
    town: str = ""
    county: str = ""

    @property
    def slots_left(self) -> int:
        return self.slots - self.slots_taken

    @property
    def close_contact(self) -> bool:
        """An adult alone with a child: only vetted helpers take it (``portal.helpers.vetting``)."""
        return close_contact(self.kind, self.category)

    @property
    def funded_percent(self) -> int:
        return min(100, self.raised_fen * 100 // self.target_fen) if self.target_fen else 0


COUNT_LIMIT = 10_000


@dataclass
class BoardFilter:
    category: str = ""
    kind: str = ""
    county: str = ""  # a county code
    town: str = ""  # a town code
    urgency: int = 0  # at least
    before: date | None = None  # deadline on or before


def _filtered(filters: BoardFilter):
    stmt = select(*PUBLIC_COLUMNS).where(Need.status == NeedStatus.published)
    if filters.category in NeedCategory.__members__:
        stmt = stmt.where(Need.category == filters.category)
    if filters.kind in NeedKind.__members__:
        stmt = stmt.where(Need.kind == filters.kind)
    if len(filters.town) == 12 and filters.town.isdigit():
        stmt = stmt.where(Need.town_code == filters.town)
    elif len(filters.county) == 12 and filters.county.isdigit():
        stmt = stmt.where(Need.county_code == filters.county)
    if filters.urgency in (2, 3):
        stmt = stmt.where(Need.urgency >= filters.urgency)
    if filters.before:
        stmt = stmt.where(Need.deadline <= filters.before)
    return stmt


def board(session: Session, filters: BoardFilter, page: int = 1, per_page: int = 20,
          with_total: bool = True) -> tuple[list[PublicNeed], int]:
    """One page of the board, most urgent first, then newest."""
    stmt = _filtered(filters)
    total = 0
    if with_total:
        # Counted up to COUNT_LIMIT + 1 only: the board's cost must not grow with every need ever
        # published ("more than 10,000" is all a reader needs; pages go up to the limit).
        capped = stmt.with_only_columns(Need.id).order_by(None).limit(COUNT_LIMIT + 1).subquery()
        total = session.scalar(select(func.count()).select_from(capped)) or 0
    rows = session.execute(stmt.order_by(Need.urgency.desc(), Need.published_at.desc(), Need.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return named(session, [PublicNeed(*row) for row in rows]), total


def public_need(session: Session, need_id: int) -> PublicNeed | None:
    """The public form of a need that is (or was) on the board; None for one never published."""
    row = session.execute(select(*PUBLIC_COLUMNS).where(Need.id == need_id, Need.published_at.is_not(None))).first()
    return named(session, [PublicNeed(*row)])[0] if row else None


def named(session: Session, needs: list[PublicNeed]) -> list[PublicNeed]:
    from dataclasses import replace

    names = names_of(session, {n.town_code for n in needs} | {n.county_code for n in needs})
    return [replace(n, town=names.get(n.town_code, ""), county=names.get(n.county_code, "")) for n in needs]


def towns_with_needs(session: Session, county_code: str) -> list[tuple[str, str]]:
    """(code, name) of the towns of one county that have published needs: the board's town filter."""
    from sqlalchemy import exists

    from portal.regions.models import Region

    if not county_code:
        return []
    has_needs = exists().where(Need.status == NeedStatus.published, Need.town_code == Region.code)
    rows = session.execute(select(Region.code, Region.name).where(Region.parent_code == county_code, has_needs)
                           .order_by(Region.code))
    return [(code, name) for code, name in rows]


def counties_with_needs(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the counties that have published needs: the board's place filter."""
    # From the counties (a few hundred) asking the board index whether each has one: not a scan
    # of every published need, which costs the same on every page view.
    from sqlalchemy import exists

    from portal.regions.models import Level, Region

    has_needs = exists().where(Need.status == NeedStatus.published, Need.county_code == Region.code)
    rows = session.execute(select(Region.code, Region.name).where(Region.level == Level.county, has_needs)
                           .order_by(Region.code))
    return [(code, name) for code, name in rows]
