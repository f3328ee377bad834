"""Settings, and the refusals that protect a production deployment."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app import create_app
from config import Config, ConfigError


def test_defaults_serve_the_demo(monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL", "APP_ENV", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    conf = Config.from_env()
    assert conf["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert conf["SQLALCHEMY_DATABASE_URI"].endswith("instance/judsup.sqlite3")
    assert conf["REDIS_URL"] is None


def test_environment_wins(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@h/db")
    monkeypatch.setenv("REDIS_URL", "redis://h:6379/1")
    conf = Config.from_env()
    assert conf["SQLALCHEMY_DATABASE_URI"] == "postgresql://x@h/db"
    assert conf["REDIS_URL"] == "redis://h:6379/1"


def test_production_refuses_a_missing_secret(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@127.0.0.1:1/db")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_sqlite(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="SQLite"):
        create_app()


@pytest.fixture
def pg(backend, database):
    if backend != "postgresql":
        pytest.skip("the role checks are about PostgreSQL")
    return database


@pytest.mark.postgres
def test_production_refuses_a_superuser(pg):
    with pytest.raises(ConfigError, match="superuser"):
        create_app(
            {
                "APP_ENV": "production",
                "SECRET_KEY": "s" * 40,
                "SQLALCHEMY_DATABASE_URI": pg["owner"],
            }
        )


@pytest.mark.postgres
def test_production_refuses_a_table_owner(pg):
    owner_role = "judsup_owner_probe"
    admin = sa.create_engine(pg["owner"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS probe_owned; DROP ROLE IF EXISTS {owner_role}"))
        conn.execute(sa.text(f"CREATE ROLE {owner_role} LOGIN"))
        conn.execute(
            sa.text(
                f"CREATE TABLE probe_owned (id int); ALTER TABLE probe_owned OWNER TO {owner_role}"
            )
        )
    url = make_url(pg["owner"]).set(username=owner_role).render_as_string(hide_password=False)
    try:
        with pytest.raises(ConfigError, match="owns 1 tables"):
            create_app(
                {"APP_ENV": "production", "SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": url}
            )
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP TABLE probe_owned; DROP ROLE {owner_role}"))
        admin.dispose()


@pytest.mark.postgres
def test_production_starts_as_the_app_role(pg):
    app = create_app(
        {"APP_ENV": "production", "SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": pg["app"]}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
