"""Labels of batch and payment states, in both languages."""

from flask_babel import lazy_gettext as _l

from portal.disbursements.models import BatchState, EntitlementState

BATCH_STATE_LABELS = {
    BatchState.draft: _l("Draft"),
    BatchState.submitted: _l("Waiting for approval"),
    BatchState.awaiting_head: _l("Waiting for the head's approval"),
    BatchState.approved: _l("Approved"),
    BatchState.returned: _l("Sent back unpaid"),
}
ENTITLEMENT_STATE_LABELS = {
    EntitlementState.listed: _l("Listed"),
    EntitlementState.flagged: _l("Documents missing"),
    EntitlementState.approved: _l("Sent to the bank"),
    EntitlementState.paid: _l("Paid"),
    EntitlementState.failed: _l("Failed"),
    EntitlementState.reversed: _l("Reversed"),
    EntitlementState.returned: _l("Sent back unpaid"),
}
