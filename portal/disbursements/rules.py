"""Disbursement batches: listing entitlements, submitting, two-person approval, payments.

Every function takes the acting user first after the session, refuses what ``portal.access`` does
not allow, and writes the audit log in the caller's transaction. Money moves only through the
ledger's ``post`` and ``reverse`` (see the package docstring for the postings).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal import access
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit.rules import record
from portal.disbursements.models import (
    BatchState,
    DisbursementBatch,
    DisbursementClaim,
    Entitlement,
    EntitlementState,
)
from portal.errors import Conflict, DomainError, NotAllowed, NotFound
from portal.ledger import rules as ledger
from portal.ledger.models import AccountPurpose, Fund, LedgerTransaction, TransactionKind
from portal.notifications.rules import mark_done, notify, register_kind
from portal.programmes import eligibility
from portal.programmes.eligibility import evaluate
from portal.programmes.models import EnrolmentState, PeriodType, Programme, ProgrammeEnrolment
from portal.regions.rules import level_of_code, subtree_bounds
from portal.types import utcnow

REASON_LENGTH = 300
HEAD_NOTICE = "disbursement_head"
register_kind(
    HEAD_NOTICE,
    _l("Batch no. %(batch)s of %(programme)s (%(period)s, %(amount)s yuan) waits for your approval as head."),
    _l("Disbursement batches waiting for the head's approval"),
)
# The first day of each term: spring term from March, autumn term from September.
TERM_STARTS = {"T1": 3, "T2": 9}
PERIOD_FORMATS = {
    PeriodType.monthly: (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "2026-09"),
    PeriodType.per_year: (re.compile(r"^(\d{4})$"), "2026"),
    PeriodType.per_term: (re.compile(r"^(\d{4})-(T1|T2)$"), "2026-T1"),
    PeriodType.one_off: (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "2026-09-15"),
}


def period_date(period_type: PeriodType | str, period: str) -> date:
    """The day a period's eligibility is judged on: the first of the month, of the year
    (1 January), of the term (1 March, 1 September), or the one-off's own day. Refuses a period
    written in another shape than its programme's (full-width digits, a 13th month …)."""
    kind = PeriodType(period_type)
    pattern, example = PERIOD_FORMATS[kind]
    text = (period or "").strip()
    match = pattern.match(text) if text.isascii() else None
    try:
        if match is None:
            raise ValueError
        year = int(match.group(1))
        if not 2000 <= year <= 2100:
            raise ValueError
        if kind == PeriodType.monthly:
            return date(year, int(match.group(2)), 1)
        if kind == PeriodType.per_year:
            return date(year, 1, 1)
        if kind == PeriodType.per_term:
            return date(year, TERM_STARTS[match.group(2)], 1)
        return date(year, int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise DomainError(_l("Write the period like %(example)s.", example=example), field="period") from None


def _reason(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Give the reason."), field="reason")
    return text[:REASON_LENGTH]


def load_batch(session: Session, actor, batch_id) -> DisbursementBatch:
    """A batch the actor may see: its makers (who run the programme) and its approvers."""
    batch = session.get(DisbursementBatch, batch_id) if isinstance(batch_id, int) else None
    if batch is None:
        raise NotFound(_l("This batch does not exist."))
    programme = session.get(Programme, batch.programme_id)
    if not (access.allowed(actor, "disbursements.make", programme)
            or access.allowed(actor, "disbursements.approve", batch)):
        raise NotFound(_l("This batch does not exist."))
    return batch


def _category(programme: Programme, categories) -> str:
    """The category a row is reported under: the one its amount came from, else the first the
    programme names, else the file's first."""
    categories = list(categories or ())
    table = (programme.amount_rule or {}).get("amounts_fen") or {}
    if table:
        named = [c for c in categories if c in table]
        if named:
            return max(named, key=lambda c: table[c])
    wanted = (programme.eligibility or {}).get("categories") or []
    for c in categories:
        if c in wanted:
            return c
    return categories[0] if categories else ""


# --- listing a batch ----------------------------------------------------------------------------


def create_batch(session: Session, actor, programme: Programme, period: str, region_code: str | None = None,
                 today: date | None = None) -> DisbursementBatch:
    """List a batch of ``programme`` for ``period`` over ``region_code`` (the programme's region
    or a region inside it, within the actor's reach): every enrolled child eligible on the period's
    day, with the rule's amount and explanation; children whose required documents are missing are
    flagged, not paid; children already paid for the period are left out; failed payments of the
    programme in the region are carried in. Refuses an inactive programme, a period in the wrong
    shape, a region outside the programme or the actor's reach, and an empty batch."""
    access.require(actor, "disbursements.make", programme)
    if not programme.active:
        raise Conflict(_l("This programme is closed."))
    on = period_date(programme.period_type, period)
    period = period.strip()
    region_code = (region_code or "").strip() or (
        programme.owner_region_code if access.within_scope(actor, programme.owner_region_code) else actor.region_code)
    owner_low, owner_high = subtree_bounds(programme.owner_region_code, level_of_code(programme.owner_region_code))
    if (len(region_code) != 12 or not region_code.isdigit() or not owner_low <= region_code <= owner_high
            or not access.within_scope(actor, region_code)):
        raise DomainError(_l("Choose a region inside the programme's region and your own."), field="region")

    batch = DisbursementBatch(programme_id=programme.id, period=period, region_code=region_code,
                              state=BatchState.draft, created_by_id=actor.id)
    session.add(batch)
    session.flush()
    rows = _list(session, programme, batch, on)
    record(session, actor, "disbursement.create", "disbursement_batch", batch.id, region_code=region_code,
           detail={"programme": programme.id, "period": period, "rows": len(rows), "total_fen": batch.total_fen,
                   "flagged": sum(1 for r in rows if r["state"] == EntitlementState.flagged)})
    return batch


def _list(session: Session, programme: Programme, batch: DisbursementBatch, on: date) -> list[dict]:
    """Insert the batch's rows as the files and the failed payments stand now; its total."""
    low, high = subtree_bounds(batch.region_code, level_of_code(batch.region_code))
    rows = _listed_rows(session, programme, batch, on, low, high) + _carried_rows(session, programme, batch, low, high)
    if not rows:
        raise Conflict(_l("No child is due a payment from this programme for this period in this region."))
    for start in range(0, len(rows), 2000):
        session.execute(insert(Entitlement), rows[start : start + 2000])
    batch.total_fen = sum(r["amount_fen"] for r in rows if r["state"] == EntitlementState.listed)
    session.flush()
    return rows


def may_rebuild(actor, batch: DisbursementBatch) -> bool:
    """A draft is listed again by its maker only."""
    return batch.state == BatchState.draft and actor.id == batch.created_by_id


def rebuild_batch(session: Session, actor, batch: DisbursementBatch) -> DisbursementBatch:
    """List a draft again from the files as they stand now (a child added or enrolled since, a
    document brought in, a failure to carry), replacing its rows. Only the batch's maker, and
    only before submission: a submitted batch is frozen. Refuses a closed programme and a
    listing that finds nobody (the draft keeps its rows then)."""
    locked = session.scalar(select(DisbursementBatch).where(DisbursementBatch.id == batch.id).with_for_update())
    session.refresh(batch)
    programme = session.get(Programme, batch.programme_id)
    if not (actor.id == batch.created_by_id and access.allowed(actor, "disbursements.make", programme)):
        raise NotAllowed(_l("Only the batch's maker may list it again."))  # not even a fellow maker
    if locked.state != BatchState.draft:
        raise Conflict(_l("This batch has been submitted: it can no longer be listed again."))
    if not programme.active:
        raise Conflict(_l("This programme is closed."))
    before = batch.total_fen
    with session.begin_nested():  # a listing that finds nobody leaves the draft as it was
        # A draft's rows were never claimed, posted or carried by anyone: replacing them loses nothing.
        session.execute(delete(Entitlement).where(Entitlement.batch_id == batch.id))
        rows = _list(session, programme, batch, period_date(programme.period_type, batch.period))
    record(session, actor, "disbursement.rebuild", "disbursement_batch", batch.id, region_code=batch.region_code,
           detail={"rows": len(rows), "total_fen": batch.total_fen, "total_fen_before": before})
    return batch


def _listed_rows(session: Session, programme: Programme, batch: DisbursementBatch, on: date, low: str,
                 high: str) -> list[dict]:
    enrolled = dict(session.execute(select(ProgrammeEnrolment.child_id, ProgrammeEnrolment.documents).where(
        ProgrammeEnrolment.programme_id == programme.id, ProgrammeEnrolment.state == EnrolmentState.enrolled)).all())
    paid = set(session.scalars(select(DisbursementClaim.child_id).where(
        DisbursementClaim.programme_id == programme.id, DisbursementClaim.period == batch.period)))
    now = utcnow()
    rows = []
    for facts in eligibility.facts_of_children(session, sorted(set(enrolled) - paid)):
        if not low <= facts.region_code <= high:
            continue
        documents = enrolled[facts.child_id] or {}
        invoices = documents.get("hospital_invoices_fen")
        verdict = evaluate(programme, replace(facts, eligible_costs_fen=invoices if type(invoices) is int else None), on)
        if not verdict.eligible:
            continue  # the rules no longer accept the child on the period's day
        missing = [d for d in programme.required_documents if not documents.get(d)]
        amount = verdict.amount_fen or 0
        rows.append({
            "batch_id": batch.id, "programme_id": programme.id, "period": batch.period, "child_id": facts.child_id,
            "region_code": facts.region_code, "category": _category(programme, facts.categories),
            "amount_fen": amount, "reasons": verdict.reasons_data(), "missing_documents": missing,
            "state": EntitlementState.flagged if missing or not amount else EntitlementState.listed,
            "bank_reference": "", "failure_reason": "", "changed_at": now,
        })
    return rows


def _carried_rows(session: Session, programme: Programme, batch: DisbursementBatch, low: str, high: str) -> list[dict]:
    """Failed payments of the programme in the region, not yet carried: each comes back once
    (``carried_from_id`` is unique), for its own period and amount."""
    carried = select(Entitlement.carried_from_id).where(Entitlement.carried_from_id.is_not(None))
    failed = session.scalars(select(Entitlement).where(
        Entitlement.programme_id == programme.id, Entitlement.state == EntitlementState.failed,
        Entitlement.region_code.between(low, high), Entitlement.id.not_in(carried)).order_by(Entitlement.id)).all()
    now = utcnow()
    return [{"batch_id": batch.id, "programme_id": programme.id, "period": row.period, "child_id": row.child_id,
             "region_code": row.region_code, "category": row.category, "amount_fen": row.amount_fen,
             "reasons": row.reasons, "missing_documents": [], "state": EntitlementState.listed,
             "carried_from_id": row.id, "need_id": row.need_id, "bank_reference": "", "failure_reason": "",
             "changed_at": now} for row in failed]


def entitlements(session: Session, batch: DisbursementBatch) -> list[Entitlement]:
    return list(session.scalars(select(Entitlement).where(Entitlement.batch_id == batch.id).order_by(Entitlement.id)))


def submit_batch(session: Session, actor, batch: DisbursementBatch) -> DisbursementBatch:
    """Freeze a draft for approval: from now on its rows never change (edits to a child's file
    afterwards do not reach it). Refuses anyone but those who run the programme, and a batch that
    is not a draft."""
    programme = session.get(Programme, batch.programme_id)
    access.require(actor, "disbursements.make", programme)
    moved = session.execute(update(DisbursementBatch).where(
        DisbursementBatch.id == batch.id, DisbursementBatch.state == BatchState.draft)
        .values(state=BatchState.submitted, submitted_at=utcnow())).rowcount
    if moved != 1:
        raise Conflict(_l("This batch has already been submitted."))
    session.refresh(batch)
    record(session, actor, "disbursement.submit", "disbursement_batch", batch.id, region_code=batch.region_code,
           detail={"total_fen": batch.total_fen})
    return batch


# --- approval -----------------------------------------------------------------------------------


def shortfall(session: Session, batch: DisbursementBatch) -> int:
    """How many fen the programme's fund lacks to pay the batch (0 when it can)."""
    programme = session.get(Programme, batch.programme_id)
    balance = ledger.fund_figures(session, session.get(Fund, programme.fund_id)).balance
    return max(0, batch.total_fen - balance)


def needs_head(batch: DisbursementBatch) -> bool:
    return batch.total_fen > current_app.config["DISBURSEMENT_HEAD_FEN"]


def heads_of(session: Session, programme: Programme) -> list[User]:
    """The active heads of the civil-affairs bureau of the programme's owning region, by name."""
    return list(session.scalars(select(User).where(
        User.region_code == programme.owner_region_code, User.role == Role.civil_affairs, User.is_head,
        User.is_active).order_by(User.display_name, User.id)))


def head_approvers(session: Session, batch: DisbursementBatch) -> list[User]:
    """The heads who may give a batch its head's approval: the owning region's active heads who
    neither made it nor approved it first."""
    programme = session.get(Programme, batch.programme_id)
    return [h for h in heads_of(session, programme) if h.id not in (batch.created_by_id, batch.approved_by_id)]


def _tell_heads(session: Session, programme: Programme, batch: DisbursementBatch) -> int:
    heads = [h.id for h in head_approvers(session, batch)]
    return notify(session, heads, HEAD_NOTICE,
                  {"batch": batch.id, "programme": programme.name_zh, "period": batch.period,
                   "amount": ledger.format_fen(batch.total_fen)},
                  link=f"/disbursements/{batch.id}", about=f"disbursement_batch:{batch.id}")


def approve_batch(session: Session, actor, batch: DisbursementBatch) -> DisbursementBatch:
    """The second person's approval (and, above ``DISBURSEMENT_HEAD_FEN``, the owning level's
    head's after it). The last approval claims each child for the period (the database refuses a
    child already paid for it, however two approvals race) and posts each entitlement out of the
    programme's fund. Refuses: the batch's maker, the first approver as head, staff outside the
    batch's region, a batch not waiting for approval, and a fund that cannot cover the batch (the
    shortfall is in the message)."""
    locked = session.scalar(select(DisbursementBatch).where(DisbursementBatch.id == batch.id).with_for_update())
    session.refresh(batch)
    programme = session.get(Programme, batch.programme_id)
    if locked.state == BatchState.submitted:
        access.require(actor, "disbursements.approve", batch)
        if actor.id == batch.created_by_id:
            raise NotAllowed(_l("You made this batch: another staff member must approve it."))
    elif locked.state == BatchState.awaiting_head:
        access.require(actor, "disbursements.head", programme)
        if actor.id in (batch.created_by_id, batch.approved_by_id):
            raise NotAllowed(_l("The head's approval must come from a third person, neither maker nor approver."))
    else:
        raise Conflict(_l("This batch is not waiting for approval."))
    missing = shortfall(session, batch)
    if missing:
        raise Conflict(_l("The fund cannot cover this batch: %(short)s yuan short.", short=ledger.format_fen(missing)))
    now = utcnow()
    if batch.state == BatchState.submitted and needs_head(batch):
        batch.state, batch.approved_by_id, batch.approved_at = BatchState.awaiting_head, actor.id, now
        session.flush()
        record(session, actor, "disbursement.approve", "disbursement_batch", batch.id, region_code=batch.region_code,
               detail={"total_fen": batch.total_fen, "waits_for_head": True})
        _tell_heads(session, programme, batch)
        return batch
    if batch.state == BatchState.submitted:
        batch.approved_by_id, batch.approved_at = actor.id, now
    else:
        batch.head_approved_by_id, batch.head_approved_at = actor.id, now
    _claim(session, batch)
    _post(session, actor, programme, batch)
    batch.state = BatchState.approved
    session.flush()
    mark_done(session, f"disbursement_batch:{batch.id}", [HEAD_NOTICE])
    record(session, actor, "disbursement.approve", "disbursement_batch", batch.id, region_code=batch.region_code,
           detail={"total_fen": batch.total_fen, "head": batch.head_approved_by_id is not None})
    return batch


def return_batch(session: Session, actor, batch: DisbursementBatch, reason: str) -> DisbursementBatch:
    """Send a batch back unpaid, saying why: its maker withdraws a draft or a submitted batch; a
    checker (or, above the limit, the head) returns one waiting for them. Nothing was claimed or
    posted before approval, so nothing is undone in the ledger; failed payments it carried are free
    to be carried by the next batch. Refuses: no reason, anyone else, an approved or returned batch."""
    reason = _reason(reason)
    locked = session.scalar(select(DisbursementBatch).where(DisbursementBatch.id == batch.id).with_for_update())
    session.refresh(batch)
    programme = session.get(Programme, batch.programme_id)
    maker = actor.id == batch.created_by_id and access.allowed(actor, "disbursements.make", programme)
    if locked.state == BatchState.draft and maker:
        pass
    elif locked.state == BatchState.submitted and (maker or access.allowed(actor, "disbursements.approve", batch)):
        pass
    elif locked.state == BatchState.awaiting_head and access.allowed(actor, "disbursements.head", programme):
        pass
    elif locked.state in (BatchState.draft, BatchState.submitted, BatchState.awaiting_head):
        raise NotAllowed(_l("Only its maker, or those who approve it, may send this batch back."))
    else:
        raise Conflict(_l("This batch can no longer be sent back."))
    freed = session.scalars(select(Entitlement.carried_from_id).where(
        Entitlement.batch_id == batch.id, Entitlement.carried_from_id.is_not(None))).all()
    # The rows stay as they were listed (a record of the batch); the failures they carried are let go.
    session.execute(update(Entitlement).where(Entitlement.batch_id == batch.id).values(
        state=EntitlementState.returned, carried_from_id=None, changed_at=utcnow()))
    batch.state, batch.returned_by_id, batch.returned_at, batch.return_reason = (
        BatchState.returned, actor.id, utcnow(), reason)
    session.flush()
    mark_done(session, f"disbursement_batch:{batch.id}", [HEAD_NOTICE])
    record(session, actor, "disbursement.return", "disbursement_batch", batch.id, region_code=batch.region_code,
           detail={"reason": reason, "total_fen": batch.total_fen, "freed_failures": sorted(freed)})
    return batch


def _claim(session: Session, batch: DisbursementBatch) -> None:
    rows = session.execute(select(Entitlement.id, Entitlement.programme_id, Entitlement.period, Entitlement.child_id,
                                  Entitlement.carried_from_id)
                           .where(Entitlement.batch_id == batch.id, Entitlement.state == EntitlementState.listed)).all()
    fresh = [{"programme_id": r.programme_id, "period": r.period, "child_id": r.child_id, "entitlement_id": r.id}
             for r in rows if r.carried_from_id is None]
    try:
        with session.begin_nested():
            for start in range(0, len(fresh), 2000):
                session.execute(insert(DisbursementClaim), fresh[start : start + 2000])
    except IntegrityError:
        raise Conflict(_l("A child in this batch has already been paid for this period: list the batch again.")) from None
    for r in rows:
        if r.carried_from_id is None:
            continue
        # The failed row's claim passes to the row carrying it, once: a second batch carrying the
        # same failure finds the claim already moved.
        moved = session.execute(update(DisbursementClaim).where(
            DisbursementClaim.entitlement_id == r.carried_from_id).values(entitlement_id=r.id)).rowcount
        if moved != 1:
            raise Conflict(_l("A child in this batch has already been paid for this period: list the batch again."))


def _post(session: Session, actor, programme: Programme, batch: DisbursementBatch) -> None:
    fund_account = ledger.fund_account(session, session.get(Fund, programme.fund_id))
    payable = ledger.system_account(session, AccountPurpose.disbursements_payable)
    now = utcnow()
    for row in session.scalars(select(Entitlement).where(Entitlement.batch_id == batch.id,
                                                         Entitlement.state == EntitlementState.listed)):
        txn = ledger.post(session, actor, TransactionKind.disbursement,
                          [(fund_account, row.amount_fen), (payable, -row.amount_fen)],
                          memo=f"{programme.name_zh} {row.period}", reference=f"disbursement:{row.id}")
        row.state, row.disbursement_txn_id, row.changed_by_id, row.changed_at = (
            EntitlementState.approved, txn.id, actor.id, now)
    session.flush()


# --- payments -------------------------------------------------------------------------------------


def load_entitlement(session: Session, actor, entitlement_id) -> tuple[Entitlement, DisbursementBatch]:
    """An entitlement whose payments the actor may record (an approver over its batch)."""
    row = session.get(Entitlement, entitlement_id) if isinstance(entitlement_id, int) else None
    batch = session.get(DisbursementBatch, row.batch_id) if row else None
    if batch is None or not access.allowed(actor, "disbursements.approve", batch):
        raise NotFound(_l("This payment does not exist."))
    return row, batch


def _payable(session: Session, actor, row: Entitlement, state: EntitlementState) -> DisbursementBatch:
    batch = session.get(DisbursementBatch, row.batch_id)
    access.require(actor, "disbursements.approve", batch)
    locked = session.scalar(select(Entitlement.state).where(Entitlement.id == row.id).with_for_update())
    if locked != state:
        raise Conflict(_l("This payment has already been recorded."))
    return batch


def record_paid(session: Session, actor, row: Entitlement, bank_reference: str) -> Entitlement:
    """The bank paid it: payable → bank in the ledger, the bank's reference kept. A medical-aid
    payment that answers a need resolves the need inside government, with the payment as how.
    Refuses no reference, and a row not approved or already recorded."""
    reference = (bank_reference or "").strip()[:64]
    if not reference:
        raise DomainError(_l("Enter the bank's reference of the payment."), field="reference")
    batch = _payable(session, actor, row, EntitlementState.approved)
    txn = ledger.post(session, actor, TransactionKind.disbursement_paid,
                      [(ledger.system_account(session, AccountPurpose.disbursements_payable), row.amount_fen),
                       (ledger.system_account(session, AccountPurpose.bank), -row.amount_fen)],
                      memo=reference, reference=f"payment:{row.id}")
    row.state, row.payment_txn_id, row.bank_reference = EntitlementState.paid, txn.id, reference
    row.changed_by_id, row.changed_at = actor.id, utcnow()
    session.flush()
    record(session, actor, "disbursement.paid", "disbursement_entitlement", row.id, region_code=row.region_code,
           detail={"batch": batch.id, "child": row.child_id, "amount_fen": row.amount_fen, "reference": reference})
    if row.need_id is not None:
        from portal.disbursements.medical import resolve_need

        resolve_need(session, actor, row)
    return row


def record_failed(session: Session, actor, row: Entitlement, reason: str) -> Entitlement:
    """The bank could not pay it: the entitlement's disbursement is reversed (the money is back in
    the fund) and the child is carried into the programme's next batch. Refuses no reason, and a
    row not approved or already recorded."""
    reason = _reason(reason)
    batch = _payable(session, actor, row, EntitlementState.approved)
    ledger.reverse(session, actor, session.get(LedgerTransaction, row.disbursement_txn_id), f"bank: {reason}")
    row.state, row.failure_reason, row.changed_by_id, row.changed_at = EntitlementState.failed, reason, actor.id, utcnow()
    session.flush()
    record(session, actor, "disbursement.failed", "disbursement_entitlement", row.id, region_code=row.region_code,
           detail={"batch": batch.id, "child": row.child_id, "amount_fen": row.amount_fen, "reason": reason})
    return row


def reverse_payment(session: Session, actor, row: Entitlement, reason: str) -> Entitlement:
    """A paid payment taken back (paid in error, returned by the bank): the payment and the
    disbursement are both reversed in the ledger, so the fund holds the money again. The child
    stays claimed for the period. Refuses no reason and a row not paid."""
    reason = _reason(reason)
    batch = _payable(session, actor, row, EntitlementState.paid)
    ledger.reverse(session, actor, session.get(LedgerTransaction, row.payment_txn_id), reason)
    ledger.reverse(session, actor, session.get(LedgerTransaction, row.disbursement_txn_id), reason)
    row.state, row.failure_reason, row.changed_by_id, row.changed_at = EntitlementState.reversed, reason, actor.id, utcnow()
    session.flush()
    record(session, actor, "disbursement.reversed", "disbursement_entitlement", row.id, region_code=row.region_code,
           detail={"batch": batch.id, "child": row.child_id, "amount_fen": row.amount_fen, "reason": reason})
    return row


def batches_of(session: Session, actor, programme: Programme) -> list[DisbursementBatch]:
    """The programme's batches, newest first, for those who run it or approve in its region."""
    stmt = select(DisbursementBatch).where(DisbursementBatch.programme_id == programme.id)
    rows = session.scalars(stmt.order_by(DisbursementBatch.id.desc()).limit(200)).all()
    return [b for b in rows if access.allowed(actor, "disbursements.make", programme)
            or access.allowed(actor, "disbursements.approve", b)]
