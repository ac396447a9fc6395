"""Partner-list comparison (大数据比对, issue 25): lists from other departments (low-income rolls,
the disabled persons' federation, schools, prisons, hospitals) matched against the registry to
find children not yet covered (政策找人).

Public API: ``rules.save_columns`` (a partner's headings, mapped once), ``rules.accept_list`` (a
list checked and kept, then placed by ``tasks.compare_list``: ``rules.place_list`` and
``rules.store_placed``; ``rules.retry`` after a failure), ``rules.run_comparison`` (all at once),
``rules.confirm_row`` / ``rules.bulk_confirm`` / ``rules.dismiss_row``, ``rules.send_candidate``
(the one place a confirmed new candidate becomes a check on site), ``rules.purge_expired``.
"""

from flask import Blueprint

bp = Blueprint("comparisons", __name__, url_prefix="/comparisons")
