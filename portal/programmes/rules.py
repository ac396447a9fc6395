"""Programmes and enrolments: creating and editing programmes (which looks for the children they
cover at once, see ``finding``), manual additions and removals, enrolment, and what a child's file
shows.

Every rule function takes the acting user and refuses what ``portal.access`` does not allow; each
change is written to the audit log in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlmodel import Session

from portal import access
from portal.audit.rules import record
from portal.children.models import Child
from portal.errors import Conflict, DomainError, NotFound
from portal.ledger import rules as ledger
from portal.ledger.models import Fund, FundKind
from portal.programmes import eligibility
from portal.programmes.eligibility import ChildFacts, Verdict, evaluate
from portal.programmes.finding import covering_programmes, find_eligible
from portal.programmes.models import (
    EnrolmentSource,
    EnrolmentState,
    PeriodType,
    Programme,
    ProgrammeEnrolment,
    ProgrammeKind,
)
from portal.regions.models import Level
from portal.regions.rules import level_of_code, subtree_bounds
from portal.types import utcnow

OWN_FUND = "own"  # ``ProgrammeValues.fund_code``: the programme gets a fund of its own
NOTE_LENGTH = 300

@dataclass
class ProgrammeValues:
    """What the programme form says; the rules are plain data, checked by ``eligibility``."""

    name_zh: str
    kind: str
    period_type: str
    amount_rule: dict
    eligibility: dict
    required_documents: list[str] = field(default_factory=list)
    fund_code: str = OWN_FUND  # a programme fund's code, or OWN_FUND
    name_en: str = ""
    active: bool = True


def _checked(session: Session, values: ProgrammeValues, owner_region_code: str) -> dict:
    if not values.name_zh.strip():
        raise DomainError(_l("Name the programme."), field="name_zh")
    if values.kind not in ProgrammeKind.__members__:
        raise DomainError(_l("Choose the kind of programme."), field="kind")
    if values.period_type not in PeriodType.__members__:
        raise DomainError(_l("Choose how often it pays."), field="period_type")
    documents = eligibility.check_documents(values.required_documents)
    return {
        "name_zh": values.name_zh.strip()[:100], "name_en": values.name_en.strip()[:100],
        "kind": ProgrammeKind(values.kind), "period_type": PeriodType(values.period_type),
        "required_documents": documents,
        "amount_rule": eligibility.check_amount_rule(values.amount_rule, documents),
        "eligibility": eligibility.check_eligibility(values.eligibility, owner_region_code),
        "active": bool(values.active),
    }


def _fund(session: Session, programme: Programme, fund_code: str) -> Fund:
    if fund_code == OWN_FUND:
        return ledger.fund_for_programme(session, programme)
    if fund_code in ledger.PROGRAMME_FUNDS:
        return ledger.programme_fund(session, fund_code)
    fund = session.scalar(select(Fund).where(Fund.code == fund_code, Fund.kind == FundKind.programme))
    if fund is None:
        raise DomainError(_l("Choose the fund the programme pays from."), field="fund_code")
    return fund


def create_programme(session: Session, actor, values: ProgrammeValues, today: date | None = None) -> Programme:
    """Open a programme owned by the actor's own region (a city or a county) and look for the
    children it covers at once. Refuses anyone but civil-affairs staff of a city or county, and
    invalid rules (see ``eligibility``)."""
    access.require(actor, "programmes.manage")
    owner = actor.region_code
    if level_of_code(owner) not in (Level.city, Level.county):
        raise DomainError(_l("Programmes are run by a city or a county."))
    checked = _checked(session, values, owner)
    programme = Programme(**checked, owner_region_code=owner, created_by_id=actor.id)
    programme.fund_id = _fund(session, programme, values.fund_code).id
    session.add(programme)
    session.flush()
    record(session, actor, "programme.create", "programme", programme.id, region_code=owner,
           detail={"eligibility": programme.eligibility, "amount_rule": programme.amount_rule})
    find_eligible(session, programme, today or date.today())
    return programme


def update_programme(session: Session, actor, programme: Programme, values: ProgrammeValues,
                     today: date | None = None) -> Programme:
    """Change a programme's rules, amounts, documents, fund or active flag; the old and new rules
    are audited, and the children it now covers are looked for."""
    access.require(actor, "programmes.manage", programme)
    checked = _checked(session, values, programme.owner_region_code)
    before = {"eligibility": programme.eligibility, "amount_rule": programme.amount_rule, "active": programme.active}
    for key, value in checked.items():
        setattr(programme, key, value)
    programme.fund_id = _fund(session, programme, values.fund_code).id
    programme.updated_at = utcnow()
    session.flush()
    record(session, actor, "programme.update", "programme", programme.id, region_code=programme.owner_region_code,
           detail={"before": before, "after": {"eligibility": programme.eligibility,
                                               "amount_rule": programme.amount_rule, "active": programme.active}})
    if programme.active:
        find_eligible(session, programme, today or date.today())
    return programme


def programmes_for(session: Session, viewer) -> list[Programme]:
    """The programmes ``viewer`` manages: those owned by their region or a region below it."""
    access.require(viewer, "programmes.manage")
    low, high = subtree_bounds(viewer.region_code, level_of_code(viewer.region_code))
    stmt = select(Programme).where(Programme.owner_region_code.between(low, high))
    return list(session.scalars(stmt.order_by(Programme.active.desc(), Programme.id)))


def load_programme(session: Session, viewer, programme_id: int) -> Programme:
    """The programme if ``viewer`` manages it; NotFound otherwise (ids cannot be probed)."""
    programme = session.get(Programme, programme_id)
    if programme is None or not access.allowed(viewer, "programmes.manage", programme):
        raise NotFound(_l("This programme does not exist or is outside your region."))
    return programme


def state_counts(session: Session, programme: Programme) -> dict[str, int]:
    rows = session.execute(select(ProgrammeEnrolment.state, func.count()).where(
        ProgrammeEnrolment.programme_id == programme.id).group_by(ProgrammeEnrolment.state))
    return {str(state): count for state, count in rows}


# --- staff decisions: enrol, add by hand, remove --------------------------------------------------


def _note(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason."), field="reason")
    return reason[:NOTE_LENGTH]


def _child_in(session: Session, actor, programme: Programme, child_id) -> Child:
    child = session.get(Child, child_id) if isinstance(child_id, int) else None
    owner_low, owner_high = subtree_bounds(programme.owner_region_code, level_of_code(programme.owner_region_code))
    if (child is None or not access.allowed(actor, "children.view", child)
            or not owner_low <= child.region_code <= owner_high):
        raise NotFound(_l("This file does not exist or is outside the programme's region."))
    return child


def enrolment_of(session: Session, actor, programme: Programme, enrolment_id: int) -> ProgrammeEnrolment:
    """One enrolment of ``programme``, for staff who manage it."""
    access.require(actor, "programmes.manage", programme)
    row = session.get(ProgrammeEnrolment, enrolment_id)
    if row is None or row.programme_id != programme.id:
        raise NotFound(_l("This child is not on the programme's list."))
    return row


def add_child(session: Session, actor, programme: Programme, child_id: int, reason: str,
              today: date | None = None) -> ProgrammeEnrolment:
    """Put a child on the programme by hand, with a reason, whatever the rules say (an exception
    the owning level decides). Refuses a file outside the programme's region or the actor's reach
    (as if it did not exist), no reason, and a child already on it (pending or enrolled)."""
    access.require(actor, "programmes.manage", programme)
    note = _note(reason)
    child = _child_in(session, actor, programme, child_id)
    verdict = evaluate(programme, ChildFacts.of(child), today or date.today())
    row = session.scalar(select(ProgrammeEnrolment).where(ProgrammeEnrolment.programme_id == programme.id,
                                                          ProgrammeEnrolment.child_id == child.id))
    if row is not None and row.state in (EnrolmentState.eligible, EnrolmentState.enrolled):
        raise Conflict(_l("This child is already on the programme."))
    if row is None:
        row = ProgrammeEnrolment(programme_id=programme.id, child_id=child.id, state=EnrolmentState.eligible,
                                 source=EnrolmentSource.manual, found_on=today or date.today())
        session.add(row)
    row.state, row.source, row.note = EnrolmentState.eligible, EnrolmentSource.manual, note
    row.eligible_now, row.reasons = verdict.eligible, verdict.reasons_data()
    row.found_on, row.changed_by_id, row.changed_at = today or date.today(), actor.id, utcnow()
    session.flush()
    record(session, actor, "programme.add_child", "programme_enrolment", row.id, region_code=child.region_code,
           detail={"programme": programme.id, "child": child.id, "reason": note, "rules_say": verdict.eligible})
    return row


def remove_child(session: Session, actor, programme: Programme, enrolment: ProgrammeEnrolment,
                 reason: str) -> ProgrammeEnrolment:
    """Take a child off the programme with a reason; the rules will not put them back (only a
    manual addition does). Refuses no reason and a child already removed."""
    access.require(actor, "programmes.manage", programme)
    note = _note(reason)
    if enrolment.programme_id != programme.id:
        raise NotFound(_l("This child is not on the programme's list."))
    if enrolment.state == EnrolmentState.removed:
        raise Conflict(_l("This child has already been removed from the programme."))
    previous = enrolment.state
    enrolment.state, enrolment.note = EnrolmentState.removed, note
    enrolment.changed_by_id, enrolment.changed_at = actor.id, utcnow()
    session.flush()
    child = session.get(Child, enrolment.child_id)
    record(session, actor, "programme.remove_child", "programme_enrolment", enrolment.id,
           region_code=child.region_code if child else None,
           detail={"programme": programme.id, "child": enrolment.child_id, "from": str(previous), "reason": note})
    return enrolment


def enrol(session: Session, actor, programme: Programme, enrolment: ProgrammeEnrolment, documents: dict,
          today: date | None = None) -> ProgrammeEnrolment:
    """Enrol a pending child once the programme's documents are collected. ``documents`` maps each
    document to True; hospital invoices also carry their total (``hospital_invoices_fen``, fen).
    Refuses a missing document, invoices without a positive total, a child not pending, and (for
    a child found by the rules) one the rules no longer accept."""
    access.require(actor, "programmes.manage", programme)
    if enrolment.programme_id != programme.id or enrolment.state != EnrolmentState.eligible:
        raise Conflict(_l("Only a child waiting on the list can be enrolled."))
    missing = [d for d in programme.required_documents if not documents.get(d)]
    if missing:
        raise DomainError(_l("Collect these documents first: %(names)s.",
                             names=", ".join(str(eligibility.DOCUMENTS[d]) for d in missing)), field="documents")
    kept = {d: True for d in programme.required_documents}
    if "hospital_invoices" in programme.required_documents:
        total = documents.get("hospital_invoices_fen")
        if type(total) is not int or total <= 0:
            raise DomainError(_l("Enter the total of the hospital invoices."), field="invoices")
        kept["hospital_invoices_fen"] = total
    child = session.get(Child, enrolment.child_id)
    verdict = evaluate(programme, ChildFacts.of(child, kept.get("hospital_invoices_fen")), today or date.today())
    if enrolment.source == EnrolmentSource.rules and not verdict.eligible:
        raise Conflict(_l("The rules no longer accept this child: %(why)s", why=verdict.explain()))
    enrolment.state, enrolment.documents = EnrolmentState.enrolled, kept
    enrolment.eligible_now, enrolment.reasons = verdict.eligible, verdict.reasons_data()
    enrolment.changed_by_id, enrolment.changed_at = actor.id, utcnow()
    session.flush()
    record(session, actor, "programme.enrol", "programme_enrolment", enrolment.id, region_code=child.region_code,
           detail={"programme": programme.id, "child": child.id, "documents": kept})
    return enrolment


def listed(session: Session, actor, programme: Programme, state: EnrolmentState | str = EnrolmentState.eligible,
           limit: int = 500) -> list[tuple[ProgrammeEnrolment, Child]]:
    """The programme's children in ``state`` (by default its newly eligible list), newest first."""
    access.require(actor, "programmes.manage", programme)
    stmt = (select(ProgrammeEnrolment, Child).join(Child, Child.id == ProgrammeEnrolment.child_id)
            .where(ProgrammeEnrolment.programme_id == programme.id, ProgrammeEnrolment.state == EnrolmentState(state))
            .order_by(ProgrammeEnrolment.found_on.desc(), ProgrammeEnrolment.id.desc()).limit(limit))
    return [(row, child) for row, child in session.execute(stmt).all()]


# --- the child's file ---------------------------------------------------------------------------------


@dataclass
class ChildProgramme:
    """One programme as a child's file shows it."""

    programme: Programme
    verdict: Verdict
    enrolment: ProgrammeEnrolment | None

    @property
    def standing(self) -> str:
        """received (enrolled), pending (on the list), eligible (the rules accept, not on it),
        removed, or not_eligible."""
        state = self.enrolment.state if self.enrolment else None
        if state == EnrolmentState.enrolled:
            return "received"
        if state == EnrolmentState.eligible:
            return "pending"
        if state == EnrolmentState.removed:
            return "removed"
        return "eligible" if self.verdict.eligible else "not_eligible"


def for_child(session: Session, viewer, child: Child, today: date | None = None) -> list[ChildProgramme]:
    """Every programme over the child's village and every one it is on, evaluated today, for
    staff who may see the file."""
    access.require(viewer, "children.view", child)
    today = today or date.today()
    rows = {e.programme_id: e for e in session.scalars(select(ProgrammeEnrolment).where(
        ProgrammeEnrolment.child_id == child.id))}
    programmes = {p.id: p for p in covering_programmes(session, child.region_code)}
    for programme_id in set(rows) - set(programmes):
        programmes[programme_id] = session.get(Programme, programme_id)
    facts = ChildFacts.of(child)
    order = {"received": 0, "pending": 1, "eligible": 2, "removed": 3, "not_eligible": 4}
    lines = [ChildProgramme(p, evaluate(p, facts, today), rows.get(p.id)) for p in programmes.values()]
    return sorted(lines, key=lambda line: (order[line.standing], line.programme.id))
