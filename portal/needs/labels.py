"""Labels of the needs area's codes, in both languages."""

from flask_babel import lazy_gettext as _l

from portal.categories import NEED_CATEGORY_LABELS
from portal.needs.models import ClaimStatus, DeliveryStatus, NeedKind, NeedStatus

KIND_LABELS = {
    NeedKind.service: _l("Service"),
    NeedKind.goods: _l("Goods"),
    NeedKind.money: _l("Money"),
    NeedKind.pairing: _l("Long-term pairing"),
    NeedKind.activity: _l("Activity for several children"),
}

URGENCY_LABELS = {1: _l("Low"), 2: _l("Medium"), 3: _l("High")}

STATUS_LABELS = {
    NeedStatus.reported: _l("At the village"),
    NeedStatus.at_town: _l("At the town"),
    NeedStatus.at_county: _l("At the county"),
    NeedStatus.published: _l("Published"),
    NeedStatus.claimed: _l("Claimed"),
    NeedStatus.delivered: _l("Delivered"),
    NeedStatus.verified: _l("Verified"),
    NeedStatus.resolved: _l("Resolved by government"),
    NeedStatus.rejected: _l("Rejected"),
    NeedStatus.cancelled: _l("Cancelled"),
    NeedStatus.expired: _l("Expired"),
}

ACTION_LABELS = {
    "report": _l("reported"),
    "escalate": _l("passed up"),
    "auto_escalate": _l("rose by itself after waiting"),
    "county_overdue": _l("waited too long at the county"),
    "resolve": _l("resolved inside government"),
    "reject": _l("rejected"),
    "cancel": _l("cancelled"),
    "publish": _l("published"),
    "claim": _l("claimed"),
    "all_claimed": _l("all places taken"),
    "withdraw": _l("claim withdrawn"),
    "reopen": _l("back on the board"),
    "deliver": _l("delivery reported"),
    "verify": _l("verified and closed"),
    "verify_delivery": _l("delivery verified"),
    "dispute": _l("delivery disputed"),
    "expire": _l("expired"),
    "funded": _l("fully funded"),
    "unfunded": _l("below its target again after a refund"),
    "pairing_report": _l("pairing report"),
    "end_pairing": _l("pairing ended"),
}

CLAIM_STATUS_LABELS = {
    ClaimStatus.active: _l("In progress"),
    ClaimStatus.delivered: _l("Delivery reported"),
    ClaimStatus.verified: _l("Verified"),
    ClaimStatus.withdrawn: _l("Withdrawn"),
}

DELIVERY_STATUS_LABELS = {
    DeliveryStatus.reported: _l("Waiting for verification"),
    DeliveryStatus.verified: _l("Verified"),
    DeliveryStatus.disputed: _l("Disputed"),
}

# Every label of the area, as the templates receive them.
LABELS = dict(category_labels=NEED_CATEGORY_LABELS, kind_labels=KIND_LABELS, status_labels=STATUS_LABELS,
              urgency_labels=URGENCY_LABELS, action_labels=ACTION_LABELS, claim_status_labels=CLAIM_STATUS_LABELS,
              delivery_status_labels=DELIVERY_STATUS_LABELS)
