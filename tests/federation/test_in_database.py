"""The "sql" rebuild (one PostgreSQL statement) against the "python" one: on a random
tree with fractional figures — where the order in which floats are added shows in the
last bit — both must store the same roll-ups to the last bit: sums, parts, coverage,
values and the inputs of their ratings, for the whole tree and for a subtree (whose
root's peers are its stored siblings)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app import clock
from app.datamart.models import IndicatorValue
from app.indicators.dictionary import load_dictionary
from federation import engine, in_database
from federation.models import Rollup
from tenants.models import Tenant
from tenants.provisioning import add_organ, create_tenant
from tenants.scoping import system_scope

pytestmark = pytest.mark.postgres

DICTIONARY = load_dictionary()
CODES = ("CT01", "CT03", "CT17", "PR01", "PS03", "JB01")  # rate, average, index, count…
MONTHS = ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05")
YEARS = ("2023", "2024")
KINDS = {
    "city": ("court", "procuratorate", "public_security", "justice_bureau"),
    "district": ("court", "procuratorate", "public_security", "justice_bureau"),
    "township": ("tribunal", "police_station", "justice_office"),
}
NOW = datetime(2025, 7, 10, 3, 0, tzinfo=UTC)


def _figure(rnd: random.Random, code: str) -> dict:
    spec = DICTIONARY.by_code(code)
    if spec.value_kind == "count":
        value = round(rnd.uniform(0, 500), rnd.choice((0, 1, 3)))
        return {"value": value, "numerator": value, "denominator": None}
    if spec.value_kind == "index":
        value = rnd.uniform(50, 100)
        return {"value": value, "numerator": value, "denominator": rnd.uniform(0.1, 30)}
    numerator, denominator = rnd.uniform(0, 900), rnd.uniform(1, 1000)
    return {
        "value": spec.compute_value(numerator, denominator),
        "numerator": numerator,
        "denominator": denominator,
    }


def _tree(session, rnd: random.Random, root: Tenant) -> list[Tenant]:
    """Two or three new cities under ``root``, districts under them, townships under
    some; one organ of each kind (so each tenant's own sums are single figures, summed
    in no particular order by the database either way), fractional figures, gaps."""
    made = []
    for c in range(1, rnd.randint(2, 3) + 1):
        city = create_tenant(session, f"98{c:02d}00", f"测试{c}市", "city", root)
        made.append(city)
        for d in range(1, rnd.randint(3, 7) + 1):
            district = create_tenant(
                session, f"98{c:02d}{d:02d}", f"测试{c}市{d}区", "district", city
            )
            made.append(district)
            for t in range(1, rnd.choice((0, 0, 2, 4)) + 1):
                code = f"98{c:02d}{d:02d}{t:03d}"
                made.append(create_tenant(session, code, f"测试街道{code}", "township", district))
    rows = []
    for tenant in made:
        for kind in KINDS[tenant.level]:
            if rnd.random() < 0.15:
                continue  # no such organ: a subtree that never reports it
            organ = add_organ(session, tenant, kind, f"{tenant.code}{kind}")
            for code in CODES:
                spec = DICTIONARY.by_code(code)
                if not spec.applies_to(tenant.level, organ.family):
                    continue
                for period in MONTHS if spec.period == "month" else YEARS:
                    if rnd.random() < 0.2:
                        continue  # not submitted
                    rows.append(
                        {
                            "tenant_id": tenant.id,
                            "organ_id": organ.id,
                            "indicator_code": code,
                            "period": period,
                            **_figure(rnd, code),
                            "submitted_by": "test",
                        }
                    )
    session.execute(sa.insert(IndicatorValue), rows)
    return made


def _stored(session, tenant_ids) -> dict:
    """Every column but the id, floats by repr (and the JSON's numbers as floats)."""

    def exact(value):
        if isinstance(value, list):
            return [exact(v) for v in value]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return repr(float(value))
        return value

    table = Rollup.__table__
    rows = session.execute(sa.select(table).where(table.c.tenant_id.in_(tenant_ids))).mappings()
    return {
        (r["tenant_id"], r["indicator_code"], r["period"]): {
            k: exact(v) for k, v in r.items() if k not in ("id", "computed_at")
        }
        for r in rows
    }


def _root(session) -> Tenant:
    return session.scalar(sa.select(Tenant).where(Tenant.code == "330000"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_statement_stores_what_python_stores(session, seed):
    with system_scope(), clock.frozen_at(NOW):
        made = _tree(session, random.Random(seed), _root(session))
        ids = [t.id for t in made] + [_root(session).id]
        python = engine.rebuild(session, method="python")
        by_python = _stored(session, ids)
        session.execute(sa.delete(Rollup))
        sql = engine.rebuild(session, method="sql")
        by_sql = _stored(session, ids)
    assert len(by_python) > 100
    assert by_sql.keys() == by_python.keys()
    for key, row in by_python.items():
        assert by_sql[key] == row, key
    assert (sql.rows, sql.parents, dict(sql.colours)) == (
        python.rows,
        python.parents,
        dict(python.colours),
    )
    assert any(row["missing"] for row in by_python.values())  # coverage was exercised
    assert {row["colour"] for row in by_python.values()} >= {"green", "yellow"}


def test_a_subtree_is_rated_against_its_stored_siblings(session):
    with system_scope(), clock.frozen_at(NOW):
        made = _tree(session, random.Random(7), _root(session))
        city = made[0]
        ids = [t.id for t in made if t.path.startswith(city.path)]
        engine.rebuild(session, method="python")
        session.execute(
            sa.update(IndicatorValue)
            .where(IndicatorValue.tenant_id.in_(ids))
            .values(numerator=IndicatorValue.numerator * 0.75)
        )
        engine.rebuild(session, city.code, method="python")
        by_python = _stored(session, ids)
        session.execute(sa.delete(Rollup).where(Rollup.tenant_id.in_(ids)))
        outcome = engine.rebuild(session, city.code, method="sql")
        by_sql = _stored(session, ids)
    assert outcome.root == city.id and len(by_sql) > 20
    assert by_sql == by_python


def test_unchanged_roll_ups_are_not_rewritten(session):
    """A rebuild over the stored rows writes only those that change (a repair after one
    correction rewrites its chain and what reads it, not the country); gone ones are
    deleted."""
    with system_scope():
        made = _tree(session, random.Random(4), _root(session))
        with clock.frozen_at(NOW):
            engine.rebuild(session, method="sql")
        district = next(t for t in made if t.level == "district")
        session.execute(
            sa.update(IndicatorValue)
            .where(IndicatorValue.tenant_id == district.id, IndicatorValue.period == MONTHS[0])
            .values(numerator=IndicatorValue.numerator + 1.5, value=IndicatorValue.value + 1.5)
        )
        session.add(  # a roll-up nothing reports to
            Rollup(
                tenant_id=district.id,
                indicator_code="CT01",
                period="2020-01",
                n_values=1,
                parts=[[1], [1], [1.0], [1.0]],
                missing=[],
                dictionary_version=DICTIONARY.version,
            )
        )
        session.flush()
        later = datetime(2025, 8, 1, tzinfo=UTC)
        with clock.frozen_at(later):
            engine.rebuild(session, method="sql")
        stamps = session.execute(
            sa.select(Rollup.tenant_id, Rollup.period, Rollup.computed_at)
        ).all()
    assert "2020-01" not in {period for _, period, _ in stamps}
    city = {
        at for tenant, period, at in stamps if (tenant, period) == (district.parent_id, MONTHS[0])
    }
    assert later in city  # the city's roll-ups of that month changed
    # no year's roll-up did (the correction was a month's; a month's trend reads months)
    assert {at for _, period, at in stamps if period in YEARS} == {NOW}


def test_a_period_the_statement_does_not_know_is_left_to_python(session):
    """A quarter: the statement's work is rolled back and the Python method runs — and
    fails as it always did on a period without previous_periods."""
    with system_scope(), clock.frozen_at(NOW):
        made = _tree(session, random.Random(5), _root(session))
        organ = session.scalar(
            sa.select(IndicatorValue.organ_id).where(IndicatorValue.tenant_id == made[1].id)
        )
        session.add(
            IndicatorValue(
                tenant_id=made[1].id,
                organ_id=organ,
                indicator_code="PR01",
                period="2025-Q1",
                value=3.0,
                numerator=3.0,
            )
        )
        session.flush()
        specs, version = engine._specs(session)
        tree = engine.load_tree(session, specs.values())
        stored = session.scalar(sa.select(sa.func.count()).select_from(Rollup))
        with pytest.raises(in_database.LeftToPython):
            engine._rebuild_in_database(session, tree, None, specs, version)
        assert session.scalar(sa.select(sa.func.count()).select_from(Rollup)) == stored
        with pytest.raises(ValueError):
            engine.rebuild(session, method="sql")


def test_a_roll_up_stored_meanwhile_elsewhere_means_upserting_all(session, monkeypatch):
    build = in_database.build_statement
    splits = []

    def conflicting(top, bottom, split=True, stored=True):
        splits.append(split)
        if split:
            return "DO $$ BEGIN RAISE unique_violation USING MESSAGE = 'meanwhile'; END $$"
        return build(top, bottom, split, stored)

    with system_scope(), clock.frozen_at(NOW):
        made = _tree(session, random.Random(6), _root(session))
        ids = [t.id for t in made]
        engine.rebuild(session, method="python")
        by_python = _stored(session, ids)
        session.execute(sa.delete(Rollup))
        monkeypatch.setattr(in_database, "build_statement", conflicting)
        engine.rebuild(session, method="sql")
        by_sql = _stored(session, ids)
    assert splits == [True, False]
    assert by_sql == by_python
