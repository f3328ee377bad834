"""``flask --app wsgi db upgrade|downgrade|current|heads``: Alembic, run as the owner."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import current_app
from flask.cli import with_appcontext

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None, app_role: str | None = None) -> AlembicConfig:
    """Migrations run as the owner role (``DATABASE_OWNER_URL``, else ``DATABASE_URL``)
    and grant the app role just enough to read and write rows."""
    conf = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    conf.set_main_option("script_location", str(MIGRATIONS))
    app_conf = current_app.config if url is None else {}
    conf.attributes["url"] = (
        url or app_conf.get("DATABASE_OWNER_URL") or app_conf["SQLALCHEMY_DATABASE_URI"]
    )
    conf.attributes["app_role"] = app_role or (app_conf or {}).get(
        "DATABASE_APP_ROLE", "judsup_app"
    )
    return conf


@click.group("db")
def db_cli() -> None:
    """Database migrations."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    """Migrate the configured database up to REVISION (default head)."""
    _ensure_sqlite_dir(current_app.config["SQLALCHEMY_DATABASE_URI"])
    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def downgrade(revision: str) -> None:
    """Migrate the configured database down to REVISION (default one step)."""
    command.downgrade(alembic_config(), revision)


@db_cli.command("current")
@with_appcontext
def current() -> None:
    """Show the database's revision."""
    command.current(alembic_config())


@db_cli.command("heads")
@with_appcontext
def heads() -> None:
    """Show the head revision(s) of the migration scripts."""
    command.heads(alembic_config())


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
