"""``flask dashboards refresh``: compute the province's and cities' snapshots now (the task does
it every 10 minutes; after loading data, or where no worker runs, this does it at once)."""

from __future__ import annotations

from datetime import date

import click

from portal.dashboards import bp


@bp.cli.command("refresh")
def refresh_command() -> None:
    """Refresh the dashboard snapshots of every province and city."""
    from portal import db
    from portal.dashboards import panels  # noqa: F401  (registers the panels)
    from portal.dashboards.snapshots import refresh_all

    with db.write_session() as session:
        click.echo(f"{refresh_all(session, date.today())} dashboard snapshots refreshed")
