"""``flask users create --email`` and ``flask users set-email``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import create_app
from app.auth.models import User
from app.db import db
from tenants.scoping import system_scope
from tests.conftest import TEST_CONFIG
from tests.support.databases import fresh_sqlite, migrate


@pytest.fixture
def runner(tmp_path):
    url = fresh_sqlite(tmp_path)
    migrate(url)
    runner = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url}).test_cli_runner()
    _ok(runner, "tenants", "create", "--code", "330000", "--name", "浙江省", "--level", "province")
    return runner


def _ok(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _create(runner, name, *extra):
    return runner.invoke(
        args=[
            "users",
            "create",
            "330000",
            "--username",
            name,
            "--role",
            "staff",
            "--password",
            "pw-123456",
            *extra,
        ]
    )


def _user(runner, name) -> User:
    with runner.app.app_context(), system_scope():
        return db.session.scalar(sa.select(User).where(User.username == name))


def test_create_with_and_without_an_address(runner):
    assert _create(runner, "with", "--email", " staff@example.org ").exit_code == 0
    assert _create(runner, "without").exit_code == 0
    with_, without = _user(runner, "with"), _user(runner, "without")
    assert with_.email == "staff@example.org" and with_.email_notifications is True
    assert without.email is None and without.email_notifications is True


def test_create_refuses_a_bad_address(runner):
    result = _create(runner, "bad", "--email", "not-an-address")
    assert result.exit_code != 0 and "not a valid e-mail address" in result.output
    assert _user(runner, "bad") is None


def test_set_email_and_opt_out(runner):
    assert _create(runner, "u").exit_code == 0
    out = _ok(runner, "users", "set-email", "u", "u@example.org")
    assert "email=u@example.org notifications=on" in out
    out = _ok(runner, "users", "set-email", "u", "--no-notifications")
    assert "email=u@example.org notifications=off" in out
    assert _user(runner, "u").email_notifications is False
    out = _ok(runner, "users", "set-email", "u", "--clear", "--notifications")
    assert "email=- notifications=on" in out
    assert _user(runner, "u").email is None
    result = runner.invoke(args=["users", "set-email", "nobody", "x@example.org"])
    assert result.exit_code != 0 and "no user nobody" in result.output
