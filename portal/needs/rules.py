"""The need workflow of DESIGN.md §3: reporting, rising level by level, resolving inside
government, publishing with a checked public summary, and closing.

Every change goes through ``_move``, which checks the status it starts from with a conditional
UPDATE (two staff acting at once cannot both move a need) and writes the event of the history.
Claims, deliveries and pairings are in ``portal.needs.claims``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, union_all, update
from sqlmodel import Session

from portal import access
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit.rules import record
from portal.categories import NeedCategory
from portal.children.models import Child, ChildStatus, Guardian, GuardianshipAgreement
from portal.children.rules import age_on
from portal.errors import Conflict, DomainError, NotFound
from portal.needs import notices
from portal.needs.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Need,
    NeedChild,
    NeedEvent,
    NeedKind,
    NeedPolicy,
    NeedStatus,
)
from portal.needs.pii import find_pii
from portal.regions.rules import level_of_code, names_of, subtree_bounds
from portal.types import utcnow

DEFAULT_DAYS = {"village": 3, "town": 7, "county": 7}
# The level a need waits at in each open status, and where it rises to.
LEVEL_OF = {NeedStatus.reported: "village", NeedStatus.at_town: "town", NeedStatus.at_county: "county"}
RISES_TO = {NeedStatus.reported: NeedStatus.at_town, NeedStatus.at_town: NeedStatus.at_county}
MAX_SLOTS = 200
MAX_TARGET_FEN = 100_000_000  # 1,000,000 yuan
AGE_BANDS = ((0, 2, "0-2"), (3, 5, "3-5"), (6, 11, "6-11"), (12, 14, "12-14"), (15, 17, "15-17"))


def town_of(code: str) -> str:
    return code[:9] + "000"


def county_of(code: str) -> str:
    return code[:6] + "000000"


def age_band(born: date, today: date) -> str:
    return band_of([age_on(born, today)])


def band_of(ages: list[int]) -> str:
    """The age band shown in public for one child ("6-11"), or spanning several ("6-14"): from
    the lowest band any child is in to the highest. Refuses a negative age (a birth date after
    the day the band is taken on)."""
    if not ages:
        return ""
    if min(ages) < 0:
        raise ValueError("an age band is taken on a day after the child's birth")
    bands = [next(((low, high) for low, high, _name in AGE_BANDS if low <= age <= high), (18, None)) for age in ages]
    low, high = min(b[0] for b in bands), max(b[1] if b[1] is not None else 99 for b in bands)
    return f"{low}+" if high == 99 else f"{low}-{high}"


# --- reporting ---------------------------------------------------------------------------------


@dataclass
class NeedValues:
    category: str
    kind: str
    description: str
    urgency: int = 2
    slots: int = 1
    target_fen: int = 0
    pairing_months: int = 0
    deadline: date | None = None
    child_ids: list[int] = field(default_factory=list)  # an activity: the children taking part


def _check(values: NeedValues, today: date) -> None:
    if values.category not in NeedCategory.__members__:
        raise DomainError(_l("Choose a category."), field="category")
    if values.kind not in NeedKind.__members__:
        raise DomainError(_l("Choose what kind of help is needed."), field="kind")
    if not (values.description or "").strip():
        raise DomainError(_l("Describe what the child lacks."), field="description")
    if len(values.description) > 2000:
        raise DomainError(_l("At most %(n)d characters.", n=2000), field="description")
    if values.urgency not in (1, 2, 3):
        raise DomainError(_l("Urgency is 1, 2 or 3."), field="urgency")
    if not 1 <= values.slots <= MAX_SLOTS:
        raise DomainError(_l("Helpers needed: 1 to %(n)d.", n=MAX_SLOTS), field="slots")
    if values.kind == NeedKind.money:
        if not 100 <= values.target_fen <= MAX_TARGET_FEN:
            raise DomainError(_l("A money need has a target between 1 and 1,000,000 yuan."), field="target")
    elif values.target_fen:
        raise DomainError(_l("Only a money need has a target amount."), field="target")
    if values.kind == NeedKind.pairing and not 1 <= values.pairing_months <= 36:
        raise DomainError(_l("A pairing lasts 1 to 36 months."), field="pairing_months")
    if values.deadline is not None and values.deadline <= today:
        raise DomainError(_l("The deadline must be after today."), field="deadline")


def report_need(session: Session, actor: User, child: Child | None, values: NeedValues, *,
                region_code: str | None = None, today: date | None = None) -> Need:
    """A child director (or staff above) reports what a child lacks; an activity names the place
    and the children taking part instead of one child. The need starts at the village."""
    today = today or date.today()
    _check(values, today)
    if values.kind == NeedKind.activity:
        region_code = region_code or (child.region_code if child else None)
        if not region_code:
            raise DomainError(_l("Give the village or town where the activity takes place."), field="region_code")
        access.require(actor, "needs.report", region_code)
        children = [session.get(Child, cid) for cid in dict.fromkeys(values.child_ids)]
        if any(c is None or not access.allowed(actor, "children.view", c) for c in children):
            raise NotFound(_l("This file does not exist or is outside your region."))
        child = None
    else:
        if child is None:
            raise DomainError(_l("Choose the child."), field="child")
        access.require(actor, "children.edit", child)
        if child.status != ChildStatus.active:
            raise DomainError(_l("Needs are reported only for children whose file is active."))
        region_code, children = child.region_code, []
    need = Need(
        child_id=child.id if child else None, region_code=region_code, town_code=town_of(region_code),
        county_code=county_of(region_code), category=NeedCategory(values.category), kind=NeedKind(values.kind),
        urgency=values.urgency, description=values.description.strip(), slots=values.slots,
        target_fen=values.target_fen if values.kind == NeedKind.money else 0,
        pairing_months=values.pairing_months if values.kind == NeedKind.pairing else 0,
        deadline=values.deadline, reported_by_id=actor.id,
    )
    session.add(need)
    session.flush()
    session.add_all(NeedChild(need_id=need.id, child_id=c.id) for c in children)
    _event(session, need, actor, "report", "", NeedStatus.reported)
    record(session, actor, "need.report", "need", need.id, region_code=region_code)
    return need


# --- reading -----------------------------------------------------------------------------------


def load_need(session: Session, viewer: User, need_id: int, rule: str = "needs.view") -> Need:
    """A need for staff over its village; anything else answers like a need that does not exist."""
    need = session.get(Need, need_id)
    if need is None or not access.allowed(viewer, rule, need):
        raise NotFound(_l("This need does not exist or is outside your region."))
    return need


def history(session: Session, need_id: int) -> list[tuple[NeedEvent, str | None]]:
    stmt = (select(NeedEvent, User.display_name).outerjoin(User, User.id == NeedEvent.actor_id)
            .where(NeedEvent.need_id == need_id).order_by(NeedEvent.at, NeedEvent.id))
    return list(session.execute(stmt).all())


def children_of(session: Session, need: Need) -> list[Child]:
    if need.child_id:
        return [session.get(Child, need.child_id)]
    stmt = select(Child).join(NeedChild, NeedChild.child_id == Child.id).where(NeedChild.need_id == need.id)
    return list(session.scalars(stmt.order_by(Child.name)))


# --- moving a need -------------------------------------------------------------------------------


def _event(session: Session, need: Need, actor, action: str, from_status, to_status, note: str = "",
           at: datetime | None = None) -> None:
    """One line of the need's history. ``note`` is what a person wrote (never the portal's own
    words: those are the action, shown in the reader's language)."""
    session.add(NeedEvent(need_id=need.id, actor_id=getattr(actor, "id", None), action=action,
                          from_status=str(from_status or ""), to_status=str(to_status or ""), note=note[:1000],
                          at=at or utcnow()))


def _move(session: Session, need: Need, actor, action: str, sources, target: NeedStatus, note: str = "",
          now: datetime | None = None, where=(), **values) -> None:
    """Move ``need`` from one of ``sources`` to ``target``, or refuse if someone moved it first
    (or if one of the extra ``where`` conditions no longer holds). ``now`` is when it happened
    (the periodic task passes the time it runs for)."""
    now = now or utcnow()
    values.setdefault("level_since", now)
    if target in CLOSED_STATUSES:
        values.setdefault("closed_at", now)
    moved = session.execute(
        update(Need).where(Need.id == need.id, Need.status.in_(list(sources)), *where)
        .values(status=target, **values).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise Conflict(_l("Someone acted on this need in the meantime. Reload the page."))
    previous = need.status
    session.refresh(need)
    _event(session, need, actor, action, previous, target, note, at=now)
    if previous in OPEN_STATUSES:
        notices.need_moved(session, need)
    record(session, actor, f"need.{action}", "need", need.id, region_code=need.region_code,
           detail={"from": str(previous), "to": str(target)})


def _reason(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Give a reason."), field="note")
    return text[:500]


def escalate(session: Session, actor: User, need: Need, note: str = "") -> None:
    """Staff at the need's level pass it up: it could not be solved here."""
    access.require(actor, "needs.act", need)
    if need.status not in RISES_TO:
        raise Conflict(_l("This need cannot rise further; publish or resolve it."))
    _move(session, need, actor, "escalate", [need.status], RISES_TO[need.status], note.strip())
    notices.need_arrived(session, need)


def resolve(session: Session, actor: User, need: Need, how: str) -> None:
    """Solved inside government at this level: say how (which policy, which department)."""
    access.require(actor, "needs.act", need)
    if need.status not in OPEN_STATUSES:
        raise Conflict(_l("Only a need still inside government is resolved this way."))
    how = (how or "").strip()
    if not how:
        raise DomainError(_l("Say how it was solved: which policy, which department."), field="note")
    # From the status the actor saw and was allowed to act on: if it moved meanwhile, refuse.
    _move(session, need, actor, "resolve", [need.status], NeedStatus.resolved, how, resolution=how[:500])
    notices.need_closed(session, need)


def reject(session: Session, actor: User, need: Need, reason: str) -> None:
    access.require(actor, "needs.act", need)
    if need.status not in OPEN_STATUSES:
        raise Conflict(_l("Only a need still inside government can be rejected."))
    reason = _reason(reason)
    _move(session, need, actor, "reject", [need.status], NeedStatus.rejected, reason, resolution=reason)
    notices.need_closed(session, need)


UNTOUCHED = (Need.slots_taken == 0, Need.raised_fen == 0)  # nobody claimed it, nobody gave to it


def cancel(session: Session, actor: User, need: Need, reason: str) -> None:
    """Withdraw a need nobody has claimed or given to (the child moved, the need went away): staff
    at its level while it is inside government; once published, the staff who publish."""
    sources = OPEN_STATUSES | {NeedStatus.published}
    access.require(actor, "needs.publish" if need.status == NeedStatus.published else "needs.act", need)
    if need.status not in sources or need.slots_taken or need.raised_fen:
        raise Conflict(_l("Only a need that nobody has claimed can be cancelled."))
    reason = _reason(reason)
    _move(session, need, actor, "cancel", [need.status], NeedStatus.cancelled, reason, resolution=reason,
          where=UNTOUCHED)


def publish(session: Session, actor: User, need: Need, summary: str, today: date | None = None) -> None:
    """County staff open the need to helpers with a public summary that names nobody: a summary
    in which the check finds an identity number, a phone number, a name or an address below the
    town is refused (``SummaryRevealsIdentity`` carries the hits to show)."""
    access.require(actor, "needs.publish", need)
    if need.status not in OPEN_STATUSES:
        raise Conflict(_l("Only a need still inside government can be published."))
    summary = (summary or "").strip()
    if len(summary) < 10:
        raise DomainError(_l("Write a public summary of at least 10 characters."), field="summary")
    if len(summary) > 1000:
        raise DomainError(_l("At most %(n)d characters.", n=1000), field="summary")
    hits = summary_hits(session, need, summary)
    if hits:
        raise SummaryRevealsIdentity(summary, hits)
    today = today or date.today()
    children = children_of(session, need)
    _move(session, need, actor, "publish", [need.status], NeedStatus.published, "", public_summary=summary,
          age_band=band_of([age_on(c.birth_date, today) for c in children]), published_at=utcnow())
    notices.need_published(session, need)


def summary_hits(session: Session, need: Need, summary: str) -> list:
    """What in ``summary`` would identify a child of ``need``'s town (``find_pii`` with the names
    and dates of birth of its villages' children and guardians, and the villages)."""
    names, birth_dates = identifying_names(session, need)
    # The town, county, city and province may be named, also in pinyin ("Linyi" is not 林怡).
    public = names_of(session, {need.town_code, need.county_code, need.county_code[:4] + "0" * 8,
                                need.county_code[:2] + "0" * 10}).values()
    return find_pii(summary, names=names, places=nearby_places(session, need), birth_dates=birth_dates,
                    public_places=public)


class SummaryRevealsIdentity(DomainError):
    def __init__(self, summary: str, hits):
        super().__init__(_l("The summary reveals who or where the child is. Remove the highlighted parts."),
                         field="summary")
        self.summary, self.hits = summary, hits


def identifying_names(session: Session, need: Need) -> tuple[list[str], list[date]]:
    """Names that must never appear in public, and dates of birth: those of every child of the
    need's village and of the other villages of its town, of their guardians (also temporary
    guardians), and of the need's own children wherever they live now. Two queries, however many
    children: a summary that names a classmate or a neighbour's child exposes a child just as well."""
    low, high = subtree_bounds(need.town_code, "town")
    own = select(NeedChild.child_id).where(NeedChild.need_id == need.id)
    nearby = or_(Child.region_code.between(low, high), Child.id == need.child_id, Child.id.in_(own))
    children = session.execute(select(Child.id, Child.name, Child.birth_date).where(nearby)).all()
    ids = select(Child.id).where(nearby)
    guardians = union_all(
        select(Guardian.name).where(Guardian.child_id.in_(ids)),
        select(GuardianshipAgreement.guardian_name).where(GuardianshipAgreement.child_id.in_(ids)),
    )
    names = [name for _id, name, _born in children] + list(session.scalars(guardians))
    return sorted({n for n in names if n and n.strip()}), sorted({born for _id, _name, born in children if born})


def nearby_places(session: Session, need: Need) -> list[str]:
    """Village names of the need's town: any of them would place the child below the town."""
    from portal.regions.models import Level, Region

    stmt = select(Region.name).where(Region.parent_code == need.town_code, Region.level == Level.village)
    names = list(session.scalars(stmt))
    # "屠苏村村民委员会" is known as "屠苏村": both are checked.
    short = [n.replace("村民委员会", "").replace("居民委员会", "").replace("社区居委会", "社区") for n in names]
    return sorted({*names, *short} - {""})


def expire_overdue(session: Session, today: date) -> int:
    """Published needs past their deadline that nobody claimed expire, with the reason."""
    due = list(session.scalars(select(Need).where(Need.status == NeedStatus.published, *UNTOUCHED,
                                                  Need.deadline < today)))
    for need in due:
        try:
            _move(session, need, None, "expire", [NeedStatus.published], NeedStatus.expired, "", where=UNTOUCHED)
        except Conflict:
            continue  # claimed or given to meanwhile
        notices.need_closed(session, need)
    return len(due)


# --- waiting times and the periodic escalation -----------------------------------------------------


def policy_days(session: Session, county_code: str) -> dict[str, int]:
    policy = session.get(NeedPolicy, county_code)
    if policy is None:
        return dict(DEFAULT_DAYS)
    return {"village": policy.village_days, "town": policy.town_days, "county": policy.county_days}


def set_policy(session: Session, actor: User, county_code: str, days: dict[str, int]) -> NeedPolicy:
    access.require(actor, "visits.policy", county_code)  # the county's civil-affairs staff set both
    for level in DEFAULT_DAYS:
        value = days.get(level)
        if not isinstance(value, int) or not 1 <= value <= 60:
            raise DomainError(_l("Days at each level: 1 to 60."), field=f"{level}_days")
    policy = session.get(NeedPolicy, county_code) or NeedPolicy(county_code=county_code)
    policy.village_days, policy.town_days, policy.county_days = days["village"], days["town"], days["county"]
    policy.updated_by_id, policy.updated_at = actor.id, utcnow()
    session.add(policy)
    record(session, actor, "need.policy", "region", county_code, region_code=county_code, detail=days)
    return policy


def due_at(session: Session, need: Need, policies: dict | None = None) -> datetime | None:
    """When ``need`` rises (or, at the county, counts as overdue) if nobody acts."""
    level = LEVEL_OF.get(need.status)
    if level is None:
        return None
    days = (policies or {}).get(need.county_code) or policy_days(session, need.county_code)
    return need.level_since + timedelta(days=days[level])


def escalate_waiting(session: Session, now: datetime | None = None) -> dict:
    """The periodic task: needs that waited their time at the village or town rise by themselves,
    and the event says the portal did it; needs waiting too long at the county alert its staff once."""
    now = now or utcnow()
    counties = {p.county_code: policy_days(session, p.county_code) for p in session.scalars(select(NeedPolicy))}
    shortest = min([*DEFAULT_DAYS.values(), *(v for d in counties.values() for v in d.values())])
    candidates = session.scalars(select(Need).where(Need.status.in_(list(OPEN_STATUSES)),
                                                    Need.level_since <= now - timedelta(days=shortest)))
    risen = alerted = 0
    for need in list(candidates):
        due = due_at(session, need, counties)
        if due is None or due > now:
            continue
        if need.status in RISES_TO:
            try:
                _move(session, need, None, "auto_escalate", [need.status], RISES_TO[need.status], "", now=now)
            except Conflict:
                continue  # someone acted meanwhile
            notices.need_arrived(session, need)
            risen += 1
        elif not _already(session, need, "county_overdue"):
            _event(session, need, None, "county_overdue", need.status, need.status, "", at=now)
            notices.need_overdue_at_county(session, need)
            alerted += 1
    return {"escalated": risen, "county_alerts": alerted}


def _already(session: Session, need: Need, action: str) -> bool:
    return session.scalar(select(NeedEvent.id).where(NeedEvent.need_id == need.id, NeedEvent.action == action,
                                                     NeedEvent.at >= need.level_since).limit(1)) is not None


# --- queues and lists for staff -------------------------------------------------------------------


def queue_for(session: Session, actor: User, limit: int = 100) -> list[Need]:
    """The needs awaiting ``actor``'s level inside their region: most urgent first, then oldest."""
    status = {Role.child_director: NeedStatus.reported, Role.child_supervisor: NeedStatus.at_town,
              Role.civil_affairs: NeedStatus.at_county}.get(actor.role)
    if status is None:
        return []
    low, high = subtree_bounds(actor.region_code, level_of_code(actor.region_code))
    stmt = (select(Need).where(Need.status == status, Need.region_code.between(low, high))
            .order_by(Need.urgency.desc(), Need.level_since).limit(limit))
    return list(session.scalars(stmt))


@dataclass
class StaffFilter:
    status: str = ""
    category: str = ""
    overdue: bool = False  # older than their deadline
    to_verify: bool = False  # a delivery reported on it waits for verification


# A reported delivery waits on a need still on the board (places left), claimed, or delivered.
AWAITING_VERIFICATION = (NeedStatus.published, NeedStatus.claimed, NeedStatus.delivered)


def _staff_query(actor: User, filters: StaffFilter, today: date | None):
    access.require(actor, "needs.list")
    low, high = subtree_bounds(actor.region_code, level_of_code(actor.region_code))
    stmt = select(Need).where(Need.region_code.between(low, high))
    if filters.status in NeedStatus.__members__:
        stmt = stmt.where(Need.status == filters.status)
    if filters.category in NeedCategory.__members__:
        stmt = stmt.where(Need.category == filters.category)
    if filters.overdue:
        stmt = stmt.where(Need.deadline < (today or date.today()), Need.status.not_in(list(CLOSED_STATUSES)))
    if filters.to_verify:
        from portal.needs.models import Delivery, DeliveryStatus

        waiting = select(Delivery.id).where(Delivery.need_id == Need.id, Delivery.status == DeliveryStatus.reported)
        stmt = stmt.where(Need.status.in_(list(AWAITING_VERIFICATION)), waiting.exists())
    return stmt


def count_for_staff(session: Session, actor: User, filters: StaffFilter, today: date | None = None) -> int:
    """How many needs ``list_for_staff`` lists for these filters (one query)."""
    return session.scalar(select(func.count()).select_from(_staff_query(actor, filters, today).subquery())) or 0


def list_for_staff(session: Session, actor: User, filters: StaffFilter, page: int = 1,
                   per_page: int = 50, today: date | None = None) -> tuple[list[Need], int]:
    """The needs of ``actor``'s subtree matching ``filters``, newest first, and how many there are."""
    stmt = _staff_query(actor, filters, today)
    total = count_for_staff(session, actor, filters, today)
    rows = session.scalars(stmt.order_by(Need.created_at.desc(), Need.id.desc()).offset((page - 1) * per_page)
                           .limit(per_page))
    return list(rows), total


def place_names(session: Session, needs) -> dict[str, str]:
    codes = {n.town_code for n in needs} | {n.region_code for n in needs} | {n.county_code for n in needs}
    return names_of(session, codes)


def child_names(session: Session, viewer, needs) -> dict[int, str]:
    """Need id → the child's name, for staff lists (helpers never get here: ``needs.list``); an
    activity for many children has none. Only needs inside the viewer's region are named."""
    access.require(viewer, "needs.list")
    ids = {n.child_id for n in needs if n.child_id and access.within_scope(viewer, n.region_code)}
    if not ids:
        return {}
    names = dict(session.execute(select(Child.id, Child.name).where(Child.id.in_(ids))).all())
    return {n.id: names[n.child_id] for n in needs if n.child_id in names}


def needs_of_child(session: Session, viewer, child: Child) -> list[Need]:
    """The needs reported for ``child`` (its own, and activities it takes part in), newest first,
    for the child's file. Refuses a viewer who may not open the file."""
    access.require(viewer, "children.view", child)
    # Two index look-ups joined: with OR over both, PostgreSQL walked every need of the province
    # by date (50 ms a file, issue 22).
    ids = select(Need.id).where(Need.child_id == child.id).union(
        select(NeedChild.need_id).where(NeedChild.child_id == child.id))
    stmt = select(Need).where(Need.id.in_(ids))
    return list(session.scalars(stmt.order_by(Need.created_at.desc(), Need.id.desc()).limit(100)))
