"""Tongxin (童心): the child-needs matchmaking portal. ``create_app`` builds the Flask app."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import ROOT, Config


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    config.require_secrets()
    config.check_giving()
    app = Flask(
        __name__,
        instance_path=config.INSTANCE_PATH,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(config.as_dict())
    app.config["CONFIG"] = config
    if config.PROXY_COUNT:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.PROXY_COUNT, x_proto=config.PROXY_COUNT)

    from portal import crypto, db, errors_web, i18n, migrate, security, tasks
    from portal.extensions import csrf, htmx, limiter

    db.init_app(app)
    migrate.init_app(app)
    crypto.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    tasks.init_app(app)

    from portal.accounts import auth

    auth.init_app(app)
    security.init_app(app)
    errors_web.init_app(app)
    _register_blueprints(app)
    _register_commands(app)
    from portal.matching import service as matching_service

    matching_service.init_app(app)  # the recommender's files, read in the background
    return app


AREAS = ["main", "accounts", "regions", "audit", "children", "visits", "notifications", "helpers", "needs",
         "matching", "ledger", "donations", "programmes", "disbursements", "training", "clues",
         "comparisons", "dashboards"]


def _register_blueprints(app: Flask) -> None:
    import importlib

    for area in AREAS:
        importlib.import_module(f"portal.{area}.routes")  # attaches the views to the blueprint
        app.register_blueprint(importlib.import_module(f"portal.{area}").bp)


def _register_commands(app: Flask) -> None:
    from portal.demo import cli as demo_cli
    from portal.donations.cli import stripe_reconcile
    from portal.ledger.cli import ledger_check
    from portal.matching import cli as matching_cli
    from portal.regions.cli import regions_cli
    from portal.tasks import worker_command

    app.cli.add_command(demo_cli.demo_data)
    app.cli.add_command(demo_cli.demo_logins)
    app.cli.add_command(regions_cli)
    app.cli.add_command(matching_cli.matching_export)
    app.cli.add_command(matching_cli.matching_train)
    app.cli.add_command(worker_command)
    app.cli.add_command(ledger_check)
    app.cli.add_command(stripe_reconcile)
