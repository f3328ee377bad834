"""Provisioning tenants, organs and users from the CLI."""

from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import TEST_CONFIG
from tests.support.databases import fresh_sqlite, migrate


@pytest.fixture
def runner(tmp_path):
    url = fresh_sqlite(tmp_path)
    migrate(url)
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url}).test_cli_runner()


def _ok(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_build_a_small_tree(runner):
    _ok(runner, "tenants", "create", "--code", "330000", "--name", "浙江省", "--level", "province")
    _ok(
        runner,
        "tenants",
        "create",
        "--code",
        "330100",
        "--name",
        "杭州市",
        "--level",
        "city",
        "--parent",
        "330000",
    )
    out = _ok(
        runner,
        "tenants",
        "create",
        "--code",
        "330106",
        "--name",
        "西湖区",
        "--level",
        "district",
        "--parent",
        "330100",
    )
    assert "path=/330000/330100/330106/" in out
    out = _ok(
        runner, "tenants", "add-organ", "330106", "--kind", "court", "--name", "西湖区人民法院"
    )
    organ_id = out.split()[1]
    _ok(
        runner,
        "users",
        "create",
        "330106",
        "--username",
        "xh-court",
        "--role",
        "organ",
        "--organ",
        organ_id,
        "--password",
        "pw-123456",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--code", "abc", "--name", "x", "--level", "province"], "division code"),
        (["--code", "330100", "--name", "杭州市", "--level", "city"], "level must be province"),
    ],
)
def test_bad_tenants_are_refused(runner, args, message):
    result = runner.invoke(args=["tenants", "create", *args])
    assert result.exit_code != 0 and message in result.output


def test_township_organ_kinds_only_at_townships(runner):
    _ok(runner, "tenants", "create", "--code", "330000", "--name", "浙江省", "--level", "province")
    result = runner.invoke(
        args=["tenants", "add-organ", "330000", "--kind", "tribunal", "--name", "x"]
    )
    assert result.exit_code != 0 and "no organ of kind tribunal" in result.output


def test_organ_user_needs_an_organ(runner):
    _ok(runner, "tenants", "create", "--code", "330000", "--name", "浙江省", "--level", "province")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "330000",
            "--username",
            "u",
            "--role",
            "organ",
            "--password",
            "pw-123456",
        ]
    )
    assert result.exit_code != 0 and "exactly one organ" in result.output
