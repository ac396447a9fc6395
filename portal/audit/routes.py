"""Searching the audit log (county-level staff and above, within their subtree; administrators)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_login import current_user

from portal import access, db
from portal.audit import bp
from portal.audit.rules import AuditFilter, flagged_after_reset, region_to_search
from portal.audit.rules import search as search_entries
from portal.errors import DomainError
from portal.regions.names import path_of, paths_of
from portal.web import Page, page_args, render

EARLIEST, LATEST = date(1970, 1, 1), date(9000, 1, 1)


def _date(name: str) -> date | None:
    """A date filter from the query string; absurd dates (which would overflow) are ignored."""
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None


@bp.route("/")
@access.route("audit.search")
def search():
    session = db.session()
    region_text, error = request.args.get("region", ""), None
    try:
        region = region_to_search(session, current_user, region_text)
    except DomainError as refused:  # another region, or none: said, and nothing shown
        region, error = "", refused
    filters = AuditFilter(
        region=region,
        actor=request.args.get("actor", ""),
        action=request.args.get("action", ""),
        object_type=request.args.get("object_type", ""),
        object_id=request.args.get("object_id", ""),
        date_from=_date("from"),
        date_to=_date("to"),
        after_reset=request.args.get("after_reset") == "1",
    )
    number, per_page = page_args()
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    entries, total = search_entries(session, current_user, filters, number, per_page, tz) if error is None else ([], 0)
    return render(
        "audit/search.html",
        block="results",
        entries=entries,
        flagged=flagged_after_reset(session, entries),
        filters=filters,
        region_text=path_of(session, region) or region_text.strip(),
        region_names=paths_of(session, {e.region_code for e in entries}),
        error=error,
        page=Page(number, per_page, total),
        params={k: v for k, v in request.args.items() if k != "page" and v},
    ), 400 if error else 200
