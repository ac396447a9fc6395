"""``flask --app app ledger-check``: every invariant of the ledger, now; exit 0 only when all hold."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from portal import db
from portal.ledger.rules import check, format_fen


@click.command("ledger-check")
@with_appcontext
def ledger_check() -> None:
    """Check the ledger: readable lines, then, on the last line, the report as one JSON object."""
    session = db.new_session()
    try:
        report = check(session)
    finally:
        session.close()
    click.echo(f"transactions: {report['transactions']}, legs: {report['entries']}, funds: {report['funds']}")
    for f in report["fund_figures"]:
        click.echo(f"fund {f['fund']}: received {format_fen(f['received'])}, refunded {format_fen(f['refunded'])}, "
                   f"disbursed {format_fen(f['disbursed'])}, balance {format_fen(f['balance'])} CNY")
    for problem in report["problems"]:
        click.echo(f"VIOLATION [{problem['check']}] {problem['message']}")
    click.echo(f"checks run: {', '.join(report['checks'])}; violations: {report['violations']}")
    click.echo(json.dumps(report, ensure_ascii=False, sort_keys=True))
    if report["violations"]:
        raise SystemExit(1)
