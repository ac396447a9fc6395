"""Flask-Login wiring: signing a user in with a server-side session, loading them from it."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask import session as cookie
from flask_babel import lazy_gettext as _l
from flask_login import login_user

from portal import db
from portal.accounts import rules, sessions
from portal.accounts.models import User
from portal.extensions import login_manager
from portal.types import utcnow


def sign_in(user: User) -> None:
    """Start a new server-side session for ``user`` (who has just proven who they are) and put its
    token in a fresh cookie: nothing chosen before, or planted by someone else, survives, except
    the language chosen on the way in, which becomes the account's (a volunteer who registered in
    English is not switched back to Chinese by signing in)."""
    chosen = cookie.get("lang")
    with db.write_session() as writing:  # its own short transaction: the route's has committed
        token = sessions.start(writing, user, address=request.remote_addr or "",
                               user_agent=request.user_agent.string)
        if chosen in current_app.config["LANGUAGES"] and chosen != user.locale:
            rules.set_locale(writing, writing.get(User, user.id), chosen)
            user.locale = chosen
    cookie.clear()
    user._session_token = token
    login_user(user)
    cookie.permanent = True


def load_user(token: str) -> User | None:
    if request.method in db.READ_METHODS and db.sees_later_commits(db.session()):
        # A request that only reads asks on its own session: one connection, one transaction. Not
        # on SQLite, where that would fix the page's snapshot before the view's side transactions
        # commit (a file's read log would not show the read the page itself just wrote).
        found = sessions.find_active(db.session(), token)
        if found is None:
            return None
        record, user = found
    else:
        # Otherwise it asks on a short read session of its own, then attaches the user to
        # its session without a query: it must not take SQLite's write lock just to learn who is
        # asking, before its view has audited the reads it makes in their own transactions.
        with db.new_session() as reading:
            found = sessions.find_active(reading, token)
            if found is None:
                return None
            record, user = found
            reading.expunge_all()
        user = db.session().merge(user, load=False)
    config = current_app.config
    if sessions.idle_too_long(record, user, config["STAFF_IDLE_MINUTES"], utcnow(), config["PERMANENT_SESSION_LIFETIME"]):
        g.idle_session_id = record.id  # ``security.enforce_idle_timeout`` ends it and says why
        return None
    g.user_session = record
    user._session_token = token
    return user


def current_session_id() -> int | None:
    """The id of the session record of this request's user, if signed in."""
    record = g.get("user_session")
    return record.id if record is not None else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # Flask-Login's own "session protection" is off: the server-side session record is the
    # protection. In "basic" mode it wrote ``_fresh`` into every anonymous cookie on its next
    # request, so a slow fragment request (a region suggestion still in flight while the form was
    # submitted) answered after the sign-in and put the anonymous cookie back over the new one.
    login_manager.session_protection = None
