"""Labels of the clues area's codes, in both languages."""

from flask_babel import lazy_gettext as _l

from portal.clues.models import ClueLevel, ClueOutcome, ClueSource, ClueStatus

SOURCE_LABELS = {
    ClueSource.public: _l("Public report form"),
    ClueSource.phone: _l("Telephone call"),
    ClueSource.school: _l("School"),
    ClueSource.police: _l("Police"),
    ClueSource.hospital: _l("Hospital"),
    ClueSource.court: _l("Court"),
    ClueSource.procuratorate: _l("Procuratorate"),
    ClueSource.grid_worker: _l("Grid worker"),
    ClueSource.department: _l("Other department"),
    ClueSource.partner_list: _l("Partner list comparison"),
}

STATUS_LABELS = {
    ClueStatus.received: _l("Waiting to be assigned"),
    ClueStatus.checking: _l("Being checked on site"),
    ClueStatus.closed: _l("Closed"),
}

# What the reporter sees: never more than this.
PUBLIC_STATUS_LABELS = {
    "received": _l("Report received"),
    "checking": _l("Being checked"),
    "handled": _l("Handled"),
}

LEVEL_LABELS = {ClueLevel.town: _l("At the town"), ClueLevel.county: _l("At the county")}

OUTCOME_LABELS = {
    ClueOutcome.new_child: _l("New child registered"),
    ClueOutcome.reassessed: _l("Child on file reassessed"),
    ClueOutcome.transferred: _l("Transferred to a department"),
    ClueOutcome.unfounded: _l("Unfounded"),
}

ACTION_LABELS = {
    "receive": _l("received"),
    "assign": _l("assigned"),
    "auto_escalate": _l("rose to the county after waiting"),
    "urgent_alert": _l("urgent and not acted on for 24 hours: county alerted"),
    "county_overdue": _l("waited too long at the county"),
    "close": _l("closed"),
}

URGENCY_LABELS = {True: _l("Urgent"), False: _l("Not urgent")}

LABELS = dict(source_labels=SOURCE_LABELS, status_labels=STATUS_LABELS, level_labels=LEVEL_LABELS,
              outcome_labels=OUTCOME_LABELS, action_labels=ACTION_LABELS, urgency_labels=URGENCY_LABELS)
