"""The child registry: registering and updating files, finding them, and who may see them.

Every rule takes the acting user and refuses what DESIGN.md §2 forbids: files outside the actor's
region subtree, and any file for organizations, volunteers, donors and the administrator.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz
from sqlalchemy import Text, case, cast, func, select
from sqlalchemy.orm import defer, load_only
from sqlmodel import Session

from portal import access, crypto
from portal.audit.rules import record
from portal.children import idnumber, probes
from portal.children.grading import SEVERITY, grade
from portal.children.models import (
    Assessment,
    Category,
    Child,
    ChildMove,
    ChildStatus,
    Gender,
    Guardian,
    GuardianshipAgreement,
    SchoolStage,
)
from portal.errors import Conflict, DomainError, NotFound
from portal.regions.models import Level, Region
from portal.regions.rules import level_of_code, subtree_bounds
from portal.types import utcnow
from portal.visits.schedule import next_due

NEAR_DUPLICATE_SCORE = 85

signals = Namespace()
# Sent when files are opened or change in what other areas decide on (category, school stage,
# village, status, grading), in the same transaction: sender None; keyword arguments session,
# child_ids and on_date. The programmes area re-evaluates its rules (政策找人). Receivers must not commit.
files_changed = signals.signal("child-files-changed")


def announce_changes(session: Session, child_ids: list[int], on_date: date | None = None) -> None:
    """Tell the other areas that these files were opened or changed (see ``files_changed``)."""
    if child_ids:
        files_changed.send(None, session=session, child_ids=list(child_ids), on_date=on_date or date.today())


class DuplicateIdNumber(Conflict):
    """A file with this identity number exists; ``child_id`` names it."""

    def __init__(self, child_id: int):
        super().__init__(_l("A file with this identity number already exists."), field="id_number")
        self.child_id = child_id


class PossibleDuplicates(DomainError):
    """Files that look like the same child; registering needs an explicit confirmation."""

    def __init__(self, candidates: list[Child]):
        super().__init__(_l("Files that may be the same child exist. Check them, then confirm."))
        self.candidates = candidates


@dataclass
class ChildValues:
    """What a form or a spreadsheet row says about a child."""

    name: str
    gender: Gender
    birth_date: date
    region_code: str
    id_number: str = ""
    ethnicity: str = ""
    household_registration: str = ""
    address: str = ""
    categories: list[str] = field(default_factory=list)
    school: str = ""
    grade: str = ""
    school_stage: str = SchoolStage.none.value
    disability_category: str = ""
    disability_level: str = ""
    chronic_illness: str = ""
    benefits: list[str] = field(default_factory=list)


def new_qr_token() -> str:
    return secrets.token_urlsafe(18)


def check_values(session: Session, values: ChildValues, today: date | None = None) -> str | None:
    """Validate ``values``; return the normalised identity number (or None). Raises DomainError
    naming the field at fault."""
    today = today or date.today()
    if not values.name.strip():
        raise DomainError(_l("The child's name is required."), field="name")
    if values.birth_date > today:
        raise DomainError(_l("The birth date cannot be in the future."), field="birth_date")
    if (today.year - values.birth_date.year) > 18:
        raise DomainError(_l("The registry is for children under 18."), field="birth_date")
    if (values.school_stage or SchoolStage.none.value) not in SchoolStage.__members__:
        raise DomainError(_l("Choose the school stage from the list."), field="school_stage")
    unknown = [c for c in values.categories if c not in Category.__members__]
    if unknown or not values.categories:
        raise DomainError(_l("Choose at least one category."), field="categories")
    region = session.get(Region, values.region_code)
    if region is None or region.level != Level.village:
        raise DomainError(_l("A child's file belongs to a village or community."), field="region_code")
    if not values.id_number.strip():
        return None
    try:
        number = idnumber.parse(values.id_number, today)
    except ValueError as exc:
        raise DomainError(exc.args[0], field="id_number") from None
    if number.birth_date != values.birth_date:
        raise DomainError(_l("The birth date differs from the one in the identity number."), field="birth_date")
    if number.gender != Gender(values.gender):
        raise DomainError(_l("The gender differs from the one in the identity number."), field="gender")
    return number.value


def find_by_id_number(session: Session, number: str) -> Child | None:
    return session.scalar(select(Child).where(Child.id_number_hash == crypto.blind_index(number)))


def refuse_taken_number(session: Session, actor, number: str, via: str, own: Child | None = None) -> None:
    """Refuse an identity number that another file already has.

    Inside the actor's region the refusal names the file (``DuplicateIdNumber``). Outside it, the
    actor only learns that it exists elsewhere, a few times a day; beyond that every number not on
    file in their region is refused without saying whether it exists (``IdNumberElsewhere``; see
    ``probes``). Such a refusal leaves an audit entry in ``session``: the caller commits it even
    though nothing else is written.
    """
    existing = find_by_id_number(session, number)
    if existing is not None and own is not None and existing.id == own.id:
        return
    if existing is not None and access.allowed(actor, "children.view", existing):
        raise DuplicateIdNumber(existing.id)
    key = crypto.blind_index(number)
    answer = probes.answer(session, actor, [(key, existing is not None)], via)[key]
    if answer != probes.Answer.free:
        raise probes.IdNumberElsewhere(answer)


def name_key(name: str) -> str:
    """A name as compared for near-duplicates: spaces (also full-width ones) do not count."""
    return "".join(name.split())


def near_duplicates(session: Session, values: ChildValues, exclude_id: int | None = None) -> list[Child]:
    """Files in the same county with the same birth date and a similar name."""
    low, high = subtree_bounds(values.region_code, Level.county)
    stmt = select(Child).where(Child.birth_date == values.birth_date, Child.region_code.between(low, high))
    if exclude_id:
        stmt = stmt.where(Child.id != exclude_id)
    name = name_key(values.name)
    return [c for c in session.scalars(stmt) if fuzz.ratio(name_key(c.name), name) >= NEAR_DUPLICATE_SCORE]


def register_child(
    session: Session, actor, values: ChildValues, *, confirmed_not_duplicate: bool = False, today: date | None = None
) -> Child:
    """Open a file for a child in a village inside the actor's region.

    Refuses a region outside the actor's subtree, invalid values, an identity number already on
    file (``DuplicateIdNumber`` or ``IdNumberElsewhere``, see ``refuse_taken_number``), and files that look like the same child unless the actor has
    confirmed it is another child (``PossibleDuplicates``).
    """
    access.require(actor, "children.register", values.region_code)
    number = check_values(session, values, today)
    if number:
        refuse_taken_number(session, actor, number, "form")
    if not confirmed_not_duplicate:
        # Only files the actor may read count: others would reveal a child elsewhere, and would
        # block a registration the actor could never confirm.
        candidates = [c for c in near_duplicates(session, values) if access.allowed(actor, "children.view", c)]
        if candidates:
            raise PossibleDuplicates(candidates)
    child = Child(
        **_columns(values),
        id_number=number,
        id_number_hash=crypto.blind_index(number) if number else None,
        qr_token=new_qr_token(),
        created_by_id=actor.id,
    )
    session.add(child)
    session.flush()
    child.next_visit_due = next_due(session, child, today or date.today())
    record(session, actor, "child.create", "child", child.id, region_code=child.region_code)
    announce_changes(session, [child.id], today)
    return child


def update_child(session: Session, actor, child: Child, values: ChildValues, today: date | None = None) -> Child:
    """Change a file's details (not its village: a move is ``move_child``). An identity number
    another file has is refused as in ``register_child``."""
    access.require(actor, "children.edit", child)
    if values.region_code != child.region_code:
        raise DomainError(_l("To change the village, record a move."), field="region_code")
    number = check_values(session, values, today)
    if number:
        refuse_taken_number(session, actor, number, "form", own=child)
    for key, value in _columns(values).items():
        setattr(child, key, value)
    child.id_number = number
    child.id_number_hash = crypto.blind_index(number) if number else None
    child.updated_at = utcnow()
    record(session, actor, "child.update", "child", child.id, region_code=child.region_code)
    session.flush()
    announce_changes(session, [child.id], today)
    return child


def _columns(values: ChildValues) -> dict:
    return {
        "region_code": values.region_code,
        "name": values.name.strip(),
        "gender": Gender(values.gender),
        "birth_date": values.birth_date,
        "ethnicity": values.ethnicity.strip(),
        "household_registration": values.household_registration.strip() or None,
        "address": values.address.strip() or None,
        "categories": sorted(set(values.categories)),
        "school": values.school.strip(),
        "grade": values.grade.strip(),
        "school_stage": SchoolStage(values.school_stage or SchoolStage.none.value),
        "disability_category": values.disability_category.strip(),
        "disability_level": values.disability_level.strip(),
        "chronic_illness": values.chronic_illness.strip(),
        "benefits": [b.strip() for b in values.benefits if b.strip()],
    }


def set_guardians(session: Session, actor, child: Child, guardians: list[dict]) -> None:
    """Replace the child's guardians (relation, name, phone, situation)."""
    access.require(actor, "children.edit", child)
    for old in session.scalars(select(Guardian).where(Guardian.child_id == child.id)):
        session.delete(old)
    for g in guardians:
        if not (g.get("name") or "").strip():
            continue
        session.add(Guardian(child_id=child.id, relation=g.get("relation", "").strip(), name=g["name"].strip(),
                             phone=(g.get("phone") or "").strip() or None, situation=(g.get("situation") or "").strip()))
    record(session, actor, "child.guardians", "child", child.id, region_code=child.region_code)


def load_child(session: Session, viewer, child_id: int, rule: str = "children.view") -> Child:
    """The child with ``child_id`` if ``viewer`` may see it; NotFound otherwise.

    A file outside the viewer's reach answers exactly like a file that does not exist, so ids
    cannot be probed.
    """
    return _visible(session.get(Child, child_id), viewer, rule)


def _visible(child: Child | None, viewer, rule: str) -> Child:
    if child is None or not access.allowed(viewer, rule, child):
        raise NotFound(_l("This file does not exist or is outside your region."))
    return child


def read_file(session: Session, viewer, child_id: int, rule: str = "children.view") -> Child:
    """Load a child's file for a page that shows it, after writing the read to the audit log.

    The read is checked and recorded in its own short transaction, committed before ``session``
    (the page's) is touched: so it is kept even if the page's own change fails and is rolled
    back, and on SQLite it never waits for the page's write lock. Fail closed: if the entry
    cannot be written, the exception propagates and nothing of the file is shown.
    """
    from portal.db import write_session

    with write_session() as audit:
        # The access rules look at where the file is and whether it is active: the check loads
        # only that, not the identity data it would decrypt for nothing.
        found = _visible(audit.get(Child, child_id, options=[load_only(Child.id, Child.region_code, Child.status)]),
                         viewer, rule)
        record(audit, viewer, "read", "child", found.id, region_code=found.region_code)
    return load_child(session, viewer, child_id, rule)


@dataclass
class ChildFilter:
    risk_level: str = ""
    category: str = ""
    status: str = ChildStatus.active.value
    region_code: str = ""
    overdue: bool = False
    text: str = ""
    agreement_due: bool = False  # the latest guardianship agreement is due for renewal within 30 days
    order: str = ""  # "" = reddest first, then by due date; "due" = earliest due date first (most overdue)


AGREEMENT_NOTICE_DAYS = 30


RISK_ORDER = case({level.value: rank for rank, level in enumerate(SEVERITY)}, value=Child.risk_level, else_=1)


def _children_query(viewer, filters: ChildFilter, today: date | None):
    access.require(viewer, "children.list")
    scope = filters.region_code if filters.region_code and access.within_scope(viewer, filters.region_code) else viewer.region_code
    low, high = subtree_bounds(scope, level_of_code(scope))
    stmt = select(Child).where(Child.region_code.between(low, high))
    if filters.status:
        stmt = stmt.where(Child.status == filters.status)
    if filters.risk_level == "none":
        stmt = stmt.where(Child.risk_level.is_(None))
    elif filters.risk_level:
        stmt = stmt.where(Child.risk_level == filters.risk_level)
    if filters.category:
        # JSON arrays are matched as text: '"orphan"' inside '["left_behind", "orphan"]'.
        stmt = stmt.where(cast(Child.categories, Text).contains(f'"{filters.category}"'))
    if filters.overdue:
        stmt = stmt.where(Child.next_visit_due < (today or date.today()))
    if filters.text.strip():
        stmt = stmt.where(Child.name.contains(filters.text.strip(), autoescape=True))
    if filters.agreement_due:
        latest = (select(func.max(GuardianshipAgreement.renewal_due))
                  .where(GuardianshipAgreement.child_id == Child.id).scalar_subquery())
        stmt = stmt.where(latest <= (today or date.today()) + timedelta(days=AGREEMENT_NOTICE_DAYS))
    return stmt


def count_children(session: Session, viewer, filters: ChildFilter, today: date | None = None) -> int:
    """How many children ``list_children`` lists for these filters (one query)."""
    return session.scalar(select(func.count()).select_from(_children_query(viewer, filters, today).subquery())) or 0


def list_children(
    session: Session, viewer, filters: ChildFilter, page: int, per_page: int, today: date | None = None
) -> tuple[list[Child], int]:
    """Children in ``viewer``'s subtree matching ``filters``: red first, then by next due date."""
    stmt = _children_query(viewer, filters, today)
    total = count_children(session, viewer, filters, today)
    ordering = ((Child.next_visit_due.is_(None), Child.next_visit_due, RISK_ORDER, Child.id) if filters.order == "due"
                else (RISK_ORDER, Child.next_visit_due.is_(None), Child.next_visit_due, Child.id))
    rows = session.scalars(
        stmt.order_by(*ordering)
        .offset((page - 1) * per_page)
        .limit(per_page)
        # A list shows no identity number, household or address: decrypting them cost a page of 50
        # rows a hundred Fernet decryptions (loaded on access if a caller ever reads one).
        .options(defer(Child.id_number), defer(Child.household_registration), defer(Child.address))
    )
    return list(rows), total


def record_assessment(
    session: Session, actor, child: Child, *, indicators: list[str], assessed_on: date, team: str = "",
    notes: str = "", today: date | None = None,
) -> Assessment:
    """Grade ``child`` from the ticked indicators; the file takes the overall level, and the next
    visit is due by that level's interval."""
    access.require(actor, "children.edit", child)
    today = today or date.today()
    if assessed_on > today:
        raise DomainError(_l("The assessment date cannot be in the future."), field="assessed_on")
    try:
        result = grade(indicators)
    except KeyError:
        raise DomainError(_l("Unknown indicator.")) from None
    assessment = Assessment(
        child_id=child.id, assessed_on=assessed_on, assessor_id=actor.id, team=team.strip(),
        indicators=sorted(set(indicators)), overall=result.overall, notes=notes.strip(),
        **{d.value: level for d, level in result.dimensions.items()},
    )
    session.add(assessment)
    previous = child.risk_level
    child.risk_level = result.overall
    child.next_visit_due = next_due(session, child, today)
    session.flush()
    record(session, actor, "child.assess", "child", child.id, region_code=child.region_code,
           detail={"from": previous, "to": result.overall.value})
    announce_changes(session, [child.id], today)
    return assessment


def assessments_of(session: Session, child: Child) -> list[Assessment]:
    return list(session.scalars(
        select(Assessment).where(Assessment.child_id == child.id).order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
    ))


def guardians_of(session: Session, child: Child) -> list[Guardian]:
    return list(session.scalars(select(Guardian).where(Guardian.child_id == child.id).order_by(Guardian.id)))


def reissue_qr(session: Session, actor, child: Child) -> str:
    """Revoke the child's QR card and issue a new one (a lost or copied card stops working)."""
    access.require(actor, "children.edit", child)
    child.qr_token = new_qr_token()
    record(session, actor, "child.qr_reissue", "child", child.id, region_code=child.region_code)
    return child.qr_token


def child_for_qr(session: Session, viewer, token: str) -> Child:
    """The child whose card carries ``token``, if ``viewer`` may record its visits."""
    child = session.scalar(select(Child).where(Child.qr_token == token)) if token else None
    if child is None or not access.allowed(viewer, "children.edit", child):
        raise NotFound(_l("This QR card is not valid (it may have been replaced) or the child is outside your region."))
    return child


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))



# --- moves and status ----------------------------------------------------------------------------


def move_child(session: Session, actor, child: Child, to_region_code: str, today: date | None = None) -> ChildMove:
    """The file follows the child to another village (anywhere in the registry): the new
    village's staff take it over; the old village keeps read access to the history before the move."""
    access.require(actor, "children.edit", child)
    target = session.get(Region, (to_region_code or "").strip())
    if target is None or target.level != Level.village:
        raise DomainError(_l("Choose the village or community the child moved to."), field="to_region_code")
    if target.code == child.region_code:
        raise DomainError(_l("The child already lives in this village."), field="to_region_code")
    move = ChildMove(child_id=child.id, from_region_code=child.region_code, to_region_code=target.code,
                     moved_by_id=actor.id)
    session.add(move)
    record(session, actor, "child.move", "child", child.id, region_code=child.region_code,
           detail={"from": child.region_code, "to": target.code})
    child.region_code = target.code
    child.updated_at = utcnow()
    child.next_visit_due = next_due(session, child, today or date.today())
    session.flush()
    announce_changes(session, [child.id], today)
    return move


CLOSING_STATUSES = (ChildStatus.moved, ChildStatus.aged_out, ChildStatus.closed)


def set_status(session: Session, actor, child: Child, status: str, reason: str) -> None:
    """Close a file (moved out of the registry's reach, aged out, closed) with a reason, or reopen
    it. Files are never deleted."""
    status = ChildStatus(status)
    reason = (reason or "").strip()
    if not access.allowed(actor, "children.view", child) or not access.allowed(actor, "children.list"):
        raise NotFound(_l("This file does not exist or is outside your region."))
    if status != ChildStatus.active and not reason:
        raise DomainError(_l("Give the reason."), field="reason")
    if status == child.status:
        return
    previous = child.status
    child.status = status
    child.status_reason = reason[:200]
    child.updated_at = utcnow()
    record(session, actor, "child.status", "child", child.id, region_code=child.region_code,
           detail={"from": previous, "to": status.value, "reason": reason[:200]})
    session.flush()
    announce_changes(session, [child.id])


def age_out(session: Session, today: date) -> int:
    """Mark active files of children who have turned 18 as aged out (a daily task)."""
    try:
        cutoff = today.replace(year=today.year - 18)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - 18, day=28)
    children = list(session.scalars(select(Child).where(Child.status == ChildStatus.active, Child.birth_date <= cutoff)))
    for child in children:
        child.status = ChildStatus.aged_out
        child.status_reason = "18"
        record(session, None, "child.status", "child", child.id, region_code=child.region_code,
               detail={"from": "active", "to": "aged_out"})
    session.flush()
    announce_changes(session, [c.id for c in children], today)
    return len(children)


def history_cutoff(session: Session, viewer, child: Child):
    """When ``viewer`` may see only the history of a child who moved out of their region: the
    moment the child left it. None when the viewer may not see even that."""
    moves = session.scalars(select(ChildMove).where(ChildMove.child_id == child.id).order_by(ChildMove.moved_at))
    left = [m.moved_at for m in moves if access.within_scope(viewer, m.from_region_code)]
    if not left or not access.allowed(viewer, "children.list"):
        return None
    return left[-1]


def moved_away(session: Session, viewer, limit: int = 200) -> list[tuple[Child, ChildMove]]:
    """Children who moved out of ``viewer``'s region, most recent first."""
    low, high = subtree_bounds(viewer.region_code, level_of_code(viewer.region_code))
    stmt = (
        select(Child, ChildMove).join(ChildMove, ChildMove.child_id == Child.id)
        .where(ChildMove.from_region_code.between(low, high), ~Child.region_code.between(low, high))
        .order_by(ChildMove.moved_at.desc()).limit(limit)
    )
    return [(c, m) for c, m in session.execute(stmt).all()]


# --- temporary guardianship agreements (农村留守儿童临时监护责任书) ----------------------------------

AGREEMENT_YEARS = 1


def record_agreement(session: Session, actor, child: Child, *, guardian_name: str, signed_on: date,
                     renewal_due: date | None = None, scan_path: str | None = None,
                     today: date | None = None) -> GuardianshipAgreement:
    """Record the temporary guardianship agreement of a left-behind child; it is renewed yearly
    unless another renewal date is given."""
    access.require(actor, "children.edit", child)
    today = today or date.today()
    if Category.left_behind.value not in child.categories:
        raise DomainError(_l("Temporary guardianship agreements are for left-behind children."))
    if not guardian_name.strip():
        raise DomainError(_l("Name the temporary guardian."), field="guardian_name")
    if signed_on > today:
        raise DomainError(_l("The signing date cannot be in the future."), field="signed_on")
    renewal_due = renewal_due or _years_after(signed_on, AGREEMENT_YEARS)
    if renewal_due <= signed_on:
        raise DomainError(_l("The renewal date must come after the signing date."), field="renewal_due")
    agreement = GuardianshipAgreement(child_id=child.id, guardian_name=guardian_name.strip(), signed_on=signed_on,
                                      renewal_due=renewal_due, scan_path=scan_path)
    session.add(agreement)
    session.flush()
    record(session, actor, "child.agreement", "child", child.id, region_code=child.region_code,
           detail={"agreement": agreement.id, "renewal_due": renewal_due.isoformat()})
    return agreement


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def agreements_of(session: Session, child: Child) -> list[GuardianshipAgreement]:
    stmt = select(GuardianshipAgreement).where(GuardianshipAgreement.child_id == child.id)
    return list(session.scalars(stmt.order_by(GuardianshipAgreement.signed_on.desc())))


def set_photo(session: Session, actor, child: Child, relative_path: str) -> str | None:
    """Give the file a new portrait; returns the old one's path so the caller removes the file
    once the change is committed."""
    access.require(actor, "children.edit", child)
    old = child.photo_path
    child.photo_path = relative_path
    child.updated_at = utcnow()
    record(session, actor, "child.photo", "child", child.id, region_code=child.region_code)
    return old
