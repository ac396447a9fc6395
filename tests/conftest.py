"""Fixtures every test builds on: a migrated database (SQLite, or PostgreSQL when
TONGXIN_TEST_DATABASE_URL is set), the app, a client, a small region tree, one user per role."""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from html.parser import HTMLParser

# Before anything imports the portal: tests never touch a developer's instance folder.
_INSTANCE = tempfile.mkdtemp(prefix="tongxin-test-")
os.environ["TONGXIN_INSTANCE"] = _INSTANCE
os.environ["TONGXIN_ENV"] = "testing"
os.environ["HUEY_IMMEDIATE"] = "1"

import pytest  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from portal import create_app, migrate  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.passwords import hash_password  # noqa: E402
from portal.accounts.roles import Role  # noqa: E402
from portal.config import Config  # noqa: E402
from portal.extensions import limiter  # noqa: E402
from portal.models import metadata  # noqa: E402
from portal.regions.models import Level, Region  # noqa: E402

PASSWORD = "correct horse battery"


def pytest_report_header(config):
    return f"database: {_database_url().split('?')[0]}"


def _database_url() -> str:
    return os.environ.get("TONGXIN_TEST_DATABASE_URL") or f"sqlite:///{_INSTANCE}/test.db"


@pytest.fixture(scope="session")
def database_url() -> str:
    url = _database_url()
    migrate.upgrade(url)
    return url


def make_config(database_url: str, **overrides) -> Config:
    settings = dict(
        SQLALCHEMY_DATABASE_URI=database_url,
        HUEY_IMMEDIATE=True,
        SECRET_KEY="test-secret-key-" + "x" * 32,
        SESSION_COOKIE_SECURE=False,
        MAIL_SERVER=None,
        PUBLIC_URL="https://portal.test",
    )
    settings.update(overrides)
    return Config(**settings)


@pytest.fixture
def app(database_url):
    app = create_app(make_config(database_url))
    limiter.reset()
    yield app
    _empty_tables(app.extensions["db_engine"])
    app.extensions["db_engine"].dispose()


def _empty_tables(engine) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # A test that leaks an open transaction would make TRUNCATE wait for ever: fail instead.
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            # Triggers refuse deleting what must never be deleted (ledger legs): lift them for the
            # emptying only, inside the same transaction (SQLite's schema changes are transactional).
            triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
            for name, _sql in triggers:
                conn.execute(text(f'DROP TRIGGER "{name}"'))
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
            for _name, sql in triggers:
                conn.execute(text(sql))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    """A database session outside any request, as rules are called from tests."""
    from portal import db

    with app.app_context():
        s = db.new_session(write=True)
        yield s
        s.close()


# --- a small region tree -------------------------------------------------------------------------

TREE = [
    ("370000000000", None, Level.province, "山东省"),
    ("371300000000", "370000000000", Level.city, "临沂市"),
    ("371302000000", "371300000000", Level.county, "兰山区"),
    ("371302105000", "371302000000", Level.town, "义堂镇"),
    ("371302105259", "371302105000", Level.village, "屠苏村村民委员会"),
    ("371302105260", "371302105000", Level.village, "颐顺园村村民委员会"),
    ("371302101000", "371302000000", Level.town, "白沙埠镇"),
    ("371302101201", "371302101000", Level.village, "白沙埠村村民委员会"),
    ("371311000000", "371300000000", Level.county, "罗庄区"),
    ("371311001000", "371311000000", Level.town, "罗庄街道"),
    ("371311001001", "371311001000", Level.village, "罗庄社区居民委员会"),
    ("410000000000", None, Level.province, "河南省"),
]

ROLE_USERS = {
    "admin": (Role.admin, None),
    "city": (Role.civil_affairs, "371300000000"),
    "county": (Role.civil_affairs, "371302000000"),
    "county2": (Role.civil_affairs, "371311000000"),
    "town": (Role.child_supervisor, "371302105000"),
    "village": (Role.child_director, "371302105259"),
    "village2": (Role.child_director, "371302105260"),
    "org": (Role.org_member, None),
    "volunteer": (Role.volunteer, None),
    "donor": (Role.donor, None),
}


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once for all test users


@pytest.fixture
def regions(app):
    from portal import db

    with app.app_context(), db.write_session() as s:
        for code, parent, level, name in TREE:
            s.add(Region(code=code, parent_code=parent, level=level, name=name))
    return {code: name for code, *_rest, name in TREE}


@pytest.fixture
def users(app, regions, password_hash) -> dict[str, User]:
    """One active user per role, named by the keys of ROLE_USERS, all with password PASSWORD."""
    from portal import db

    made = {}
    with app.app_context(), db.write_session() as s:
        for key, (role, region) in ROLE_USERS.items():
            user = User(username=key, display_name=f"Test {key}", password_hash=password_hash, role=role,
                        region_code=region, email=f"{key}@example.org")
            s.add(user)
            made[key] = user
    return made


# --- helpers for requests ----------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client, path: str = "/") -> str:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def post(client, path: str, data: dict | None = None, **kwargs):
    """POST a form the way a browser does: with the CSRF token of the current session."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(path, data=data, **kwargs)


class _FormReader(HTMLParser):
    """The fields of the first ``<form>`` whose action is ``action`` ("" = the page's own URL), as
    a browser submits them when nothing is changed."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.found = action, False, False
        self.fields: list[tuple[str, str]] = []
        self.textarea: list | None = None
        self.select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.found and (a.get("action") or "") == self.action:
            self.inside = self.found = True
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "image", "file", "reset"):
                self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in a, "options": [], "chosen": []}
        elif tag == "option" and self.select is not None:
            value = a.get("value") or ""
            self.select["options"].append(value)
            if "selected" in a:
                self.select["chosen"].append(value)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea[0], re.sub(r"^\r?\n", "", self.textarea[1])))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"] or ([] if self.select["multiple"] else self.select["options"][:1])
            self.fields.extend((self.select["name"], v) for v in chosen)
            self.select = None


def form_on(page: str, action: str = "") -> MultiDict:
    """What the browser posts for the form on ``page`` that goes to ``action``, left unchanged."""
    reader = _FormReader(action)
    reader.feed(page)
    assert reader.found, f"no form posting to {action or 'the page itself'}"
    return MultiDict(reader.fields)


@pytest.fixture
def as_user(client, users):
    """Sign the test client in as one of the role users: ``as_user("county")``."""

    def sign_in(key: str):
        response = login(client, key)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


@contextmanager
def count_statements(app):
    """Count the SQL statements run inside the block (to prove list pages have no N+1)."""
    engine = app.extensions["db_engine"]
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def statement_counter(app):
    return lambda: count_statements(app)


def fresh_engine(url: str):
    return create_engine(url)


def make_fresh_database(database_url: str) -> str:
    """The URL of a new, empty database on the same backend as ``database_url``."""
    import uuid

    from sqlalchemy.engine import make_url

    name = f"tongxin_fresh_{uuid.uuid4().hex[:10]}"
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{_INSTANCE}/{name}.db"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_fresh_database(new: str, database_url: str) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(new)
    if url.get_backend_name() != "sqlite":
        admin = create_engine(make_url(database_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_database_url(database_url):
    """The URL of a new, empty database on the same backend as the suite; dropped afterwards."""
    made: list[str] = []

    def make() -> str:
        made.append(make_fresh_database(database_url))
        return made[-1]

    yield make
    for new in made:
        drop_fresh_database(new, database_url)


# --- mail ------------------------------------------------------------------------------------------


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on the loopback interface collecting what the portal sends."""
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Collect(Message):
        def __init__(self):
            super().__init__()
            self.messages = []

        def handle_message(self, message):
            self.messages.append(message)

    with socket.socket() as probe:  # a free port on the loopback interface
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield handler.messages
    controller.stop()


# --- children ------------------------------------------------------------------------------------


@pytest.fixture
def make_child(app, regions, users):
    """Register a child through the rules, as the given staff user: ``make_child("village", name=…)``."""
    from datetime import date

    from portal import db
    from portal.children import idnumber
    from portal.children.rules import ChildValues, register_child

    counter = iter(range(1, 1000))

    def make(actor_key: str = "village", **values):
        n = next(counter)
        born = values.pop("birth_date", date(2015, 1, 1 + n % 27))
        gender = values.pop("gender", "male" if n % 2 else "female")
        region = values.pop("region_code", "371302105259")
        number = values.pop(
            "id_number", idnumber.make(region[:6], born, 2 * n + (1 if gender == "male" else 0))
        )
        fields = dict(name=f"测试儿童{n}", gender=gender, birth_date=born, region_code=region,
                      id_number=number, categories=["left_behind"])
        fields.update(values)
        with app.app_context(), db.write_session() as s:
            actor = s.get(User, users[actor_key].id)
            child = register_child(s, actor, ChildValues(**fields), confirmed_not_duplicate=True)
        return child

    return make


# The Stripe test bed (localstripe + the Checkout stand-in): see tests/stripe_fake/fixtures.py.
from tests.stripe_fake.fixtures import (  # noqa: E402, F401
    _stripe_standin_server,
    localstripe,
    stripe_client,
    stripe_settings,
    stripe_standin,
)
