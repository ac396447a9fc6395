"""Disbursement batches (issue 20, second half): entitlements listed from a programme's enrolled
children, frozen on submission, approved by a second person (and the owning level's head above a
configured total), each child paid at most once per programme per period (``DisbursementClaim``),
payments recorded paid, failed (carried into the next batch) or reversed, bank results imported,
and reports computed from the ledger's postings.

Money moves only through ``portal.ledger.rules.post``/``reverse``: approving posts one
``disbursement`` per entitlement (fund → disbursements payable, reference ``disbursement:<id>``);
a payment posts ``disbursement_paid`` (payable → bank, reference ``payment:<id>``); a failure
reverses the entitlement's disbursement (the money is back in the fund, the child is carried into a
later batch); a reversal reverses the payment and the disbursement.
"""

from flask import Blueprint

bp = Blueprint("disbursements", __name__, url_prefix="/disbursements")
