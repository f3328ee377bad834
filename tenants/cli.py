"""``flask tenants ...`` and ``flask users ...``: provisioning from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.audit.recorder import Actor, acting_as
from app.auth.passwords import hash_password
from app.db import db
from tenants.models import LEVELS, ORGAN_KINDS, Organ, Tenant
from tenants.provisioning import ProvisioningError, add_organ, add_user, create_tenant
from tenants.scoping import system_scope


def _tenant(code: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.code == code))
    if tenant is None:
        raise click.ClickException(f"没有代码为 {code} 的租户 / no tenant with code {code}")
    return tenant


def _run(fn):
    with system_scope(), acting_as(Actor("cli")):
        try:
            result = fn()
            db.session.commit()
            return result
        except ProvisioningError as err:
            db.session.rollback()
            raise click.ClickException(str(err)) from err


@click.group("tenants")
def tenants_cli() -> None:
    """Provision congresses (tenants) and their organs."""


@tenants_cli.command("create")
@click.option("--code", required=True, help="administrative division code, e.g. 330106")
@click.option("--name", "name_zh", required=True, help="Chinese name, e.g. 西湖区")
@click.option("--name-en", default="")
@click.option("--level", type=click.Choice(LEVELS), required=True)
@click.option("--parent", "parent_code", default=None, help="the parent tenant's code")
@with_appcontext
def create(code, name_zh, name_en, level, parent_code) -> None:
    """Create a tenant below PARENT."""
    tenant = _run(
        lambda: create_tenant(
            db.session, code, name_zh, level, _tenant(parent_code) if parent_code else None, name_en
        )
    )
    click.echo(f"created {tenant.code} {tenant.name_zh} ({tenant.level}) path={tenant.path}")


@tenants_cli.command("add-organ")
@click.argument("code")
@click.option("--kind", type=click.Choice(tuple(ORGAN_KINDS)), required=True)
@click.option("--name", "name_zh", required=True)
@click.option("--name-en", default="")
@with_appcontext
def add_organ_command(code, kind, name_zh, name_en) -> None:
    """Add an organ to tenant CODE."""
    organ = _run(lambda: add_organ(db.session, _tenant(code), kind, name_zh, name_en))
    click.echo(f"organ {organ.id} {organ.name_zh} ({organ.kind})")


@tenants_cli.command("grant-raw")
@click.argument("code")
@click.option("--revoke", is_flag=True)
@with_appcontext
def grant_raw(code: str, revoke: bool) -> None:
    """Let ancestors of CODE read its raw submissions (or stop them with --revoke)."""

    def change():
        tenant = _tenant(code)
        tenant.raw_readable_by_ancestors = not revoke
        return tenant

    tenant = _run(change)
    click.echo(f"{tenant.code} raw_readable_by_ancestors={tenant.raw_readable_by_ancestors}")


@click.group("users")
def users_cli() -> None:
    """Provision users."""


@users_cli.command("create")
@click.argument("code")
@click.option("--username", required=True)
@click.option("--role", required=True)
@click.option("--organ", "organ_id", type=int, default=None, help="organ id, for organ users")
@click.option("--name", "display_name", default="")
@click.password_option()
@with_appcontext
def create_user(code, username, role, organ_id, display_name, password) -> None:
    """Create a user in tenant CODE."""

    def make():
        tenant = _tenant(code)
        organ = db.session.get(Organ, organ_id) if organ_id else None
        return add_user(
            db.session, tenant, username, role, hash_password(password), display_name, organ
        )

    user = _run(make)
    click.echo(f"user {user.username} ({user.role}) in {code}")
