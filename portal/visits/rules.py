"""Visit rules: how often each child must be visited, recording visits and their photos, what
is overdue, and who may see a visit's photos."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from portal import access
from portal.audit.rules import record
from portal.children.grading import RiskLevel
from portal.children.models import Child, ChildStatus
from portal.errors import DomainError, NotFound
from portal.visits.models import Visit, VisitMode, VisitPhoto, VisitPolicy
from portal.visits.photos import MAX_PHOTOS, CleanPhoto, PhotoRefused, PhotoStore
from portal.visits.schedule import next_due, visit_interval

signals = Namespace()
# Sent after a visit is recorded (in the same transaction): sender is the Visit; keyword
# arguments actor, child and session. Receivers must not commit.
visit_recorded = signals.signal("visit-recorded")

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
    photos: Sequence[CleanPhoto] = (),
    store: PhotoStore | None = None,
    today: date | None = None,
) -> Visit:
    """Record a visit to ``child`` by ``actor``, with its photos, and move the child's next due date.

    Refuses a child outside the actor's region, a file that is no longer active, a date in the
    future, and more than ``MAX_PHOTOS`` photos. The photos (already cleaned by
    ``photos.clean_photos``) are written through ``store`` only once the visit passes these checks;
    the caller commits inside ``photos.photo_store`` so that a failed commit removes them.
    """
    access.require(actor, "children.edit", child)
    today = today or date.today()
    if child.status != ChildStatus.active:
        raise DomainError(_l("Visits are recorded only for active files."))
    if visited_on > today:
        raise DomainError(_l("The visit date cannot be in the future."), field="visited_on")
    if len(photos) > MAX_PHOTOS:
        raise PhotoRefused(_l("Attach at most %(n)d photos to one visit. Nothing was saved.", n=MAX_PHOTOS))
    if photos and store is None:
        raise ValueError("photos need a store to be written to")
    visit = Visit(
        child_id=child.id, visited_on=visited_on, visitor_id=actor.id, mode=VisitMode(mode),
        seen=seen.strip(), findings=findings.strip(), follow_up=follow_up.strip(), via_qr=via_qr,
    )
    session.add(visit)
    if child.last_visited_on is None or visited_on >= child.last_visited_on:
        child.last_visited_on = visited_on
        child.next_visit_due = next_due(session, child, today)
    session.flush()
    for photo in photos:
        session.add(VisitPhoto(
            visit_id=visit.id, path=store.write(photo), content_type=photo.content_type, size=len(photo.data),
            width=photo.width, height=photo.height,
        ))
    session.flush()
    record(session, actor, "visit.create", "child", child.id, region_code=child.region_code,
           detail={"visit": visit.id, "via_qr": via_qr, "photos": len(photos)})
    # The hook for "a visit can start a need": the needs area listens and offers to report one.
    visit_recorded.send(visit, actor=actor, child=child, session=session)
    return visit


def days_overdue(child: Child, today: date) -> int:
    if child.next_visit_due is None or child.next_visit_due >= today:
        return 0
    return (today - child.next_visit_due).days


def visits_of(session: Session, child: Child, limit: int = 50) -> list[Visit]:
    """The child's latest visits, newest first, with their photos (loaded in one more query)."""
    stmt = (
        select(Visit).where(Visit.child_id == child.id).options(selectinload(Visit.photos))
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
    )
    return list(session.scalars(stmt.limit(limit)))


def read_photo(session: Session, viewer, photo_id: int) -> VisitPhoto:
    """The visit photo ``photo_id``, if ``viewer`` may see the child's file, after auditing the read.

    Same rule as the file itself (``children.view``, as ``load_child`` applies it): a photo of a
    file outside the viewer's reach answers exactly like one that does not exist. Fail closed: if
    the audit entry cannot be written, the exception propagates and the photo is not shown.
    """
    from portal.audit.rules import record_read
    from portal.children.rules import load_child

    photo = session.get(VisitPhoto, photo_id)
    visit = session.get(Visit, photo.visit_id) if photo is not None else None
    try:
        child = load_child(session, viewer, visit.child_id) if visit is not None else None
    except NotFound:
        child = None
    if child is None:
        raise NotFound(_l("This photo does not exist or is outside your region."))
    # Keyed by the child, as every read of a file is, so "who read this file" lists photo views too.
    record_read(viewer, "visit_photo", child.id, region_code=child.region_code,
                detail={"photo": photo.id, "visit": visit.id})
    return photo


MIN_DAYS, MAX_DAYS = 1, 365


def set_policy(session: Session, actor, county_code: str, days: dict[str, int]) -> VisitPolicy:
    """Set a county's visit interval per risk level. More severe levels may not wait longer than
    milder ones (red ≤ yellow ≤ blue ≤ green), and each lies between 1 and 365 days."""
    from portal.regions.models import Level, Region

    county = session.get(Region, county_code)
    if county is None or county.level != Level.county:
        raise NotFound(_l("Region %(code)s does not exist.", code=county_code))
    access.require(actor, "visits.policy", county_code)
    values = [int(days[level.value]) for level in (RiskLevel.red, RiskLevel.yellow, RiskLevel.blue, RiskLevel.green)]
    if any(v < MIN_DAYS or v > MAX_DAYS for v in values):
        raise DomainError(_l("Each interval is between 1 and 365 days."))
    if values != sorted(values):
        raise DomainError(_l("A more serious level cannot be visited less often than a milder one."))
    policy = session.get(VisitPolicy, county_code) or VisitPolicy(county_code=county_code)
    policy.red_days, policy.yellow_days, policy.blue_days, policy.green_days = values
    policy.updated_by_id = actor.id
    session.add(policy)
    record(session, actor, "visits.policy", "region", county_code, region_code=county_code,
           detail=dict(zip(("red", "yellow", "blue", "green"), values, strict=True)))
    return policy


def policy_days(session: Session, county_code: str) -> dict[str, int]:
    return {level.value: visit_interval(session, county_code, level) for level in RiskLevel}
