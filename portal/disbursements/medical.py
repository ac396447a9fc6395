"""Medical aid answering a medical need: the payment resolves the need inside government, through
the needs area's own ``resolve`` (its access rule, its status checks, its event and notices)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from portal.disbursements.models import Entitlement, EntitlementState
from portal.errors import Conflict, DomainError
from portal.ledger.rules import format_fen
from portal.needs import rules as needs
from portal.needs.models import OPEN_STATUSES
from portal.programmes.models import Programme, ProgrammeKind


def answer_need(session: Session, actor, row: Entitlement, need_id: int) -> Entitlement:
    """Mark a medical-aid entitlement as the answer to a medical need of the same child, still
    inside government. Refuses another programme kind, another child's need, a need of another
    category, one already closed or published, and a row already paid or failed."""
    programme = session.get(Programme, row.programme_id)
    if programme.kind != ProgrammeKind.medical_aid:
        raise DomainError(_l("Only medical aid answers a medical need."))
    need = needs.load_need(session, actor, need_id, "needs.act")
    if need.child_id != row.child_id or str(need.category) != "medical":
        raise DomainError(_l("Choose a medical need of the same child."), field="need")
    if need.status not in OPEN_STATUSES:
        raise Conflict(_l("Only a need still inside government is resolved this way."))
    if row.state not in (EntitlementState.listed, EntitlementState.approved):
        raise Conflict(_l("This payment has already been recorded."))
    row.need_id = need.id
    session.flush()
    return row


def resolve_need(session: Session, actor, row: Entitlement) -> None:
    """Called when a payment answering a need is recorded paid."""
    need = needs.load_need(session, actor, row.need_id, "needs.act")
    if need.status not in OPEN_STATUSES:
        return  # solved some other way meanwhile: the payment stands on its own
    programme = session.get(Programme, row.programme_id)
    how = _("Paid by %(programme)s for %(period)s: %(amount)s yuan (bank reference %(reference)s).",
            programme=programme.name_zh, period=row.period, amount=format_fen(row.amount_fen),
            reference=row.bank_reference)
    needs.resolve(session, actor, need, how)
