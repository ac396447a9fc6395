"""What users read for the comparisons' codes, in their language."""

from flask_babel import lazy_gettext as _l

from portal.comparisons.models import Meaning, Outcome, RowState, RunStatus

MEANING_LABELS = {
    Meaning.low_income: _l("Low-income family (minimum living allowance or extreme poverty)"),
    Meaning.severe_disability: _l("Severe disability"),
    Meaning.guardian_imprisoned: _l("Guardian imprisoned"),
    Meaning.out_of_school: _l("Out of school"),
    Meaning.hospitalised: _l("Hospitalised or seriously ill"),
    Meaning.orphan: _l("Orphan"),
    Meaning.unsupported: _l("No one in fact raising the child"),
}
OUTCOME_LABELS = {
    Outcome.changed: _l("Matched, with a change"),
    Outcome.unchanged: _l("Matched, no change"),
    Outcome.new: _l("New candidates"),
    Outcome.unmatched: _l("Could not be placed"),
}
STATE_LABELS = {
    RowState.open: _l("To decide"),
    RowState.confirmed: _l("Confirmed"),
    RowState.sent: _l("Sent to the village"),
    RowState.dismissed: _l("Dismissed"),
    RowState.closed: _l("Nothing to decide"),
}
REASON_LABELS = {
    "no_name": _l("no name"),
    "no_birth": _l("no valid birth date or identity number"),
    "outside": _l("lives outside the list's region"),
    "ambiguous": _l("several files fit equally well"),
    "no_village": _l("not on file, and no village of the region could be found in the address"),
    "repeated": _l("the same identity number is on an earlier line"),
}
MATCH_LABELS = {"exact": _l("identity number"), "fuzzy": _l("name and birth date")}
COLUMN_LABELS = {
    "name": _l("Name"),
    "id_number": _l("Identity number"),
    "birth_date": _l("Birth date"),
    "guardian": _l("Guardian"),
    "address": _l("Address"),
    "school": _l("School"),
    "region": _l("Village or region (name or code)"),
}
RUN_STATUS_LABELS = {
    RunStatus.queued: _l("Waiting for its turn"),
    RunStatus.running: _l("Being compared"),
    RunStatus.done: _l("Compared"),
    RunStatus.failed: _l("Failed"),
}
