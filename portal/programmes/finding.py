"""政策找人 — policy finds the child: evaluating programmes when files change, over a programme's
whole region when it is created or changed, and every morning (birthdays carry children across age
limits). A child newly eligible goes on the programme's newly eligible list (an enrolment in state
``eligible``) and the child directors of its village are told to collect the documents; a pending
child no longer eligible lapses. Nothing here checks who acts: callers are rules that have, tasks,
or the children area's ``files_changed`` signal.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlmodel import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.children import rules as children
from portal.children.models import Child
from portal.notifications.rules import notify, register_kind
from portal.programmes import eligibility
from portal.programmes.eligibility import Verdict, evaluate
from portal.programmes.models import EnrolmentSource, EnrolmentState, Programme, ProgrammeEnrolment
from portal.regions.models import LEVEL_DIGITS, Level
from portal.regions.rules import CODE_LENGTH, names_of
from portal.types import utcnow

# Not e-mailed by default: the notice points at one child's file.
register_kind(
    "programme_eligible",
    _l("File no. %(child)s in %(village)s is newly eligible for %(programme)s: collect the documents it needs."),
    _l("Children newly eligible for a programme"), email=False,
)



# --- 政策找人: the rules find the child ------------------------------------------------------------


def ancestor_codes(code: str) -> list[str]:
    """The city and county codes over region ``code`` (the levels that own programmes)."""
    return [code[:LEVEL_DIGITS[level]] + "0" * (CODE_LENGTH - LEVEL_DIGITS[level]) for level in (Level.city, Level.county)]


def covering_programmes(session: Session, region_code: str) -> list[Programme]:
    """Active programmes owned by the city or county over ``region_code``."""
    stmt = select(Programme).where(Programme.active.is_(True), Programme.owner_region_code.in_(ancestor_codes(region_code)))
    return list(session.scalars(stmt.order_by(Programme.id)))


def _existing(session: Session, programme_id: int, child_ids: list[int]) -> dict[int, ProgrammeEnrolment]:
    found: dict[int, ProgrammeEnrolment] = {}
    for start in range(0, len(child_ids), eligibility.BATCH):
        chunk = child_ids[start : start + eligibility.BATCH]
        stmt = select(ProgrammeEnrolment).where(ProgrammeEnrolment.programme_id == programme_id,
                                                ProgrammeEnrolment.child_id.in_(chunk))
        found.update({e.child_id: e for e in session.scalars(stmt)})
    return found


def _apply(session: Session, programme: Programme, verdicts: dict[int, Verdict], on_date: date) -> list[int]:
    """Bring the enrolments of the evaluated children in line with their verdicts; the ids of
    children newly found eligible (whose directors are told).

    New or lapsed, now eligible → eligible (政策找人). Found by the rules, not yet enrolled and no
    longer eligible → lapsed. Enrolled children keep their state with the latest verdict (a batch
    decides on payment); removed ones stay removed: staff decided, only staff add them back.
    """
    existing = _existing(session, programme.id, list(verdicts))
    newly = []
    now = utcnow()
    for child_id, verdict in verdicts.items():
        row = existing.get(child_id)
        if row is None:
            if verdict.eligible:
                session.add(ProgrammeEnrolment(programme_id=programme.id, child_id=child_id,
                                               state=EnrolmentState.eligible, source=EnrolmentSource.rules,
                                               eligible_now=True, reasons=verdict.reasons_data(), found_on=on_date,
                                               changed_at=now))
                newly.append(child_id)
            continue
        row.eligible_now = verdict.eligible
        row.reasons = verdict.reasons_data()
        if row.state == EnrolmentState.lapsed and verdict.eligible:
            row.state, row.found_on, row.changed_at, row.changed_by_id = EnrolmentState.eligible, on_date, now, None
            newly.append(child_id)
        elif (row.state == EnrolmentState.eligible and row.source == EnrolmentSource.rules
              and not verdict.eligible):
            row.state, row.changed_at, row.changed_by_id = EnrolmentState.lapsed, now, None
    session.flush()
    return newly


def _tell_directors(session: Session, programme: Programme, child_ids: list[int]) -> int:
    """Each newly eligible child's directors (of its village) hear it, once a day per child."""
    if not child_ids:
        return 0
    villages: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(child_ids), eligibility.BATCH):
        chunk = child_ids[start : start + eligibility.BATCH]
        for child_id, code in session.execute(select(Child.id, Child.region_code).where(Child.id.in_(chunk))):
            villages[code].append(child_id)
    directors: dict[str, list[int]] = defaultdict(list)
    stmt = select(User.id, User.region_code).where(User.is_active, User.role == Role.child_director,
                                                   User.region_code.in_(list(villages)))
    for user_id, code in session.execute(stmt):
        directors[code].append(user_id)
    names = names_of(session, [code for code in villages if directors.get(code)])
    sent = 0
    for code, ids in villages.items():
        for child_id in ids if directors.get(code) else ():
            sent += notify(session, directors[code], "programme_eligible",
                           {"child": child_id, "village": names.get(code, code), "programme": programme.name_zh},
                           link=f"/children/{child_id}", subject=f"elig:{programme.id}:{child_id}")
    return sent


def find_eligible(session: Session, programme: Programme, on_date: date) -> list[int]:
    """Evaluate ``programme`` over its whole region: new eligible children go on its newly
    eligible list (their directors are told), pending ones no longer eligible lapse, the others'
    explanations are refreshed. The ids of newly eligible children."""
    if not programme.active:
        return []
    verdicts = dict(eligibility.eligible_children(session, programme, on_date))
    # Children on the list whom the SQL narrowing left out are no longer eligible: evaluate them.
    pending = session.scalars(select(ProgrammeEnrolment.child_id).where(
        ProgrammeEnrolment.programme_id == programme.id,
        ProgrammeEnrolment.state.in_([EnrolmentState.eligible, EnrolmentState.enrolled])))
    missing = [child_id for child_id in pending if child_id not in verdicts]
    for facts in eligibility.facts_of_children(session, missing):
        verdicts[facts.child_id] = evaluate(programme, facts, on_date)
    newly = _apply(session, programme, verdicts, on_date)
    _tell_directors(session, programme, newly)
    return newly


def reevaluate_children(session: Session, child_ids: list[int], on_date: date) -> dict[int, list[int]]:
    """Re-evaluate these children against every active programme over their villages, and the
    programmes they are already on (a child who moved away leaves the old county's list). The
    newly eligible ids per programme id; their directors are told."""
    by_programme: dict[int, dict[int, Verdict]] = defaultdict(dict)
    programmes: dict[int, Programme] = {}
    covering: dict[str, list[Programme]] = {}
    for start in range(0, len(child_ids), eligibility.BATCH):
        chunk = child_ids[start : start + eligibility.BATCH]
        held = defaultdict(set)
        for programme_id, child_id in session.execute(
                select(ProgrammeEnrolment.programme_id, ProgrammeEnrolment.child_id)
                .where(ProgrammeEnrolment.child_id.in_(chunk))):
            held[child_id].add(programme_id)
        for facts in eligibility.facts_of_children(session, chunk):
            if facts.region_code not in covering:
                covering[facts.region_code] = covering_programmes(session, facts.region_code)
            relevant = {p.id: p for p in covering[facts.region_code]}
            for programme_id in held[facts.child_id] - set(relevant):
                programme = programmes.get(programme_id) or session.get(Programme, programme_id)
                if programme.active:
                    relevant[programme_id] = programme
            for programme in relevant.values():
                programmes[programme.id] = programme
                by_programme[programme.id][facts.child_id] = evaluate(programme, facts, on_date)
    newly = {}
    for programme_id, verdicts in by_programme.items():
        found = _apply(session, programmes[programme_id], verdicts, on_date)
        _tell_directors(session, programmes[programme_id], found)
        if found:
            newly[programme_id] = found
    return newly


def sweep(session: Session, on_date: date) -> dict[int, int]:
    """The daily look over every active programme: birthdays move children across age limits,
    files close or age out. Newly eligible children per programme id."""
    found = {}
    for programme in session.scalars(select(Programme).where(Programme.active.is_(True)).order_by(Programme.id)).all():
        found[programme.id] = len(find_eligible(session, programme, on_date))
    return found


def _on_files_changed(sender, *, session: Session, child_ids: list[int], on_date: date) -> None:
    reevaluate_children(session, child_ids, on_date)


children.files_changed.connect(_on_files_changed)
