"""Words for the programmes area's codes, in both languages."""

from flask_babel import lazy_gettext as _l

from portal.programmes.models import EnrolmentState, PeriodType, ProgrammeKind

KIND_LABELS = {
    ProgrammeKind.scholarship: _l("Scholarship"),
    ProgrammeKind.medical_aid: _l("Medical aid"),
    ProgrammeKind.insurance_premium: _l("Insurance premiums"),
    ProgrammeKind.living_allowance: _l("Living allowance"),
    ProgrammeKind.relief: _l("One-off relief"),
}

PERIOD_LABELS = {
    PeriodType.one_off: _l("Once"),
    PeriodType.monthly: _l("Monthly"),
    PeriodType.per_term: _l("Each term"),
    PeriodType.per_year: _l("Each year"),
}

AMOUNT_TYPE_LABELS = {
    "fixed": _l("Fixed per child per period"),
    "share": _l("Share of eligible costs, with a cap"),
    "by_category": _l("Table by category"),
}

STATE_LABELS = {
    EnrolmentState.eligible: _l("Newly eligible, documents to collect"),
    EnrolmentState.enrolled: _l("Enrolled"),
    EnrolmentState.removed: _l("Removed"),
    EnrolmentState.lapsed: _l("No longer eligible"),
}

# How a programme stands on a child's file (``rules.ChildProgramme.standing``).
STANDING_LABELS = {
    "received": _l("Receiving"),
    "pending": _l("Pending: documents to collect"),
    "eligible": _l("Eligible, not enrolled"),
    "removed": _l("Removed"),
    "not_eligible": _l("Not eligible"),
}
