"""``flask --app wsgi federation rebuild [--tenant CODE]``: recompute roll-ups and common
problems from the raw values (repair; a new dictionary version)."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from app.audit.recorder import Actor, acting_as, record
from app.db import db
from federation import jobs
from tenants.scoping import system_scope


@click.group("federation")
def federation_cli() -> None:
    """Roll-ups and common problems across the tenant tree."""


@federation_cli.command("rebuild")
@click.option("--tenant", "code", default=None, help="only this tenant's subtree")
@with_appcontext
def rebuild(code: str | None) -> None:
    """Recompute every roll-up (of one subtree, or of the whole tree)."""
    started = time.perf_counter()
    with system_scope(), acting_as(Actor("cli")):
        try:
            result = jobs.rebuild(db.session, code)
        except LookupError as err:
            raise click.ClickException(f"没有该租户 / no such tenant: {err}") from err
        record(db.session, "federation.rebuild", "rollups", code or "*", **result)
        db.session.commit()
    click.echo(
        " ".join(f"{k}={v}" for k, v in result.items())
        + f" in {time.perf_counter() - started:.1f}s"
    )
