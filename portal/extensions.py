"""Extensions created once and bound to the app in ``create_app`` (microblog's pattern)."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx


def remote_address() -> str:
    return request.remote_addr or "unknown"


babel = Babel()
csrf = CSRFProtect()
htmx = Htmx()
login_manager = LoginManager()
limiter = Limiter(key_func=remote_address, default_limits=[])
