"""Clues (线索) from report to outcome (issue 25).

Two ways in, one outcome: anyone may report a clue from a phone without an account
(``report_public``), and staff enter clues received by telephone or from a department with their
source (``enter_clue``). Every clue is routed to the town of the place given, or to the county when
the town is unknown (``route``); the town's supervisor assigns a child director (``assign``), who
checks on site and records the outcome (``record_outcome``): a new child registered (linking the
new file), a child on file reassessed (linking the assessment), transferred to a department
(receiving unit, date, their receipt) or unfounded (reason).

A clue waits at its town, then rises to the county, as needs do; an urgent clue nobody acted on
within 24 hours alerts the county (``portal.clues.waiting``). The reporter gets a tracking code and
sees the status only (``portal.clues.tracking``); nothing the public form or the status page says
depends on whether a child is known. What was seen, the place and the contact may name a child:
only the assigned child director reads them as written (``portal.clues.privacy``).

For other areas:

- ``counts(session, region_code, start, end)`` gives the dashboards the figures of the seeds'
  sentence ("发现线索N条, 移送N条, 救助N名"): ``found`` (clues received in the period),
  ``transferred`` and ``helped`` (clues closed in the period as transferred; distinct children
  registered or reassessed), with ``by_outcome`` and ``by_source``.
  ``counts_for(session, region_code, [(start, end), …])`` gives ``counts`` for several periods at
  once, and ``counts_by_area(session, region_code, [(start, end), …], digits)`` ``found``,
  ``transferred`` and ``helped`` per region one level below, in one grouped statement, by the
  same rules.
- ``open_verification(session, actor, *, region_code, place, text, source, source_ref)`` opens a
  staff-entered clue for a new candidate found elsewhere (the partner-list comparison passes
  ``source="partner_list"`` and the list row as ``source_ref``); it is routed like every clue and
  refused outside the actor's region (``clues.enter``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal_column, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal import access
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit.rules import record
from portal.children.models import Assessment, Child
from portal.clues import notices
from portal.clues.models import Clue, ClueEvent, ClueLevel, ClueOutcome, ClueSource, ClueStatus
from portal.clues.tracking import new_tracking_code, tracking_hash
from portal.errors import Conflict, DomainError, NotFound
from portal.regions.models import Level, Region
from portal.regions.rules import level_of_code, names_of, subtree_bounds
from portal.types import utcnow

# Periods are days as the bureaus count them.
CHINA_TIME = ZoneInfo("Asia/Shanghai")
MAX_TEXT, MAX_PLACE, MAX_CONTACT, MAX_REF = 2000, 200, 100, 200
OPEN_STATUSES = (ClueStatus.received, ClueStatus.checking)
STAFF_SOURCES = tuple(s for s in ClueSource if s != ClueSource.public)


def china_today() -> date:
    """Today as the bureaus count days, whatever the server's clock zone."""
    return utcnow().astimezone(CHINA_TIME).date()


# --- reporting -----------------------------------------------------------------------------------


@dataclass
class ClueValues:
    region_code: str
    place: str
    text: str
    urgent: bool = False
    contact: str = ""
    source: str = ClueSource.public.value
    source_ref: str = ""


def route(session: Session, region_code: str) -> tuple[str | None, str]:
    """(town, county) a clue about ``region_code`` goes to: a village's town, the town itself, or
    no town when only the county is known. Refuses a region that does not exist or lies above a
    county."""
    region = session.get(Region, region_code or "")
    if region is None:
        raise DomainError(_l("Choose a town or street from the suggestions."), field="region")
    level = Level(region.level)
    if level == Level.village:
        return region.parent_code or region_code[:9] + "000", region_code[:6] + "000000"
    if level == Level.town:
        return region.code, region_code[:6] + "000000"
    if level == Level.county:
        return None, region.code
    raise DomainError(_l("Choose a town or street (or the county or district, if you do not know the town)."),
                      field="region")


def _check(values: ClueValues) -> ClueValues:
    text, place = (values.text or "").strip(), (values.place or "").strip()
    contact, ref = (values.contact or "").strip(), (values.source_ref or "").strip()
    if not text:
        raise DomainError(_l("Say what you saw."), field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(_l("At most %(n)d characters.", n=MAX_TEXT), field="text")
    if not place:
        raise DomainError(_l("Say where: a street, a village, a landmark."), field="place")
    if len(place) > MAX_PLACE:
        raise DomainError(_l("At most %(n)d characters.", n=MAX_PLACE), field="place")
    if len(contact) > MAX_CONTACT:
        raise DomainError(_l("At most %(n)d characters.", n=MAX_CONTACT), field="contact")
    if len(ref) > MAX_REF:
        raise DomainError(_l("At most %(n)d characters.", n=MAX_REF), field="source_ref")
    if values.source not in ClueSource.__members__:
        raise DomainError(_l("Choose where the clue came from."), field="source")
    return ClueValues(region_code=values.region_code, place=place, text=text, urgent=bool(values.urgent),
                      contact=contact, source=values.source, source_ref=ref)


def _create(session: Session, actor, values: ClueValues, submission_key: str | None = None) -> tuple[Clue, str]:
    values = _check(values)
    town, county = route(session, values.region_code)
    code = new_tracking_code()
    clue = Clue(tracking_hash=tracking_hash(code), submission_key=submission_key, region_code=values.region_code,
                town_code=town, county_code=county, level=ClueLevel.town if town else ClueLevel.county,
                place=values.place, text=values.text, urgent=values.urgent, contact=values.contact or None,
                source=ClueSource(values.source), source_ref=values.source_ref, entered_by_id=getattr(actor, "id", None))
    session.add(clue)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(_l("This report has already been sent. Thank you.")) from None
    add_event(session, clue, actor, "receive")
    record(session, actor, "clue.receive", "clue", clue.id, region_code=clue.region_code,
           detail={"source": clue.source.value, "urgent": clue.urgent})
    notices.clue_arrived(session, clue)
    return clue, code


def _refuse_sent(session: Session, submission_key: str | None) -> None:
    if submission_key is not None and (not submission_key or len(submission_key) > 64):
        raise DomainError(_l("The form has expired. Open the report page again."))
    if submission_key and session.scalar(select(Clue.id).where(Clue.submission_key == submission_key)) is not None:
        raise Conflict(_l("This report has already been sent. Thank you."))


def report_public(session: Session, values: ClueValues, submission_key: str) -> tuple[Clue, str]:
    """A clue from the public report form, without an account: the clue and the tracking code to
    show the reporter once. Refuses a form already sent (the same ``submission_key``: a replayed or
    double-clicked form) and invalid values; never looks at whether a child is on file."""
    values.source = ClueSource.public.value
    _refuse_sent(session, submission_key or "")
    return _create(session, None, values, submission_key)


def enter_clue(session: Session, actor: User, values: ClueValues,
               submission_key: str | None = None) -> tuple[Clue, str]:
    """A clue received by telephone or from a department, entered by staff of its region, with its
    source (never "public": that is the form's). A form's ``submission_key`` already used is
    refused (``Conflict``): the clue was recorded the first time."""
    access.require(actor, "clues.enter", values.region_code or None)
    if values.source not in {s.value for s in STAFF_SOURCES}:
        raise DomainError(_l("Choose where the clue came from."), field="source")
    _refuse_sent(session, submission_key)
    return _create(session, actor, values, submission_key)


def open_verification(session: Session, actor: User, *, region_code: str, place: str, text: str, source: str,
                      source_ref: str) -> Clue:
    """A staff-entered clue asking the child director to verify a candidate found elsewhere (a
    partner list's row not in the registry). Routed like every clue; refused outside ``actor``'s
    region, for an unknown source, or with invalid values."""
    clue, _code = enter_clue(session, actor, ClueValues(region_code=region_code, place=place, text=text,
                                                        source=source, source_ref=source_ref))
    return clue


# --- reading -------------------------------------------------------------------------------------


def load_clue(session: Session, viewer, clue_id: int, rule: str = "clues.view") -> Clue:
    """A clue ``viewer`` may see; anything else answers like a clue that does not exist."""
    clue = session.get(Clue, clue_id)
    if clue is None or not access.allowed(viewer, rule, clue):
        raise NotFound(_l("This clue does not exist or is outside your region."))
    return clue


def list_for_staff(session: Session, viewer, status: str = "", page: int = 1,
                   per_page: int = 50) -> tuple[list[Clue], int]:
    """The clues ``viewer`` may see (a child director: those assigned to them), open ones first,
    urgent first, then oldest; and how many there are."""
    access.require(viewer, "clues.list")
    if viewer.role == Role.child_director:
        stmt = select(Clue).where(Clue.assigned_to_id == viewer.id)
    else:
        low, high = subtree_bounds(viewer.region_code, level_of_code(viewer.region_code))
        stmt = select(Clue).where(Clue.region_code.between(low, high))
    if status in ClueStatus.__members__:
        stmt = stmt.where(Clue.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order = (Clue.status == ClueStatus.closed, Clue.urgent.desc(), Clue.created_at, Clue.id)
    rows = session.scalars(stmt.order_by(*order).offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def place_names(session: Session, clues) -> dict[str, str]:
    return names_of(session, {c.region_code for c in clues} | {c.town_code for c in clues if c.town_code}
                    | {c.county_code for c in clues})


def history(session: Session, clue_id: int) -> list[tuple[ClueEvent, str | None]]:
    stmt = (select(ClueEvent, User.display_name).outerjoin(User, User.id == ClueEvent.actor_id)
            .where(ClueEvent.clue_id == clue_id).order_by(ClueEvent.at, ClueEvent.id))
    return list(session.execute(stmt).all())


# --- assigning and closing -----------------------------------------------------------------------


def add_event(session: Session, clue: Clue, actor, action: str, note: str = "", at: datetime | None = None) -> None:
    """One line of the clue's history (``note`` is what a person wrote; the portal's own words are
    the action, shown in the reader's language)."""
    session.add(ClueEvent(clue_id=clue.id, actor_id=getattr(actor, "id", None), action=action, note=note[:500],
                          at=at or utcnow()))


def _move(session: Session, clue: Clue, actor, action: str, sources, note: str = "", now: datetime | None = None,
          **values) -> None:
    """Change ``clue`` if it is still in one of ``sources``, or refuse: two people acting at once
    cannot both assign or close it."""
    now = now or utcnow()
    moved = session.execute(
        update(Clue).where(Clue.id == clue.id, Clue.status.in_(list(sources)))
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise Conflict(_l("Someone acted on this clue in the meantime. Reload the page."))
    session.refresh(clue)
    add_event(session, clue, actor, action, note, at=now)
    record(session, actor, f"clue.{action}", "clue", clue.id, region_code=clue.region_code,
           detail={"status": clue.status.value})


def directors_for(session: Session, actor, clue: Clue) -> list[User]:
    """The active child directors ``actor`` may give ``clue`` to: those of the villages of its town
    (of its county when the town is unknown), inside ``actor``'s region."""
    access.require(actor, "clues.assign", clue)
    area = clue.town_code or clue.county_code
    low, high = subtree_bounds(area, level_of_code(area))
    stmt = select(User).where(User.is_active, User.role == Role.child_director, User.region_code.between(low, high))
    return [u for u in session.scalars(stmt.order_by(User.region_code, User.display_name))
            if access.within_scope(actor, u.region_code)]


def assign(session: Session, actor: User, clue: Clue, director_id: int, note: str = "") -> None:
    """The supervisor (or county staff) gives an open clue to a child director of its town to
    check on site; it can be given again to another. Refuses a closed clue and anyone who is not
    an active child director of the clue's town (or county, when the town is unknown)."""
    access.require(actor, "clues.assign", clue)
    if clue.status == ClueStatus.closed:
        raise Conflict(_l("This clue is closed."))
    director = next((d for d in directors_for(session, actor, clue) if d.id == director_id), None)
    if director is None:
        raise DomainError(_l("Choose a child director of the clue's town."), field="director")
    _move(session, clue, actor, "assign", OPEN_STATUSES, (note or "").strip(), status=ClueStatus.checking,
          assigned_to_id=director.id, assigned_at=utcnow())
    notices.clue_assigned(session, clue)


@dataclass
class OutcomeValues:
    outcome: str
    child_id: int | None = None  # new_child: the file registered for this clue
    assessment_id: int | None = None  # reassessed: the assessment made for this clue
    receiving_unit: str = ""
    transferred_on: date | None = None
    receipt: str = ""
    reason: str = ""


def record_outcome(session: Session, actor: User, clue: Clue, values: OutcomeValues, today: date | None = None) -> None:
    """Close a clue with its outcome. A new child links the file registered since the clue arrived;
    a reassessment links an assessment made since then; both inside ``actor``'s region and the
    clue's county. A transfer needs the receiving unit, the date (not before the clue, not in the
    future) and their receipt; an unfounded clue a reason."""
    access.require(actor, "clues.outcome", clue)
    if clue.status == ClueStatus.closed:
        raise Conflict(_l("This clue is closed."))
    today = today or china_today()
    columns: dict = {"outcome": None, "child_id": None, "assessment_id": None}
    outcome = values.outcome
    if outcome == ClueOutcome.new_child:
        child = _linked_child(session, actor, clue, values.child_id)
        if child.created_at < clue.created_at:
            raise DomainError(_l("This file was opened before the clue arrived: record a reassessment instead."),
                              field="child_id")
        columns.update(child_id=child.id)
    elif outcome == ClueOutcome.reassessed:
        assessment = session.get(Assessment, values.assessment_id or 0)
        if assessment is None:
            raise DomainError(_l("Choose the assessment made for this clue."), field="assessment_id")
        child = _linked_child(session, actor, clue, assessment.child_id, field="assessment_id")
        if assessment.created_at < clue.created_at:
            raise DomainError(_l("This assessment was made before the clue arrived."), field="assessment_id")
        columns.update(child_id=child.id, assessment_id=assessment.id)
    elif outcome == ClueOutcome.transferred:
        unit, receipt = (values.receiving_unit or "").strip(), (values.receipt or "").strip()
        if not unit:
            raise DomainError(_l("Name the receiving unit."), field="receiving_unit")
        if values.transferred_on is None:
            raise DomainError(_l("Give the date of the transfer."), field="transferred_on")
        received_on = clue.created_at.astimezone(CHINA_TIME).date()
        if not received_on <= values.transferred_on <= today:
            raise DomainError(_l("The transfer date lies between the day the clue arrived and today."),
                              field="transferred_on")
        if not receipt:
            raise DomainError(_l("Give the receiving unit's receipt."), field="receipt")
        columns.update(receiving_unit=unit[:200], transferred_on=values.transferred_on, receipt=receipt[:200])
    elif outcome == ClueOutcome.unfounded:
        reason = (values.reason or "").strip()
        if not reason:
            raise DomainError(_l("Give a reason."), field="reason")
        columns.update(reason=reason[:500])
    else:
        raise DomainError(_l("Choose the outcome."), field="outcome")
    columns["outcome"] = ClueOutcome(outcome)
    now = utcnow()
    _move(session, clue, actor, "close", OPEN_STATUSES, "", now=now, status=ClueStatus.closed, closed_at=now,
          closed_by_id=actor.id, **columns)
    notices.clue_closed(session, clue)


def _linked_child(session: Session, actor, clue: Clue, child_id: int | None, field: str = "child_id") -> Child:
    child = session.get(Child, child_id or 0)
    if child is None or not access.allowed(actor, "children.view", child) \
            or not child.region_code.startswith(clue.county_code[:6]):
        raise DomainError(_l("Choose a file of your region registered for this clue."), field=field)
    return child


def link_choices(session: Session, actor, clue: Clue) -> tuple[list[Child], list[tuple[Assessment, str, str]]]:
    """For the outcome form: the files ``actor`` may see registered since the clue arrived, and the
    assessments made since then (with the child's name and village), newest first, in the clue's
    county. The form names these children: the caller audits it as a read of their files."""
    access.require(actor, "clues.outcome", clue)
    # The narrower of the actor's region and the clue's county (a city's staff: the county).
    scope = actor.region_code if actor.region_code.startswith(clue.county_code[:6]) else clue.county_code
    low, high = subtree_bounds(scope, level_of_code(scope))
    children = session.scalars(select(Child).where(Child.region_code.between(low, high),
                                                   Child.created_at >= clue.created_at)
                               .order_by(Child.created_at.desc()).limit(50))
    assessments = session.execute(
        select(Assessment, Child.name, Child.region_code).join(Child, Child.id == Assessment.child_id)
        .where(Child.region_code.between(low, high), Assessment.created_at >= clue.created_at)
        .order_by(Assessment.created_at.desc()).limit(50))
    return list(children), [(a, name, region) for a, name, region in assessments]


# --- counts ----------------------------------------------------------------------------------------
#
# ``counts`` (one subtree) and ``counts_by_area`` (grouped by region, the dashboards' shape) share
# the conditions below: what counts as found, transferred and helped is written once.

HELPING_OUTCOMES = (ClueOutcome.new_child, ClueOutcome.reassessed)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_TIME)


def _in_days(column, start: date | None, end: date | None):
    """SQL: ``column`` falls in the days ``start`` to ``end`` (China time; None leaves that side open)."""
    conditions = [true()]
    if start is not None:
        conditions.append(column >= _day_start(start))
    if end is not None:
        conditions.append(column < _day_start(end + timedelta(days=1)))
    return and_(*conditions)


Span = tuple[date | None, date | None]  # first and last day, both included; None leaves that side open


def _conditions(start: date | None, end: date | None):
    """(received in the period, closed in the period, closed in the period having helped a child:
    a child registered or reassessed)."""
    closed = and_(Clue.status == ClueStatus.closed, _in_days(Clue.closed_at, start, end))
    helping = and_(closed, Clue.outcome.in_(list(HELPING_OUTCOMES)), Clue.child_id.is_not(None))
    return _in_days(Clue.created_at, start, end), closed, helping


def _inside(region_code: str):
    low, high = subtree_bounds(region_code, level_of_code(region_code))
    return Clue.region_code.between(low, high)


def counts(session: Session, region_code: str, start: date | None, end: date | None) -> dict:
    """The clues of ``region_code``'s subtree in the days ``start`` to ``end`` (both included, in
    China time; None leaves that side open): ``found`` received in the period; ``transferred``
    closed in it as transferred; ``helped`` the distinct children registered or reassessed on
    clues closed in it; ``by_outcome`` and ``by_source`` (received in the period) for every
    outcome and source, zeros included. No content, no names: any caller may show it."""
    return counts_for(session, region_code, [(start, end)])[0]


def counts_for(session: Session, region_code: str, spans: Sequence[Span]) -> list[dict]:
    """``counts`` for each period of ``spans`` in turn (a dashboard's period and the one before),
    in three statements whatever their number."""
    inside, periods = _inside(region_code), [_conditions(start, end) for start, end in spans]
    by_source = [dict.fromkeys((s.value for s in ClueSource), 0) for _span in spans]
    for source, *found in session.execute(
            select(Clue.source, *(func.count(case((received, 1))) for received, _c, _h in periods))
            .where(inside, or_(*(received for received, _c, _h in periods))).group_by(Clue.source)):
        for counted, n in zip(by_source, found, strict=True):
            counted[ClueSource(source).value] = int(n)
    by_outcome = [dict.fromkeys((o.value for o in ClueOutcome), 0) for _span in spans]
    for outcome, *closed in session.execute(
            select(Clue.outcome, *(func.count(case((closed, 1))) for _r, closed, _h in periods))
            .where(inside, or_(*(closed for _r, closed, _h in periods))).group_by(Clue.outcome)):
        for counted, n in zip(by_outcome, closed, strict=True):
            counted[ClueOutcome(outcome).value] = int(n)
    helped = session.execute(
        select(*(func.count(func.distinct(case((helping, Clue.child_id)))) for _r, _c, helping in periods))
        .where(inside, or_(*(helping for _r, _c, helping in periods)))).one()
    return [{"found": sum(sources.values()), "transferred": outcomes[ClueOutcome.transferred.value],
             "helped": int(n or 0), "by_outcome": outcomes, "by_source": sources}
            for sources, outcomes, n in zip(by_source, by_outcome, helped, strict=True)]


def counts_by_area(session: Session, region_code: str, spans: Sequence[Span], digits: int) -> list[dict[str, dict]]:
    """``found``, ``transferred`` and ``helped`` as ``counts`` gives them, per code prefix of
    ``digits`` digits of the clue's region (a region one level below ``region_code``), keyed by
    that region's 12-digit code: one dict per period of ``spans``, all in one grouped statement;
    an area without any clue of a period is left out of its dict. ``helped`` counts distinct
    children within each area (a child helped through clues of two areas counts in both:
    ``counts`` gives the subtree's distinct total)."""
    periods = [_conditions(start, end) for start, end in spans]
    figures = []
    for received, closed, helping in periods:
        figures += [func.count(case((received, 1))),
                    func.count(case((and_(closed, Clue.outcome == ClueOutcome.transferred), 1))),
                    func.count(func.distinct(case((helping, Clue.child_id))))]
    area = func.substr(Clue.region_code, literal_column("1"), literal_column(str(digits)))
    stmt = (select(area, *figures)
            .where(_inside(region_code), or_(*(or_(received, closed) for received, closed, _h in periods)))
            .group_by(area))
    out: list[dict[str, dict]] = [{} for _span in spans]
    for prefix, *values in session.execute(stmt):
        for i, found in enumerate(out):
            f, t, h = (int(v or 0) for v in values[3 * i:3 * i + 3])
            if f or t or h:
                found[prefix.ljust(12, "0")] = {"found": f, "transferred": t, "helped": h}
    return out
