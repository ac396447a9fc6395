"""Migrations apply from an empty database and describe exactly what the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from portal import create_app, migrate
from portal.models import metadata
from tests.conftest import make_config


def test_migrations_apply_from_empty_and_match_the_models(fresh_database_url):
    url = fresh_database_url()
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
        tables = set(inspect(engine).get_table_names())
        assert {"region", "user_account", "audit_entry", "worker_heartbeat"} <= tables
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        engine.dispose()


def test_downgrade_to_empty_and_upgrade_again(fresh_database_url):
    url = fresh_database_url()
    migrate.upgrade(url)
    migrate.command.downgrade(migrate.alembic_config(url), "base")
    engine = create_engine(url)
    assert "user_account" not in inspect(engine).get_table_names()
    migrate.upgrade(url)
    assert "user_account" in inspect(engine).get_table_names()
    engine.dispose()


def test_app_refuses_an_unmigrated_database_with_a_clear_message(fresh_database_url):
    app = create_app(make_config(fresh_database_url()))
    response = app.test_client().get("/login")
    assert response.status_code == 503
    assert "数据库尚未升级到当前版本" in response.get_data(as_text=True)
    health = app.test_client().get("/healthz")
    assert health.status_code == 503
    assert "not migrated" in health.get_json()["schema"]
    app.extensions["db_engine"].dispose()
