"""Test databases: a fresh PostgreSQL database migrated as the owner and used as the
app's non-owner role (so row-level security binds the tests too), or a SQLite file."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url

from app.dbcli import alembic_config

APP_ROLE = "judsup_app"


def migrate(url: str, app_role: str = APP_ROLE, revision: str = "head") -> None:
    conf = alembic_config(url=url, app_role=app_role)
    command.upgrade(conf, revision)


def fresh_postgres(admin_url: str, name: str) -> tuple[str, str]:
    """Create database ``name`` anew; return (owner URL, app-role URL)."""
    admin = make_url(admin_url)
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
        ).first()
        if not exists:
            conn.execute(sa.text(f"CREATE ROLE {APP_ROLE} LOGIN"))
        else:
            conn.execute(sa.text(f"ALTER ROLE {APP_ROLE} LOGIN"))
    engine.dispose()
    owner = admin.set(database=name)
    app = owner.set(username=APP_ROLE, password=None)
    return (owner.render_as_string(hide_password=False), app.render_as_string(hide_password=False))


def drop_postgres(admin_url: str, name: str) -> None:
    engine = sa.create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def fresh_sqlite(directory: Path, name: str = "test.sqlite3") -> str:
    path = directory / name
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"
