"""``flask --app app matching-export DIR`` and ``flask --app app matching-train``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal import db
from portal.matching import export, service


@click.command("matching-export")
@click.argument("directory", type=click.Path(file_okay=False))
@with_appcontext
def matching_export(directory: str) -> None:
    """Write the recommender's exchange files (regions, needs, helpers, interactions) into DIRECTORY."""
    session = db.new_session()
    try:
        done = export.export(session, directory)
    finally:
        session.close()
    for name, count in done.counts.items():
        click.echo(f"{name}: {count} rows")


@click.command("matching-train")
@with_appcontext
def matching_train() -> None:
    """Train the recommender on the portal's data now and swap its model file."""
    summary = service.retrain()
    if summary["model"] is None:
        click.echo("nothing to train on: no needs or no helpers yet")
        return
    click.echo(f"{summary['model']} fitted on {summary['needs']} needs, {summary['helpers']} helpers and "
               f"{summary['interactions']} interactions; saved to {summary['path']}")
