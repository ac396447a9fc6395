"""``flask --app app stripe-reconcile --since DATE``: Stripe's balance transactions against the ledger."""

from __future__ import annotations

import json
from datetime import datetime

import click
from flask.cli import with_appcontext

from portal import db
from portal.donations import stripe_gateway
from portal.donations.reconcile import reconcile
from portal.donations.rules import RECEIPT_TIMEZONE


@click.command("stripe-reconcile")
@click.option("--since", "since", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="First day (China time) of the balance transactions to compare.")
@with_appcontext
def stripe_reconcile(since: datetime) -> None:
    """Print every difference, then, on the last line, {"checked": …, "differences": …} as JSON;
    exit 1 when there is a difference (or Stripe is not configured or not reachable)."""
    start = since.replace(tzinfo=RECEIPT_TIMEZONE)
    if not stripe_gateway.available():
        click.echo("Stripe is not configured (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET): nothing to compare")
        click.echo(json.dumps({"checked": 0, "differences": None, "since": start.date().isoformat()}))
        raise SystemExit(1)
    session = db.new_session()
    try:
        checked, differences = reconcile(session, start)
    except stripe_gateway.GatewayError as error:
        click.echo(f"Stripe could not be read: {error}")
        click.echo(json.dumps({"checked": 0, "differences": None, "since": start.date().isoformat()}))
        raise SystemExit(1) from None
    finally:
        session.close()
    for line in differences:
        click.echo(f"DIFFERENCE {line}")
    click.echo(f"balance transactions checked: {checked}; differences: {len(differences)}")
    click.echo(json.dumps({"checked": checked, "differences": len(differences), "since": start.date().isoformat()}))
    if differences:
        raise SystemExit(1)
