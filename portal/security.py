"""Request-wide protections: security headers, the staff idle timeout, route rules enforced."""

from __future__ import annotations

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal import access, db
from portal.accounts import sessions
from portal.types import utcnow

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


def allow_form_action(response, origin: str):
    """Let the forms of this one page be sent on to ``origin`` (a redirect after the POST counts:
    browsers check form-action on it), e.g. the give form, answered with a redirect to Checkout."""
    response.headers["Content-Security-Policy"] = CSP.replace("form-action 'self'", f"form-action 'self' {origin}")
    return response


def init_app(app: Flask) -> None:
    app.before_request(enforce_idle_timeout)
    app.before_request(enforce_route_rule)
    app.before_request(enforce_password_change)
    app.after_request(add_security_headers)


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user.is_authenticated:
        headers.setdefault("Cache-Control", "no-store")
    # Pages differ between full loads and htmx fragments.
    headers.add("Vary", "HX-Request")
    return response


# Requests the page makes by itself (polls) are not the user's activity: they never move the idle
# clock on, or an open tab would keep a staff session alive for ever.
NOT_ACTIVITY = frozenset({"notifications.badge"})
# Any element that refreshes itself on a timer has an id starting with this (htmx names it in HX-Trigger).
POLL_PREFIX = "poll-"


def is_poll() -> bool:
    return request.endpoint in NOT_ACTIVITY or (request.headers.get("HX-Trigger") or "").startswith(POLL_PREFIX)


def enforce_idle_timeout():
    """Staff and administrator sessions end after STAFF_IDLE_MINUTES without a request: one holds
    children's files, the other manages every account. The clock is the session record's last-seen
    time on the server (``auth.load_user`` refuses an idle session), never anything in the cookie."""
    if request.endpoint in (None, "static"):
        return None
    signed_in = current_user.is_authenticated  # loads the user, and so checks the session record
    idle_id = g.pop("idle_session_id", None)
    if idle_id is not None:
        with db.write_session() as writing:
            sessions.end(writing, idle_id, "idle")
        logout_user()
        session.clear()
        flash(_("You were signed out after %(n)d minutes without activity.", n=current_app.config["STAFF_IDLE_MINUTES"]), "info")
        return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))
    record = g.get("user_session")
    if signed_in and record is not None and not is_poll():
        now = utcnow()
        if sessions.due_for_touch(record, now):
            # Its own short transaction, before the view's begins: it never waits for the view's
            # write lock, and the view never waits for it.
            with db.write_session() as writing:
                sessions.touch(writing, record.id, now)
    return None


def enforce_route_rule():
    """Every route declares an access rule; a route without one is refused, never left open."""
    if request.endpoint is None:
        return None  # routing failed: the 404/405 handler answers
    if request.endpoint == "static":
        return None
    view = current_app.view_functions[request.endpoint]
    name = access.rule_of(view)
    if name is None:
        current_app.logger.error("route %s declares no access rule; refused", request.endpoint)
        abort(403)
    if access.allowed(current_user, name):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    abort(403)


# Routes a user who must change a temporary password can still reach.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"accounts.me", "accounts.change_password", "accounts.logout", "accounts.end_session",
                                       "accounts.end_other_sessions", "main.set_language", "main.healthz"})


def enforce_password_change():
    """A temporary password (new account, reset by staff) must be replaced before anything else."""
    if request.endpoint in (None, "static") or request.endpoint in PASSWORD_CHANGE_ENDPOINTS:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        flash(_("Choose your own password before you continue."), "info")
        return redirect(url_for("accounts.me"))
    return None
