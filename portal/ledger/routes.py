"""The ledger check page: the same report as ``flask ledger-check``, for administrators."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal import access, db
from portal.ledger import bp
from portal.ledger.rules import check, format_fen
from portal.web import render

# What each check proves, in the user's language (the report's own messages stay in English for logs).
CHECK_LABELS = {
    "transactions_balance": _l("Every transaction has two or more legs summing to zero"),
    "transactions_posted": _l("No transaction was left unposted"),
    "reversals_exact": _l("Every reversal exactly undoes one transaction"),
    "fund_identity": _l("For every fund: received − refunded − disbursed = balance"),
    "funds_not_negative": _l("No fund is below zero"),
    "needs_match_ledger": _l("Each money need's raised amount matches its fund"),
}


@bp.app_template_filter("yuan")
def yuan(fen: int) -> str:
    return format_fen(fen)


@bp.route("/check")
@access.route("ledger.check")
def check_page():
    report = check(db.session())
    return render("ledger/check.html", report=report, labels=CHECK_LABELS)
