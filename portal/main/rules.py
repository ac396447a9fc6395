"""Home page and health: the navigation each user gets, and the state load balancers ask for."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text
from sqlmodel import Session

from portal import access
from portal.main.models import WorkerHeartbeat
from portal.types import utcnow


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    rule: str


# Every entry of the navigation, in order; each is shown to whoever passes its access rule, so
# navigation and permissions can never disagree. Later areas add their entries here.
NAVIGATION = [
    NavItem("main.home", _l("Home"), "signed_in"),
    NavItem("children.index", _l("Children"), "children.list"),
    NavItem("visits.overdue", _l("Overdue visits"), "children.list"),
    NavItem("visits.policy", _l("Visit intervals"), "visits.policy"),
    NavItem("regions.browse", _l("Regions"), "regions.view"),
    NavItem("dashboards.home", _l("Dashboard"), "dashboards.view"),
    NavItem("needs.index", _l("Needs"), "needs.list"),
    NavItem("needs.board_page", _l("Needs board"), "signed_in"),
    NavItem("clues.index", _l("Clues"), "clues.list"),
    NavItem("needs.my_claims", _l("My claims"), "needs.claim"),
    NavItem("helpers.staff_list", _l("Volunteers and donors"), "helpers.manage"),
    NavItem("helpers.org_list", _l("Organizations"), "orgs.view"),
    NavItem("helpers.profile", _l("My profile"), "helpers.self"),
    NavItem("helpers.certificates", _l("My certificates"), "helpers.volunteer"),
    NavItem("helpers.my_hours", _l("My service hours"), "hours.mine"),
    NavItem("helpers.my_organization", _l("My organization"), "orgs.member"),
    NavItem("helpers.hours_pending", _l("Hours to approve"), "hours.decide"),
    NavItem("accounts.index", _l("Accounts"), "accounts.manage"),
    NavItem("accounts.resets_to_confirm", _l("Password resets to confirm"), "accounts.confirm_reset"),
    NavItem("audit.search", _l("Audit log"), "audit.search"),
    NavItem("donations.staff_list", _l("Gifts"), "donations.manage"),
    NavItem("programmes.index", _l("Programmes"), "programmes.manage"),
    NavItem("disbursements.index", _l("Disbursements"), "disbursements.approve"),
    NavItem("comparisons.index", _l("Partner-list comparison"), "comparisons.view"),
    NavItem("donations.my_gifts", _l("My gifts"), "donations.mine"),
    NavItem("ledger.check_page", _l("Ledger check"), "ledger.check"),
    NavItem("training.index", _l("Training"), "training.manage"),
    NavItem("training.coverage", _l("Training coverage"), "training.coverage"),
    NavItem("training.mine", _l("My training"), "training.mine"),
    NavItem("notifications.index", _l("Notices"), "signed_in"),
    NavItem("accounts.me", _l("My account"), "signed_in"),
]


def navigation_for(user) -> list[NavItem]:
    return [item for item in NAVIGATION if access.allowed(user, item.rule)]


def record_heartbeat(session: Session, name: str | None = None) -> datetime:
    """Mark worker ``name`` (default: this host) alive now."""
    name = name or f"worker@{socket.gethostname()}"
    beat = session.get(WorkerHeartbeat, name)
    now = utcnow()
    if beat is None:
        session.add(WorkerHeartbeat(name=name, seen_at=now))
    else:
        beat.seen_at = now
    return now


def health(session: Session, schema_problem: str | None) -> tuple[dict, bool]:
    """The portal's health as JSON-ready data, and whether it can serve requests."""
    report: dict = {"database": "ok", "schema": "ok", "worker_last_seen": None}
    try:
        session.execute(text("SELECT 1"))
    except Exception as exc:
        report["database"] = f"error: {exc.__class__.__name__}"
        report["status"] = "error"
        return report, False
    if schema_problem:
        report["schema"] = schema_problem
    else:
        last = session.scalar(select(func.max(WorkerHeartbeat.seen_at)))
        report["worker_last_seen"] = last.isoformat() if last else None
    ok = schema_problem is None
    report["status"] = "ok" if ok else "error"
    return report, ok
