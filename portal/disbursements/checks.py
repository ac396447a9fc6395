"""The disbursements' check in ``ledger-check``: every entitlement's state is what the ledger holds
for it — approved: its disbursement posted and standing; paid: its payment too; failed: its
disbursement reversed; reversed: both reversed — each for the entitlement's amount, to the fen."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from portal.disbursements.models import Entitlement, EntitlementState
from portal.ledger.checks import Problem, ledger_check
from portal.ledger.models import Account, AccountPurpose, Entry, LedgerTransaction

# For each state: (disbursement standing?, payment standing?); None: there is no such posting.
EXPECTED = {
    EntitlementState.approved: (True, None),
    EntitlementState.paid: (True, True),
    EntitlementState.failed: (False, None),
    EntitlementState.reversed: (False, False),
}


@ledger_check("disbursements_match_ledger")
def disbursements_match_ledger(session: Session) -> list[Problem]:
    rows = session.execute(select(Entitlement.id, Entitlement.state, Entitlement.amount_fen,
                                  Entitlement.disbursement_txn_id, Entitlement.payment_txn_id)
                           .where(Entitlement.state.in_(list(EXPECTED)))).all()
    if not rows:
        return []
    reversed_ids = set(session.scalars(select(LedgerTransaction.reverses_id)
                                       .where(LedgerTransaction.reverses_id.is_not(None))))
    # What each posting put on disbursements payable: +amount for a payment, -amount for a disbursement.
    legs = dict(session.execute(select(Entry.transaction_id, Entry.amount_fen)
                                .join(Account, Account.id == Entry.account_id)
                                .where(Account.purpose == AccountPurpose.disbursements_payable)).all())
    problems = []
    for entitlement_id, state, amount, disbursed, paid in rows:
        standing_disbursement, standing_payment = EXPECTED[EntitlementState(state)]
        wrong = (disbursed is None or legs.get(disbursed) != -amount
                 or (disbursed not in reversed_ids) != standing_disbursement)
        if standing_payment is None:
            wrong = wrong or paid is not None
        else:
            wrong = wrong or paid is None or legs.get(paid) != amount or (paid not in reversed_ids) != standing_payment
        if wrong:
            problems.append({"entitlement": entitlement_id,
                             "message": f"entitlement {entitlement_id} is {state} but the ledger disagrees"})
    return problems
