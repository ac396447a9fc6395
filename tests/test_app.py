"""The application as a whole: configuration, health, headers, error pages, the route-rule check,
the SQLite connection settings and fields encrypted at rest."""

import threading

import pytest
from sqlalchemy import text

from portal import access, create_app, crypto, db
from portal.config import Config, ConfigurationError
from tests.conftest import make_config


def test_production_without_secrets_refuses_to_start(monkeypatch):
    monkeypatch.setenv("TONGXIN_ENV", "production")
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(Config())


def test_production_with_a_short_secret_refuses_to_start(monkeypatch):
    monkeypatch.setenv("TONGXIN_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", "x")
    monkeypatch.setenv("BLIND_INDEX_KEY", "y")
    monkeypatch.setenv("PUBLIC_URL", "https://tongxin.example.org")
    with pytest.raises(ConfigurationError, match="32"):
        create_app(Config())


def test_production_needs_the_public_address_for_links(monkeypatch):
    monkeypatch.setenv("TONGXIN_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", "x")
    monkeypatch.setenv("BLIND_INDEX_KEY", "y")
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    with pytest.raises(ConfigurationError, match="PUBLIC_URL"):
        create_app(Config())


def test_production_cookies_are_secure_by_default(monkeypatch):
    monkeypatch.setenv("TONGXIN_ENV", "production")
    config = Config()
    assert config.SESSION_COOKIE_SECURE and config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["schema"] == "ok"


def test_worker_heartbeat_task_shows_in_healthz(app, client):
    from portal.main.tasks import worker_heartbeat

    assert client.get("/healthz").get_json()["worker_last_seen"] is None
    with app.app_context():
        worker_heartbeat()  # immediate mode in tests: runs now, as the worker would each minute
    assert client.get("/healthz").get_json()["worker_last_seen"] is not None


def test_security_headers_on_every_page(client):
    headers = client.get("/login").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_and_load_htmx_locally(client):
    page = client.get("/login").get_data(as_text=True)
    assert "<script>" not in page and "http://" not in page.split("<body")[0].replace("http://portal.test", "")
    assert '/static/vendor/htmx.min.js' in page


def test_not_found_page_in_chinese(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "该页面不存在" in response.get_data(as_text=True)


def test_every_route_declares_an_access_rule(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and access.rule_of(app.view_functions[rule.endpoint]) is None
    ]
    assert undeclared == []


def test_a_route_without_a_rule_is_refused_not_open(app, client, as_user):
    @app.route("/forgot-to-declare")
    def forgot_to_declare():
        return "children's data"

    as_user("admin")
    response = client.get("/forgot-to-declare")
    assert response.status_code == 403
    assert "children's data" not in response.get_data(as_text=True)


def test_declaring_an_unknown_rule_fails_at_import():
    with pytest.raises(KeyError):
        access.route("no.such.rule")


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(app):
    engine = app.extensions["db_engine"]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_concurrent_read_then_write_transactions_never_see_database_locked(app, regions):
    """Each thread reads a counter then writes it back: with the write lock taken first, every
    increment lands and no thread fails (a deferred transaction would fail with "database is locked")."""
    from portal.regions.models import Region

    if app.extensions["db_engine"].dialect.name != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL rules lock rows with SELECT … FOR UPDATE")
    counter = "410000000000"
    with app.app_context(), db.write_session() as s:
        s.get(Region, counter).name = "0"
    errors: list[Exception] = []

    def bump():
        try:
            for _ in range(10):
                with app.app_context(), db.write_session() as s:
                    region = s.get(Region, counter)  # read …
                    region.name = str(int(region.name) + 1)  # … then write
        except Exception as exc:  # the failure this test is about
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context(), db.new_session() as s:
        assert s.get(Region, counter).name == "40"  # serialised: no lost update


def test_fields_are_encrypted_at_rest_and_keys_rotate(database_url):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app_old = create_app(make_config(database_url, FIELD_ENCRYPTION_KEYS=[old]))
    with app_old.app_context():
        token = crypto.encrypt("370302201001011234")
        assert "370302201001011234" not in token
    app_rotated = create_app(make_config(database_url, FIELD_ENCRYPTION_KEYS=[new, old]))
    with app_rotated.app_context():
        assert crypto.decrypt(token) == "370302201001011234"
        assert crypto.blind_index("3703 0220 1001 011234") == crypto.blind_index("370302201001011234")
    app_other = create_app(make_config(database_url, FIELD_ENCRYPTION_KEYS=[new]))
    with app_other.app_context(), pytest.raises(ValueError):
        crypto.decrypt(token)
