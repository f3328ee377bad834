"""The demo seed through the real CLI: deterministic, the Hangzhou federation complete,
and careful with databases that are not demos."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from app import create_app
from app.datamart.models import IndicatorValue
from app.db import db
from tenants.models import Organ, Tenant
from tenants.scoping import system_scope
from tests.conftest import TEST_CONFIG
from tests.support.databases import fresh_sqlite, migrate


def _seeded_app(tmp_path, name: str, *args: str):
    url = fresh_sqlite(tmp_path, name)
    migrate(url)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--until", "2026-10", *args])
    assert result.exit_code == 0, result.output
    return app, result.output


def _fingerprint(app) -> str:
    with app.app_context(), system_scope():
        rows = db.session.execute(
            sa.select(
                Tenant.code,
                Organ.kind,
                IndicatorValue.indicator_code,
                IndicatorValue.period,
                IndicatorValue.numerator,
                IndicatorValue.denominator,
                IndicatorValue.value,
            )
            .join(Organ, IndicatorValue.organ_id == Organ.id)
            .join(Tenant, IndicatorValue.tenant_id == Tenant.id)
            .order_by(Tenant.code, Organ.kind, IndicatorValue.indicator_code, IndicatorValue.period)
        ).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return _seeded_app(tmp_path_factory.mktemp("seed"), "a.sqlite3")


def test_hangzhou_has_13_districts_with_organs_and_five_years(seeded):
    app, output = seeded
    assert "demo logins" in output and "330106-court" in output
    with app.app_context(), system_scope():
        hangzhou = db.session.scalar(sa.select(Tenant).where(Tenant.code == "330100"))
        districts = hangzhou.children
        assert len(districts) == 13
        assert {d.name_zh for d in districts} >= {"西湖区", "滨江区", "淳安县", "建德市"}
        kinds = db.session.execute(
            sa.select(Organ.tenant_id, sa.func.count()).group_by(Organ.tenant_id)
        ).all()
        counts = dict(kinds)
        assert all(counts[d.id] == 4 for d in districts)
        periods = db.session.scalars(
            sa.select(IndicatorValue.period)
            .distinct()
            .where(
                IndicatorValue.tenant_id == districts[0].id, IndicatorValue.indicator_code == "CT01"
            )
        ).all()
        assert len(periods) == 60 and min(periods) == "2021-11" and max(periods) == "2026-10"


def test_same_seed_same_values(seeded, tmp_path):
    app, _ = seeded
    again, _ = _seeded_app(tmp_path, "b.sqlite3")
    assert _fingerprint(app) == _fingerprint(again)


def test_other_seed_other_values(seeded, tmp_path):
    app, _ = seeded
    other, _ = _seeded_app(tmp_path, "c.sqlite3", "--seed", "7")
    assert _fingerprint(app) != _fingerprint(other)


def test_seed_twice_is_refused_or_a_no_op(seeded):
    app, _ = seeded
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["demo", "seed"])
    assert refused.exit_code != 0 and "already" in refused.output
    assert runner.invoke(args=["demo", "seed", "--if-empty"]).exit_code == 0


def test_refuses_a_database_with_real_tenants(tmp_path):
    url = fresh_sqlite(tmp_path)
    migrate(url)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=["tenants", "create", "--code", "330000", "--name", "浙江省", "--level", "province"]
    )
    assert made.exit_code == 0, made.output
    refused = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert refused.exit_code != 0 and "non-demo" in refused.output
