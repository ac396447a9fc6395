"""Aid programmes and 政策找人 (issue 20, first half).

Public API, for the disbursement batches built on top of it:

* ``models``: ``Programme`` (kind, ``fund_id`` of its ledger fund, ``period_type``, ``amount_rule``,
  ``eligibility``, ``required_documents``, ``owner_region_code``, ``active``) and
  ``ProgrammeEnrolment`` (one row per child and programme: ``state`` eligible / enrolled / removed
  / lapsed, ``reasons`` of the latest evaluation, ``documents`` collected with the invoices' total).
* ``eligibility``: ``evaluate(programme, ChildFacts.of(child, eligible_costs_fen), on_date)`` →
  ``Verdict(eligible, reasons, amount_fen)``, ``Verdict.explain()`` in the current language;
  ``amount_for(rule, facts)``; ``eligible_children(session, programme, on_date)`` over the owning
  region; ``check_eligibility`` / ``check_amount_rule`` / ``check_documents`` validate the data.
* ``rules``: ``create_programme`` / ``update_programme`` (acting user first), ``load_programme``,
  ``add_child`` / ``remove_child`` / ``enrol`` (audited), ``listed(session, actor, programme,
  state)``, ``for_child``.
* ``finding`` (政策找人): ``find_eligible(session, programme, on_date)``, ``reevaluate_children``
  (connected to the children area's ``files_changed``), ``sweep`` (the morning task).

A batch pays enrolled children (state ``enrolled``) whose ``evaluate`` is eligible on the period's
date, the amount from ``Verdict.amount_fen`` (for a share of costs, pass the invoices' total from
``ProgrammeEnrolment.documents["hospital_invoices_fen"]``), out of ``Programme.fund_id``.
"""

from flask import Blueprint

bp = Blueprint("programmes", __name__, url_prefix="/programmes")
