"""Flask-Login wiring: loading the signed-in user from the session."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal import db
from portal.accounts.models import User
from portal.extensions import login_manager


def load_user(session_id: str) -> User | None:
    user_id, _sep, fingerprint = session_id.partition(":")
    if not user_id.isdigit():
        return None
    # Loaded on a short read session of its own, then attached to the request's session without a
    # query: a request that writes must not take SQLite's write lock just to learn who is asking,
    # before its view has audited the reads it makes in their own transactions.
    with db.new_session() as reading:
        user = reading.get(User, int(user_id))
        # A changed password or a deactivated account ends every existing session.
        if user is None or not user.is_active or user.password_hash[-16:] != fingerprint:
            return None
        reading.expunge(user)
    return db.session().merge(user, load=False)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
