"""``flask ratings rebuild``: rate everything again (repair, a new dictionary version)."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.audit.recorder import Actor, acting_as, record
from app.db import db
from app.ratings.engine import Scope
from app.ratings.jobs import rate_and_follow
from app.ratings.policy import ticket_window_start
from tenants.models import Tenant
from tenants.scoping import system_scope


@click.group("ratings")
def ratings_cli() -> None:
    """Three-colour ratings."""


@ratings_cli.command("rebuild")
@click.option("--tenant", "code", default=None, help="only this tenant and its siblings")
@with_appcontext
def rebuild(code: str | None) -> None:
    """Rate every current value (of one tenant's sibling group, or of everyone)."""
    started = time.perf_counter()
    with system_scope(), acting_as(Actor("cli")):
        scope = Scope()
        if code:
            parent = db.session.scalar(sa.select(Tenant.parent_id).where(Tenant.code == code))
            scope = Scope(
                tenant_ids=frozenset(
                    db.session.scalars(sa.select(Tenant.id).where(Tenant.parent_id == parent))
                )
            )
        result = rate_and_follow(db.session, scope, ticket_window_start())
        record(db.session, "ratings.rebuild", "ratings", code or "*", **result)
        db.session.commit()
    click.echo(
        " ".join(f"{k}={v}" for k, v in result.items())
        + f" in {time.perf_counter() - started:.1f}s"
    )
