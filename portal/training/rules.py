"""Training (培训) of child directors and supervisors: sessions, attendance (QR check-in on the
phone or ticked on a list), each person's record, and coverage.

Figures for the dashboards and the report page (names kept stable; ``start`` and ``end`` are
dates, both included; ``region_code`` is any region, its whole subtree counts):

- ``sessions_held(session, region_code, start, end) -> int``: sessions held by a region of the
  subtree, dated within the period, that at least one person attended (a session planned but not
  attended was not held) — "开展培训12场".
- ``person_times(session, region_code, start, end) -> int``: attendances at those sessions, one
  per person and session (人次) — "570人次".
- ``coverage(session, region_code, start, end) -> (trained, total)``: ``total`` is the active child
  directors and supervisors working in the subtree; ``trained`` is how many of them attended at
  least one session dated within the period, whoever held it — "培训覆盖率100%".
- ``coverage_by_area(session, region_code, start, end) -> list[AreaCoverage]``: the same per region
  one level below (per town of a county, per county of a city).
- ``figures_by_area(session, region_code, [(start, end), …], digits=None) -> [{code: AreaFigures}]``:
  all four figures (sessions, person-times, trained, total) per region one level below, or per
  code prefix of ``digits`` digits, for each period given, in two grouped statements (the
  dashboards' training panel: its period and the one before).
- ``trained(start, end)``: the SQL condition on ``User`` of having been trained in the period,
  which every figure above uses; ``coverage_percent(trained, total)`` its whole percent.

Who is expected at a session: the active child directors and supervisors working in the subtree
of the region holding it. The QR code of a session carries its own random token and works only on
the day of the session; a new token can be issued at any time (the old code stops working).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, distinct, exists, func, literal_column, or_, select
from sqlmodel import Session

from portal import access, db
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit.rules import record
from portal.children.rules import new_qr_token
from portal.errors import DomainError, NotAllowed, NotFound
from portal.notifications.rules import add as add_notice
from portal.notifications.rules import mark_done, register_kind
from portal.regions.models import LEVEL_DIGITS, Level, Region
from portal.regions.rules import level_of_code, names_of, prefix_of, subtree_bounds
from portal.training.models import TrainingAttendance, TrainingMaterial, TrainingSession
from portal.visits.photos import CleanPhoto, PhotoStore

TRAINEE_ROLES = (Role.child_director, Role.child_supervisor)
HOLDING_LEVELS = (Level.province, Level.city, Level.county, Level.town)
UNTRAINED_AFTER_DAYS = 60
MAX_MATERIALS = 20
NOTICE_KIND = "training_overdue"

register_kind(NOTICE_KIND,
              _l("%(name)s, child director of %(village)s, has not been trained %(days)d days after taking up "
                 "the post."),
              _l("Child directors not yet trained"), email=False)


# --- sessions ------------------------------------------------------------------------------------


@dataclass
class SessionValues:
    topic: str
    held_on: date
    region_code: str
    trainer: str
    place: str = ""


def _holding_region(session: Session, actor, code: str) -> Region:
    """The region that is to hold a session: a town, county, city or province inside the actor's
    subtree. Anything else (a village, an unknown or malformed code) is a message on the field."""
    region = _region_named(session, code)
    if region is None:
        raise DomainError(_l("Choose a region from the list."), field="region_code")
    if region.level not in HOLDING_LEVELS:
        raise DomainError(_l("A session is held by a town, county, city or province, not by a village."),
                          field="region_code")
    if not access.allowed(actor, "training.manage", region.code):
        raise DomainError(_l("That region is outside your area."), field="region_code")
    return region


def _region_named(session: Session, code: str | None) -> Region | None:
    """The region of a 12-digit ASCII code; None for anything else (full-width or look-alike
    digits, a cut code such as a county's first six digits, an unknown code)."""
    code = (code or "").strip()
    if not (len(code) == 12 and code.isascii() and code.isdigit()):
        return None
    return session.get(Region, code)


def report_region(session: Session, viewer, code: str | None) -> Region:
    """The region a coverage page or list is asked for: the viewer's own when none is named.
    Refuses, with a message, a code that names no region and a region outside the viewer's."""
    region = _region_named(session, code or viewer.region_code)
    if region is None:
        raise DomainError(_l("Choose a region from the list."))
    if not access.allowed(viewer, "training.coverage", region.code):
        raise DomainError(_l("That region is outside your area."))
    return region


def _check_values(values: SessionValues) -> None:
    if not values.topic.strip():
        raise DomainError(_l("Give the session a topic."), field="topic")
    if not values.trainer.strip():
        raise DomainError(_l("Name the trainer."), field="trainer")


def create_session(session: Session, actor, values: SessionValues) -> TrainingSession:
    """A new training session held by ``values.region_code``. Civil-affairs staff only, for a
    holding region inside their subtree; refuses a village, a region elsewhere, an empty topic or
    trainer."""
    access.require(actor, "training.manage")
    region = _holding_region(session, actor, values.region_code)
    _check_values(values)
    training = TrainingSession(
        topic=values.topic.strip(), held_on=values.held_on, region_code=region.code, trainer=values.trainer.strip(),
        place=values.place.strip(), checkin_token=new_qr_token(), created_by_id=actor.id,
    )
    session.add(training)
    session.flush()
    record(session, actor, "training.create", "training_session", training.id, region_code=region.code,
           detail={"held_on": values.held_on.isoformat()})
    return training


def update_session(session: Session, actor, training: TrainingSession, values: SessionValues) -> TrainingSession:
    """Change a session's topic, date, holding region, trainer or place: staff over both the old and
    the new holding region. A session with attendance keeps its date's people: its date cannot
    move to the future."""
    access.require(actor, "training.manage", training)
    region = _holding_region(session, actor, values.region_code)
    _check_values(values)
    if _attendance_count(session, training.id):
        if values.held_on > date.today():
            raise DomainError(_l("People have attended this session: its date cannot be in the future."),
                              field="held_on")
        low, high = subtree_bounds(region.code, region.level)
        strays = session.scalar(select(func.count()).select_from(TrainingAttendance)
                                .join(User, User.id == TrainingAttendance.user_id)
                                .where(TrainingAttendance.session_id == training.id,
                                       ~User.region_code.between(low, high)))
        if strays:
            raise DomainError(_l("People from outside that region attended this session: choose a region that "
                                 "includes them."), field="region_code")
    training.topic, training.held_on, training.region_code = values.topic.strip(), values.held_on, region.code
    training.trainer, training.place = values.trainer.strip(), values.place.strip()
    session.add(training)
    record(session, actor, "training.update", "training_session", training.id, region_code=region.code)
    return training


def load_session(session: Session, viewer, session_id: int, rule: str = "training.manage") -> TrainingSession:
    """Session ``session_id`` if ``viewer`` passes ``rule`` for it. One outside their reach answers
    exactly like one that does not exist, so ids from another region tell nothing."""
    training = session.get(TrainingSession, session_id)
    if training is None or not access.allowed(viewer, rule, training):
        raise NotFound(_l("This training session does not exist or is outside your region."))
    return training


def sessions_for(session: Session, viewer, page: int, per_page: int) -> tuple[list[TrainingSession], int]:
    """The sessions held in the viewer's subtree, newest first."""
    access.require(viewer, "training.manage")
    low, high = subtree_bounds(viewer.region_code, level_of_code(viewer.region_code))
    where = TrainingSession.region_code.between(low, high)
    total = session.scalar(select(func.count()).select_from(TrainingSession).where(where)) or 0
    stmt = (select(TrainingSession).where(where).order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())
            .limit(per_page).offset((page - 1) * per_page))
    return list(session.scalars(stmt)), total


def reissue_checkin(session: Session, actor, training: TrainingSession) -> str:
    """A new QR code for the session; the old one stops working (a photo of it was passed on)."""
    access.require(actor, "training.manage", training)
    training.checkin_token = new_qr_token()
    session.add(training)
    record(session, actor, "training.qr_reissue", "training_session", training.id, region_code=training.region_code)
    return training.checkin_token


def checkin_open(training: TrainingSession, today: date) -> bool:
    """The QR code works on the day of the session only: a code photographed at one session lets
    nobody check in to it from home a week later."""
    return training.held_on == today


# --- attendance ----------------------------------------------------------------------------------


def _trainees_in(training_region: str):
    """SQL condition: active child directors and supervisors working in ``training_region``'s subtree."""
    low, high = subtree_bounds(training_region, level_of_code(training_region))
    return (User.is_active, User.role.in_(TRAINEE_ROLES), User.region_code.between(low, high))


def session_for_checkin(session: Session, viewer, session_id: int, token: str, today: date) -> TrainingSession:
    """The session a scanned code names, if ``viewer`` may check in to it today.

    Refuses a code that is not the session's current one (replaced, or another session's code on
    this session's link) as if the session did not exist; a person the session is not held for
    (another region, a helper, civil-affairs staff); and any day but the session's own.
    """
    training = session.get(TrainingSession, session_id)
    # Compared as bytes: a mangled link (full-width or Chinese characters) is a wrong code, not a crash.
    if training is None or not token or not secrets.compare_digest(training.checkin_token.encode(), token.encode()):
        raise NotFound(_l("This check-in code is not valid (it may have been replaced by a new one)."))
    if not access.allowed(viewer, "training.attend", training):
        raise NotAllowed(_l("This session is not held for your region or your post."))
    if training.held_on > today:
        raise DomainError(_l("Check-in opens on the day of the session (%(day)s).", day=training.held_on.isoformat()))
    if training.held_on < today:
        raise DomainError(_l("Check-in for this session closed on %(day)s.", day=training.held_on.isoformat()))
    return training


def check_in(session: Session, viewer, session_id: int, token: str, today: date) -> bool:
    """Record that ``viewer`` attended, by the session's QR code (see ``session_for_checkin`` for
    what is refused). True when this was their first check-in; scanning again changes nothing."""
    training = session_for_checkin(session, viewer, session_id, token, today)
    added = _add_attendance(session, training, [viewer.id], recorded_by=viewer, via_qr=True)
    if added:
        record(session, viewer, "training.check_in", "training_session", training.id,
               region_code=training.region_code)
    return bool(added)


def _add_attendance(session: Session, training: TrainingSession, user_ids: Iterable[int], *, recorded_by,
                    via_qr: bool) -> list[int]:
    """Insert attendances that do not exist yet (two scans at once add one); the ids added."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    from portal.types import utcnow

    now = utcnow()
    rows = [{"session_id": training.id, "user_id": uid, "via_qr": via_qr, "recorded_by_id": recorded_by.id,
             "recorded_at": now} for uid in ids]
    stmt = (db.insert_for(session)(TrainingAttendance).values(rows).on_conflict_do_nothing()
            .returning(TrainingAttendance.user_id))
    added = list(session.execute(stmt).scalars())
    for uid in added:  # the supervisor's notice about this director has been answered
        mark_done(session, f"user:{uid}", [NOTICE_KIND])
    return added


def expected_people(session: Session, training: TrainingSession, page: int = 1,
                    per_page: int = 200) -> tuple[list[User], int]:
    """The people a session is held for (see the module), by place then name, a page at a time."""
    where = _trainees_in(training.region_code)
    total = session.scalar(select(func.count()).select_from(User).where(*where)) or 0
    stmt = (select(User).where(*where).order_by(User.region_code, User.display_name, User.id)
            .limit(per_page).offset((page - 1) * per_page))
    return list(session.scalars(stmt)), total


def attendance_of(session: Session, training: TrainingSession, user_ids: Iterable[int] | None = None
                  ) -> dict[int, TrainingAttendance]:
    """Who attended the session (user id → attendance), all or among ``user_ids``."""
    stmt = select(TrainingAttendance).where(TrainingAttendance.session_id == training.id)
    if user_ids is not None:
        stmt = stmt.where(TrainingAttendance.user_id.in_(list(user_ids)))
    return {a.user_id: a for a in session.scalars(stmt)}


def _attendance_count(session: Session, session_id: int) -> int:
    return session.scalar(select(func.count()).select_from(TrainingAttendance)
                          .where(TrainingAttendance.session_id == session_id)) or 0


def set_attendance(session: Session, actor, training: TrainingSession, shown: Sequence[int], present: Sequence[int],
                   today: date) -> tuple[int, int]:
    """Tick the list: of the people ``shown`` on the page, those in ``present`` attended and the
    others did not. Staff over the session only; refuses a session that has not happened yet,
    and the whole list if it names anyone the session is not held for (an id from another
    region, a helper, an unknown id). Returns (added, removed)."""
    access.require(actor, "training.manage", training)
    if training.held_on > today:
        raise DomainError(_l("Attendance is recorded once the session has taken place (%(day)s).",
                             day=training.held_on.isoformat()))
    shown_ids, present_ids = set(shown), set(present)
    wanted = shown_ids | present_ids
    if wanted:
        found = set(session.scalars(select(User.id).where(User.id.in_(wanted), *_trainees_in(training.region_code))))
        if found != wanted:
            raise DomainError(_l("The list names someone this session is not held for. Nothing was changed."))
    before = set(attendance_of(session, training, wanted))
    added = _add_attendance(session, training, present_ids - before, recorded_by=actor, via_qr=False)
    removed = sorted((shown_ids - present_ids) & before)
    if removed:
        session.execute(delete(TrainingAttendance).where(TrainingAttendance.session_id == training.id,
                                                         TrainingAttendance.user_id.in_(removed)))
    if added or removed:
        record(session, actor, "training.attendance", "training_session", training.id,
               region_code=training.region_code, detail={"added": sorted(added), "removed": removed})
    return len(added), len(removed)


# --- materials -----------------------------------------------------------------------------------

MATERIALS_FOLDER = "training-materials"


def add_materials(session: Session, actor, training: TrainingSession, pages: Sequence[tuple[str, CleanPhoto]],
                  store: PhotoStore) -> list[TrainingMaterial]:
    """Add pages (already cleaned by ``visits.photos.clean_photo``) to a session's materials, with
    the names they were uploaded under as titles. Staff over the session; at most MAX_MATERIALS."""
    access.require(actor, "training.manage", training)
    have = session.scalar(select(func.count()).select_from(TrainingMaterial)
                          .where(TrainingMaterial.session_id == training.id)) or 0
    if have + len(pages) > MAX_MATERIALS:
        raise DomainError(_l("A session keeps at most %(n)d pages of materials. Nothing was saved.", n=MAX_MATERIALS))
    made = []
    for title, photo in pages:
        material = TrainingMaterial(session_id=training.id, title=(title or "").strip()[:100] or "—",
                                    path=store.write(photo), content_type=photo.content_type, size=len(photo.data),
                                    width=photo.width, height=photo.height, added_by_id=actor.id)
        session.add(material)
        made.append(material)
    session.flush()
    record(session, actor, "training.materials", "training_session", training.id, region_code=training.region_code,
           detail={"added": len(made)})
    return made


def materials_of(session: Session, training: TrainingSession) -> list[TrainingMaterial]:
    return list(session.scalars(select(TrainingMaterial).where(TrainingMaterial.session_id == training.id)
                                .order_by(TrainingMaterial.id)))


def materials_for(session: Session, session_ids: Iterable[int]) -> dict[int, list[TrainingMaterial]]:
    """Session id → its materials, for a record's lines, in one query."""
    found: dict[int, list[TrainingMaterial]] = {}
    ids = sorted(set(session_ids))
    if ids:
        for material in session.scalars(select(TrainingMaterial).where(TrainingMaterial.session_id.in_(ids))
                                        .order_by(TrainingMaterial.id)):
            found.setdefault(material.session_id, []).append(material)
    return found


def read_material(session: Session, viewer, material_id: int) -> TrainingMaterial:
    """A page of materials, for staff over its session and the people it is held for; anyone else
    gets the same answer as for a page that does not exist."""
    material = session.get(TrainingMaterial, material_id)
    training = session.get(TrainingSession, material.session_id) if material is not None else None
    if training is None or not (access.allowed(viewer, "training.manage", training)
                                or access.allowed(viewer, "training.attend", training)):
        raise NotFound(_l("This file does not exist or is outside your region."))
    return material


# --- each person's record ------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordLine:
    session_id: int
    topic: str
    held_on: date
    region_code: str
    region_name: str
    trainer: str
    via_qr: bool


def record_of(session: Session, user) -> list[RecordLine]:
    """The sessions ``user`` attended, newest first (their own record: directors and supervisors)."""
    access.require(user, "training.mine")
    rows = session.execute(
        select(TrainingSession, TrainingAttendance.via_qr)
        .join(TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id)
        .where(TrainingAttendance.user_id == user.id)
        .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())
    ).all()
    names = names_of(session, {t.region_code for t, _via in rows})
    return [RecordLine(t.id, t.topic, t.held_on, t.region_code, names.get(t.region_code, t.region_code), t.trainer, via)
            for t, via in rows]


@dataclass(frozen=True)
class PersonRecord:
    user_id: int
    name: str
    role: str
    region_code: str
    sessions: int
    last_on: date | None


def people_records(session: Session, viewer, region_code: str, start: date, end: date, page: int, per_page: int,
                   untrained_only: bool = False) -> tuple[list[PersonRecord], int]:
    """The child directors and supervisors of ``region_code``'s subtree with how many sessions dated
    within the period each attended and the last one's date; untrained first, then by place."""
    access.require(viewer, "training.coverage", region_code)
    attended = (select(TrainingAttendance.user_id, func.count().label("n"),
                       func.max(TrainingSession.held_on).label("last"))
                .join(TrainingSession, TrainingSession.id == TrainingAttendance.session_id)
                .where(TrainingSession.held_on.between(start, end))
                .group_by(TrainingAttendance.user_id).subquery())
    n = func.coalesce(attended.c.n, 0)
    where = list(_trainees_in(region_code))
    if untrained_only:
        where.append(attended.c.user_id.is_(None))
    base = select(User.id, User.display_name, User.role, User.region_code, n, attended.c.last).outerjoin(
        attended, attended.c.user_id == User.id).where(*where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(base.order_by(n, User.region_code, User.id).limit(per_page).offset((page - 1) * per_page))
    return [PersonRecord(uid, name, str(role), code, count, last) for uid, name, role, code, count, last in rows], total


# --- figures ---------------------------------------------------------------------------------------
#
# Every figure is counted by the two statements below, for a whole subtree (``digits=None``) or
# grouped by a prefix of the region code (``figures_by_area``, the dashboards' shape), for one or
# more periods at once: what counts as a session held, a person-time and a trained person is
# written once.


Span = tuple[date, date]  # a period's first and last day, both included


def _trained_ids(start: date, end: date):
    return (select(TrainingAttendance.user_id)
            .join(TrainingSession, TrainingSession.id == TrainingAttendance.session_id)
            .where(TrainingSession.held_on.between(start, end)))


def trained(start: date, end: date):
    """SQL condition on ``User``: attended at least one session dated ``start``..``end``, whoever
    held it (the one rule of who counts as trained)."""
    return User.id.in_(_trained_ids(start, end))


def _grouped(session: Session, stmt, column, digits: int | None, key: str) -> dict[str, tuple]:
    """Run ``stmt`` (aggregates only) in all (under ``key``) or per code prefix of ``digits``
    digits of ``column`` (keys padded to 12 digits)."""
    if digits is None:
        return {key: tuple(int(v or 0) for v in session.execute(stmt).one())}
    # Literal numbers: the same expression must appear in SELECT and GROUP BY, and two bound
    # parameters would be two different expressions to PostgreSQL.
    area = func.substr(column, literal_column("1"), literal_column(str(digits)))
    rows = session.execute(stmt.add_columns(area).group_by(area))
    return {row[-1].ljust(12, "0"): tuple(int(v or 0) for v in row[:-1]) for row in rows}


def _session_counts(session: Session, region_code: str, spans: Sequence[Span],
                    digits: int | None = None) -> dict[str, tuple[int, ...]]:
    """For each period of ``spans`` in turn, (sessions held, person-times) of the sessions held in
    the subtree, in all (key ``region_code``) or per code prefix of ``digits`` digits. A session
    is held when someone attended it: the join keeps only those; a person-time is one attendance."""
    low, high = subtree_bounds(region_code, level_of_code(region_code))
    counts = []
    for start, end in spans:
        dated = TrainingSession.held_on.between(start, end)
        counts += [func.count(distinct(case((dated, TrainingSession.id)))),
                   func.count(case((dated, TrainingAttendance.id)))]
    stmt = (select(*counts).select_from(TrainingAttendance.__table__.join(
        TrainingSession.__table__, TrainingSession.id == TrainingAttendance.session_id))
        .where(TrainingSession.region_code.between(low, high),
               or_(*(TrainingSession.held_on.between(start, end) for start, end in spans))))
    return _grouped(session, stmt, TrainingSession.region_code, digits, region_code)


def _people_counts(session: Session, region_code: str, spans: Sequence[Span],
                   digits: int | None = None) -> dict[str, tuple[int, ...]]:
    """(trained in each period of ``spans`` in turn, …, total) of the active child directors and
    supervisors working in the subtree, in all (key ``region_code``) or per code prefix."""
    counts = [func.count(User.id).filter(trained(start, end)) for start, end in spans] + [func.count(User.id)]
    return _grouped(session, select(*counts).where(*_trainees_in(region_code)), User.region_code, digits,
                    region_code)


def sessions_held(session: Session, region_code: str, start: date, end: date) -> int:
    """Sessions held by regions of ``region_code``'s subtree, dated ``start``..``end``, with at
    least one attendee (see the module docstring)."""
    return _session_counts(session, region_code, [(start, end)])[region_code][0]


def person_times(session: Session, region_code: str, start: date, end: date) -> int:
    """Attendances (人次) at the sessions ``sessions_held`` counts."""
    return _session_counts(session, region_code, [(start, end)])[region_code][1]


def coverage(session: Session, region_code: str, start: date, end: date) -> tuple[int, int]:
    """(trained, total): the active child directors and supervisors of the subtree, and how many of
    them attended a session dated ``start``..``end`` (see the module docstring)."""
    trained_people, total = _people_counts(session, region_code, [(start, end)])[region_code]
    return trained_people, total


def coverage_percent(trained_people: int, total: int) -> int | None:
    """Whole percent, rounded down (99.6% trained is not 100%); None when there is no one."""
    return None if not total else trained_people * 100 // total


@dataclass(frozen=True)
class AreaFigures:
    sessions: int = 0  # sessions held by regions of the area
    person_times: int = 0
    trained: int = 0
    total: int = 0  # active child directors and supervisors working in the area

    @property
    def percent(self) -> int | None:
        return coverage_percent(self.trained, self.total)


def figures_by_area(session: Session, region_code: str, spans: Sequence[Span],
                    digits: int | None = None) -> list[dict[str, AreaFigures]]:
    """Every figure of the subtree per region one level below ``region_code`` (or per code prefix
    of ``digits`` digits), keyed by the 12-digit code of that region: one dict per period of
    ``spans`` (a dashboard's period and the one before), all in two grouped statements whatever
    the number of regions and periods. Staff working at ``region_code`` itself (a town's
    supervisors, seen from the town) and sessions it held come under its own code; a region
    without any figure is left out. ``total`` is the people in post now, the same in each."""
    if digits is None:
        digits = LEVEL_DIGITS[_BELOW[level_of_code(region_code)]]
    held = _session_counts(session, region_code, spans, digits)
    people = _people_counts(session, region_code, spans, digits)
    codes = sorted(set(held) | set(people))
    out = []
    for i in range(len(spans)):
        found = {}
        for code in codes:
            sessions, times = held.get(code, (0,) * 2 * len(spans))[2 * i:2 * i + 2]
            counted = people.get(code, (0,) * (len(spans) + 1))
            figures = AreaFigures(sessions, times, counted[i], counted[-1])
            if figures != AreaFigures():
                found[code] = figures
        out.append(found)
    return out


@dataclass(frozen=True)
class AreaCoverage:
    code: str
    name: str
    trained: int
    total: int

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded down (99.6% trained is not 100%); None when there is no one."""
        return coverage_percent(self.trained, self.total)


_BELOW = {Level.province: Level.city, Level.city: Level.county, Level.county: Level.town,
          Level.town: Level.village, Level.village: Level.village}


def coverage_by_area(session: Session, region_code: str, start: date, end: date) -> list[AreaCoverage]:
    """``coverage`` per region one level below ``region_code`` (towns of a county, counties of a
    city), in one grouped query; a town's supervisors count in the town's own row of a county."""
    digits = LEVEL_DIGITS[_BELOW[level_of_code(region_code)]]
    counted = _people_counts(session, region_code, [(start, end)], digits)
    regions = session.execute(select(Region.code, Region.name).where(Region.parent_code == region_code)
                              .order_by(Region.code)).all()
    names = dict(regions)
    codes = [code for code, _name in regions] + sorted(set(counted) - set(names))
    if set(counted) - set(names):
        names.update(names_of(session, set(counted) - set(names)))
    return [AreaCoverage(code, names.get(code, code), *counted.get(code, (0, 0))) for code in codes]


def default_period(today: date) -> tuple[date, date]:
    """The calendar year so far: the period the bureaus' yearly reports count."""
    return date(today.year, 1, 1), today


def parse_period(start: str, end: str, today: date) -> tuple[date, date]:
    """The period asked for in ``?start=&end=`` (ISO dates), or the year so far; refuses a start
    after the end or a malformed date, with a message."""
    default_start, default_end = default_period(today)
    try:
        first = date.fromisoformat(start) if start else default_start
        last = date.fromisoformat(end) if end else default_end
    except ValueError:
        raise DomainError(_l("Enter dates as YYYY-MM-DD.")) from None
    if first > last:
        raise DomainError(_l("The start of the period is after its end."))
    return first, last


# --- untrained directors -------------------------------------------------------------------------


def in_post_since(user) -> date:
    """The day the holder took up the post; for accounts made before this was kept, the day the
    account was made."""
    return user.in_post_since or user.created_at.date()


def notify_untrained_directors(session: Session, today: date) -> int:
    """The daily check: the supervisors of the town hear about each active child director still
    untrained ``UNTRAINED_AFTER_DAYS`` days after taking up the post. One notice per supervisor and
    director, whatever the number of runs (the notice is dated the day the director became due);
    it is marked done once the director attends a session. The number of notices added."""
    trained = exists().where(TrainingAttendance.user_id == User.id)
    directors = session.execute(
        select(User.id, User.display_name, User.region_code, User.in_post_since, User.created_at)
        .where(User.is_active, User.role == Role.child_director, User.region_code.is_not(None), ~trained)
    ).all()
    due = []
    for uid, name, village, since, created in directors:
        became_due = (since or created.date()) + timedelta(days=UNTRAINED_AFTER_DAYS)
        if became_due <= today:
            due.append((uid, name, village, became_due))
    if not due:
        return 0
    towns = {prefix_of(v, Level.town).ljust(12, "0") for _u, _n, v, _d in due}
    supervisors: dict[str, list[int]] = {}
    for uid, town in session.execute(select(User.id, User.region_code).where(
            User.is_active, User.role == Role.child_supervisor, User.region_code.in_(towns))):
        supervisors.setdefault(town, []).append(uid)
    names = names_of(session, {v for _u, _n, v, _d in due})
    added = 0
    for uid, name, village, became_due in due:
        town = prefix_of(village, Level.town).ljust(12, "0")
        params = {"name": name, "village": names.get(village, village), "days": UNTRAINED_AFTER_DAYS}
        for supervisor in supervisors.get(town, []):
            added += add_notice(session, supervisor, NOTICE_KIND, f"user:{uid}", became_due, params,
                                "/training/people?untrained=1", about=f"user:{uid}")
    return added
