"""``flask tenants ...`` and ``flask users ...``: provisioning from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.audit.recorder import Actor, acting_as
from app.auth.models import User
from app.auth.passwords import hash_password
from app.db import db
from app.notifications.mail import InvalidAddress, normalise_address
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
@click.option("--email", default=None, help="where notifications are e-mailed (optional)")
@click.password_option()
@with_appcontext
def create_user(code, username, role, organ_id, display_name, email, password) -> None:
    """Create a user in tenant CODE."""
    address = _address(email)

    def make():
        tenant = _tenant(code)
        organ = db.session.get(Organ, organ_id) if organ_id else None
        return add_user(
            db.session,
            tenant,
            username,
            role,
            hash_password(password),
            display_name,
            organ,
            email=address,
        )

    user = _run(make)
    click.echo(f"user {user.username} ({user.role}) in {code}")


@users_cli.command("set-email")
@click.argument("username")
@click.argument("email", required=False, default=None)
@click.option("--clear", is_flag=True, help="remove the address")
@click.option(
    "--notifications/--no-notifications",
    "wanted",
    default=None,
    help="opt the user in to (or out of) e-mailed notifications",
)
@with_appcontext
def set_email(username, email, clear, wanted) -> None:
    """Set (or --clear) USERNAME's e-mail address, and/or opt in or out of mail."""
    if clear and email:
        raise click.UsageError("EMAIL 与 --clear 不能同时使用 / give EMAIL or --clear, not both")
    address = _address(email)

    def change():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"没有用户 {username} / no user {username}")
        if clear or address:
            user.email = address
        if wanted is not None:
            user.email_notifications = wanted
        return user

    user = _run(change)
    click.echo(
        f"user {user.username} email={user.email or '-'} "
        f"notifications={'on' if user.email_notifications else 'off'}"
    )


def _address(raw: str | None) -> str | None:
    try:
        return normalise_address(raw)
    except InvalidAddress as err:
        raise click.BadParameter(str(err), param_hint="EMAIL") from err
