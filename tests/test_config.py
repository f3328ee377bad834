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


MAIL_VARIABLES = (
    "MAIL_ENABLED",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_SENDER",
    "MAIL_TIMEOUT",
    "PUBLIC_BASE_URL",
)


def test_mail_is_off_by_default(monkeypatch):
    for name in MAIL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    conf = Config.from_env()
    assert conf["MAIL_ENABLED"] is False
    assert conf["MAIL_PORT"] == 25 and conf["MAIL_TIMEOUT"] == 10
    assert conf["MAIL_USE_TLS"] is False and conf["MAIL_USE_SSL"] is False
    assert conf["MAIL_USERNAME"] is None and conf["MAIL_PASSWORD"] is None
    assert conf["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"


def test_mail_settings_from_the_environment(monkeypatch):
    for name, value in {
        "MAIL_ENABLED": "true",
        "MAIL_SERVER": "smtp.example.org",
        "MAIL_PORT": "587",
        "MAIL_USE_TLS": "1",
        "MAIL_USE_SSL": "no",
        "MAIL_USERNAME": "jd",
        "MAIL_PASSWORD": "s3cret",
        "MAIL_SENDER": "监督平台 <noreply@example.org>",
        "MAIL_TIMEOUT": "30",
        "PUBLIC_BASE_URL": "https://jd.example.org/",
    }.items():
        monkeypatch.setenv(name, value)
    conf = Config.from_env()
    assert conf["MAIL_ENABLED"] is True
    assert (conf["MAIL_SERVER"], conf["MAIL_PORT"]) == ("smtp.example.org", 587)
    assert conf["MAIL_USE_TLS"] is True and conf["MAIL_USE_SSL"] is False
    assert (conf["MAIL_USERNAME"], conf["MAIL_PASSWORD"]) == ("jd", "s3cret")
    assert conf["MAIL_SENDER"] == "监督平台 <noreply@example.org>"
    assert conf["MAIL_TIMEOUT"] == 30
    assert conf["PUBLIC_BASE_URL"] == "https://jd.example.org"


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
