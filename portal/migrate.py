"""Alembic, driven from the app: ``flask --app app db upgrade`` applies every migration.

The app refuses to serve a database whose schema is not at the newest migration: a half-migrated
database would fail later in confusing ways, so requests get a clear 503 and the log says what to run.
"""

from __future__ import annotations

import functools

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app, render_template, request
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import Engine

from portal import db
from portal.config import ROOT

cli = AppGroup("db", help="Database migrations.")


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


@functools.cache  # the migration files do not change while the app runs; /healthz asks each time
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def schema_problem(engine: Engine) -> str | None:
    """None when the schema is at the newest migration, else what is wrong, in words."""
    try:
        current = current_revision(engine)
    except Exception as exc:  # the database itself is unreachable
        return f"database unreachable: {exc.__class__.__name__}"
    head = head_revision()
    if current == head:
        return None
    if current is None:
        return "database is not migrated: run `flask --app app db upgrade`"
    return f"database schema is at {current}, the code needs {head}: run `flask --app app db upgrade`"


def init_app(app: Flask) -> None:
    app.cli.add_command(cli)
    if app.config.get("CHECK_SCHEMA", True):
        app.before_request(_require_migrated_schema)


def _require_migrated_schema():
    """Answer 503 with a clear message while the schema is not at the newest migration."""
    if current_app.extensions.get("schema_ok") or request.endpoint in ("static", "main.healthz"):
        return None
    problem = schema_problem(db.engine())
    if problem:
        current_app.logger.error("refusing requests: %s", problem)
        return render_template("errors/error.html", status=503, title=_("Not ready"), message=_(
            "The database has not been prepared for this version of the portal. "
            "An administrator must run the migrations."
        )), 503
    current_app.extensions["schema_ok"] = True
    return None


@cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def upgrade_command(revision: str) -> None:
    """Apply migrations up to REVISION."""
    upgrade(current_app.config["SQLALCHEMY_DATABASE_URI"], revision)
    click.echo(f"database at {current_revision(db.engine())}")


@cli.command("check")
def check_command() -> None:
    """Exit 1 unless the schema is at the newest migration."""
    problem = schema_problem(db.engine())
    if problem:
        raise click.ClickException(problem)
    click.echo("schema is up to date")


@cli.command("revision")
@click.argument("message")
def revision_command(message: str) -> None:
    """Autogenerate a migration from the models (read it and name it before committing)."""
    command.revision(alembic_config(current_app.config["SQLALCHEMY_DATABASE_URI"]), message, autogenerate=True)
