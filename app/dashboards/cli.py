"""``flask --app wsgi dashboards rebuild [--tenant CODE]``: rebuild stored charts (repair)."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from app.audit.recorder import Actor, acting_as
from app.dashboards.jobs import rebuild_all
from app.db import db


@click.group("dashboards")
def dashboards_cli() -> None:
    """Stored dashboards (ECharts options built by jobs)."""


@dashboards_cli.command("rebuild")
@click.option("--tenant", "code", default=None, help="only this tenant")
@with_appcontext
def rebuild(code: str | None) -> None:
    """Rebuild every tenant's dashboards (or one tenant's)."""
    started = time.perf_counter()
    with acting_as(Actor("cli")):
        charts = rebuild_all(db.session, code)
        db.session.commit()
    click.echo(f"charts={charts} in {time.perf_counter() - started:.1f}s")
