"""The "sql" rating method (one PostgreSQL statement) against the "python" one (the rules
in :mod:`app.ratings.rules`): on random sibling groups they must store the same rows —
colours and the rules' inputs to the last bit (so that the findings and reasons read
from them are the same too)."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app import clock
from app.datamart.models import IndicatorValue
from app.datamart.periods import deadline_of, previous_periods
from app.indicators.dictionary import Dictionary, load_dictionary
from app.indicators.service import install_version
from app.ratings import engine, in_database
from app.ratings.engine import Scope, rate
from app.ratings.models import INPUTS, Rating
from tenants.models import Tenant, organ_family
from tenants.provisioning import add_organ, create_tenant
from tenants.scoping import system_scope

pytestmark = pytest.mark.postgres

NOW = datetime(2025, 7, 10, 3, 0, tzinfo=UTC)  # 2025-06 and 2025 not due yet, 2025-05 due
MONTHS = [*previous_periods("2025-07", 14), "2025-07"]
YEARS = ["2021", "2022", "2023", "2024", "2025"]
# banded up/down (%, 天, 分钟, a "change" that goes negative), peer-rated (件/人, neutral
# 件), yearly, and the township ones
CODES = [
    *("CT01", "CT02", "CT03", "CT04", "CT05", "CT09", "CT17", "CT18"),
    *("PR01", "PR02", "PR04", "PS03", "PS04", "PS07", "JB01", "JB02", "JB04"),
]
CENTRE = {"%": 90.0, "‰": 900.0, "天": 50.0, "分钟": 12.0, "件/人": 80.0, "件": 900.0, "分": 75.0}
GRAINS = (None, None, 0.001, 0.005, 0.125, 0.5, 1.0, 5.0)  # None: unrounded


def _edited(dictionary: Dictionary) -> Dictionary:
    """The shipped dictionary with what it lacks but the rules handle: a neutral banded
    indicator, names that JSON must escape, a per-mille unit."""
    edits = {
        "CT03": {"direction": "neutral"},
        "CT04": {"name_zh": '改判"发回"率\\', "name_en": 'Rate of "remands" \\ reversals'},
        "CT01": {"unit": "‰", "green": 950.0, "red": 850.0},
    }
    indicators = tuple(replace(s, **edits.get(s.code, {})) for s in dictionary.indicators)
    return replace(dictionary, version=dictionary.version + 1, indicators=indicators)


def _seed(session, world, rnd: random.Random, specs: dict) -> frozenset[int]:
    """Two new cities of districts (and one district's townships) with random values:
    ties, rounding ties at the third decimal, groups with MAD 0 or under five values,
    trends, gaps, missing and NaN values, inactive organs. Returns the new tenants."""
    province = session.get(Tenant, world.tenant_id("330000"))
    tenants, organs = [], []
    for c in (1, 2):
        city = create_tenant(session, f"339{c}00", f"测试{c}市", "city", province)
        tenants.append(city)
        for d in range(1, 8 if c == 1 else 6):
            district = create_tenant(session, f"339{c}{d:02d}", f"测试{c}市{d}区", "district", city)
            tenants.append(district)
            for kind in ("court", "procuratorate", "public_security", "justice_bureau"):
                organs.append((district, add_organ(session, district, kind, f"{d}区{kind}")))
            if c == 1 and d == 1:
                for t in range(1, 7):
                    town = create_tenant(
                        session, f"339101{t:03d}", f"测试街道{t}", "township", district
                    )
                    tenants.append(town)
                    for kind in ("tribunal", "police_station", "justice_office"):
                        organs.append((town, add_organ(session, town, kind, f"{t}街道{kind}")))
    organs[5][1].active = False  # an inactive organ is not missed
    grain = {code: rnd.choice(GRAINS) for code in CODES}
    for tenant, organ in organs:
        family = organ_family(organ.kind)
        for code in CODES:
            spec = specs[code]
            if not spec.applies_to(tenant.level, family):
                continue
            periods = MONTHS if spec.period == "month" else YEARS
            value = CENTRE[spec.unit] * rnd.uniform(0.8, 1.2)
            drift = rnd.choice((-1.0, 0.0, 0.0, 1.0)) * CENTRE[spec.unit] * 0.02
            for period in periods:
                value += drift + rnd.gauss(0, CENTRE[spec.unit] * 0.01)
                if rnd.random() < 0.1:
                    continue  # not submitted: a gap in the history, a grey if due
                session.add(
                    IndicatorValue(
                        tenant_id=tenant.id,
                        organ_id=organ.id,
                        indicator_code=code,
                        period=period,
                        value=_draw(rnd, value, grain[code]),
                    )
                )
    session.flush()
    _special_groups(session, organs)
    return frozenset(t.id for t in tenants)


def _draw(rnd: random.Random, value: float, grain: float | None) -> float | None:
    roll = rnd.random()
    if roll < 0.02:
        return None
    if roll < 0.03:
        return math.nan
    if grain is None:
        return value
    return round(value / grain) * grain


def _special_groups(session, organs) -> None:
    """Values no random draw hits: a z-score exactly at the yellow and red thresholds
    (the 1e-9 the rules forgive), a median that only (a + b) / 2 gets right to the last
    bit, and a MAD so small that z passes 1e12."""
    courts = [organ for tenant, organ in organs if organ.kind == "court"][:7]

    def put(code: str, period: str, values: list[float | None]) -> None:
        for organ, value in zip(courts, values, strict=True):
            session.execute(
                sa.delete(IndicatorValue).where(
                    IndicatorValue.organ_id == organ.id,
                    IndicatorValue.indicator_code == code,
                    IndicatorValue.period == period,
                )
            )
            session.add(
                IndicatorValue(
                    tenant_id=organ.tenant_id,
                    organ_id=organ.id,
                    indicator_code=code,
                    period=period,
                    value=value,
                )
            )
        session.flush()

    # median 96 and MAD 3 (1): the outlier's z comes out as 3.4999999999999987
    # (4.999999999999999), which the rules count as at the threshold
    put("CT02", MONTHS[-3], [93.0, 96.0, 99.0, 96.0, 96.0 - 3.5 * 3 / 0.6745, 99.0, 93.0])
    put("CT09", MONTHS[-3], [95.0, 96.0, 97.0, 96.0, 96.0 - 5.0 / 0.6745, 97.0, 95.0])
    # an even count whose middle values differ in exponent: (a + b) / 2, as Python, is
    # not a + (b - a) / 2 (percentile_cont's) here
    put("CT01", MONTHS[-5], [1.0, 2.0, 4.7800668523641345, 83.21771106309559, 90.0, 95.0, None])
    tiny = 2.0**-40
    put("CT02", MONTHS[-4], [90.0, 90.0 + tiny, 90.0, 90.0 + tiny, 50.0, 90.0, 90.0 + tiny])


def _install_edited(session) -> None:
    install_version(session, _edited(load_dictionary()), b"edited", "test")


def _snapshot(session, tenants: frozenset[int] | None) -> dict:
    """The stored ratings of these tenants (None: all): every column, floats by repr."""
    stmt = sa.select(
        Rating.tenant_id,
        Rating.organ_id,
        Rating.indicator_code,
        Rating.period,
        Rating.revision,
        Rating.value,
        Rating.colour,
        *(getattr(Rating, name) for name in INPUTS),
        Rating.dictionary_version,
        Rating.computed_at,
    )
    if tenants is not None:
        stmt = stmt.where(Rating.tenant_id.in_(tenants))
    return {
        r[:4]: tuple(repr(x) if isinstance(x, float) else x for x in r[4:])
        for r in session.execute(stmt)
    }


def _stale(session) -> None:
    """Mark every rating, so that a row the second method fails to rewrite shows."""
    session.execute(sa.update(Rating).values(colour="grey", median=None, peers=-1))


def _report(report) -> tuple:
    return report.rated, dict(report.colours), sorted(report.keys)


def _both(session, scope: Scope) -> tuple:
    """Rate the scope with the statement into no ratings (all inserted), with the rules
    in Python over them, and with the statement again (all updated in place). The rows
    each stored and the reports."""

    def statement() -> tuple:
        specs = {s.code: s for s in _specs(session)}
        report = engine._rate_in_database(session, scope, specs, _version(session))
        assert report is not None  # the statement did the work, not the Python method
        return _snapshot(session, scope.tenant_ids), _report(report)

    inserted, inserted_report = statement()
    _stale(session)
    python_report = _report(rate(session, scope, method="python"))
    python_rows = _snapshot(session, scope.tenant_ids)
    _stale(session)
    updated, updated_report = statement()
    assert inserted == updated and inserted_report == updated_report
    return python_rows, updated, python_report, updated_report


def _specs(session):
    from app.indicators.service import spec_of, version_named

    return [spec_of(row) for row in version_named(None, session).indicators]


def _version(session) -> int:
    from app.indicators.service import version_named

    return version_named(None, session).version


@pytest.mark.parametrize("edited", [False, True], ids=["shipped-dictionary", "edited-dictionary"])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_statement_stores_what_the_rules_store(session, world, edited, seed):
    with system_scope(), clock.frozen_at(NOW):
        if edited:
            _install_edited(session)
        specs = {s.code: s for s in _specs(session)}
        tenants = _seed(session, world, random.Random(seed), specs)
        scope = Scope(tenant_ids=tenants)
        python_rows, sql_rows, python_report, sql_report = _both(session, scope)
        read = session.scalars(sa.select(Rating).where(Rating.tenant_id.in_(tenants))).all()
        rules_hit = {f["rule"] for rating in read for f in rating.findings}
        reasons = {rating.reason_zh for rating in read}
    assert len(python_rows) > 3000
    colours = {row[2] for row in python_rows.values()}
    assert colours == {"green", "yellow", "red", "grey"}
    assert rules_hit == {"bands", "peers", "trend", "missing"}
    assert len(reasons) > 500  # the reasons, rendered when read, name their numbers
    assert sql_rows.keys() == python_rows.keys()
    for key, row in python_rows.items():
        assert sql_rows[key] == row, key
    assert sql_report == python_report


def test_scopes_by_indicator_and_period(session, world):
    """The filters of a batch's scope: some indicators, some periods (their history still
    loaded for the trend), some tenants."""
    with system_scope(), clock.frozen_at(NOW):
        specs = {s.code: s for s in _specs(session)}
        tenants = _seed(session, world, random.Random(3), specs)
        city = sorted(tenants)[0]
        siblings = frozenset(session.scalars(sa.select(Tenant.id).where(Tenant.parent_id == city)))
        scope = Scope(
            tenant_ids=siblings,
            codes=frozenset({"CT01", "CT03", "PR04", "CT17"}),
            periods=frozenset({MONTHS[-5], MONTHS[-4], "2024"}),
        )
        python_rows, sql_rows, python_report, sql_report = _both(session, scope)
    assert python_report[0] > 30
    assert sql_rows == python_rows
    assert sql_report == python_report


def test_everything_in_the_database(session, world):
    """Scope() — as the full rebuild and the benchmark — over the world's values too."""
    with system_scope(), clock.frozen_at(NOW):
        specs = {s.code: s for s in _specs(session)}
        _seed(session, world, random.Random(4), specs)
        python_rows, sql_rows, python_report, sql_report = _both(session, Scope())
    assert sql_rows == python_rows
    assert sql_report == python_report


def test_a_value_rated_meanwhile_elsewhere_means_upserting_all(session, world, monkeypatch):
    """New ratings are plain INSERTs; if another transaction inserted one of them since
    the statement's snapshot (a unique violation), the statement runs again as upserts."""
    build = in_database.build_statement
    splits = []

    def conflicting(**flags):
        splits.append(flags.get("split", True))
        if flags.get("split", True):
            return "DO $$ BEGIN RAISE unique_violation USING MESSAGE = 'meanwhile'; END $$"
        return build(**flags)

    with system_scope(), clock.frozen_at(NOW):
        specs = {s.code: s for s in _specs(session)}
        tenants = _seed(session, world, random.Random(8), specs)
        scope = Scope(tenant_ids=tenants)
        python_report = _report(rate(session, scope, method="python"))
        python_rows = _snapshot(session, scope.tenant_ids)
        _stale(session)
        monkeypatch.setattr(in_database, "build_statement", conflicting)
        report = _report(rate(session, scope, method="sql"))
        rows = _snapshot(session, scope.tenant_ids)
    assert splits == [True, False]
    assert rows == python_rows and report == python_report


def test_default_method_by_size(session, world, monkeypatch):
    with system_scope(), clock.frozen_at(NOW):
        specs = {s.code: s for s in _specs(session)}
        tenants = _seed(session, world, random.Random(5), specs)
        assert engine._method(session, Scope(tenant_ids=tenants)) == "python"
        monkeypatch.setattr(engine, "SQL_MIN_VALUES", 100)
        assert engine._method(session, Scope(tenant_ids=tenants)) == "sql"
        assert engine._method(session, Scope(tenant_ids=frozenset({-1}))) == "python"


def test_a_period_the_statement_does_not_know_is_left_to_python(session, world):
    """A quarter: the statement's work is rolled back and the Python method runs — and
    fails as it always did on a period without previous_periods."""
    with system_scope(), clock.frozen_at(NOW):
        specs = {s.code: s for s in _specs(session)}
        tenants = _seed(session, world, random.Random(6), specs)
        organ_tenant, organ = session.execute(
            sa.select(IndicatorValue.tenant_id, IndicatorValue.organ_id).where(
                IndicatorValue.tenant_id.in_(tenants)
            )
        ).first()
        session.add(
            IndicatorValue(
                tenant_id=organ_tenant,
                organ_id=organ,
                indicator_code="CT01",
                period="2025-Q1",
                value=90.0,
            )
        )
        session.flush()
        scope = Scope(tenant_ids=tenants)
        assert engine._rate_in_database(session, scope, specs, _version(session)) is None
        written = sa.select(sa.func.count()).where(Rating.tenant_id.in_(tenants))
        assert session.scalar(written) == 0  # rolled back
        with pytest.raises(ValueError):
            rate(session, scope, method="python")
        with pytest.raises(ValueError):
            rate(session, scope, method="sql")


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2025, 7, 10, 3, 0, tzinfo=UTC),
        datetime(2025, 7, 15, 15, 59, tzinfo=UTC),
        datetime(2025, 7, 15, 16, 0, tzinfo=UTC),
        datetime(2026, 1, 15, 16, 0, tzinfo=UTC),
        datetime(2026, 1, 15, 15, 59, 59, tzinfo=UTC),
        datetime(2026, 3, 1, tzinfo=UTC),
    ],
)
def test_last_due_is_the_deadline_rule(moment):
    month, year = in_database.last_due(moment, engine.GRACE_DAYS)
    for period in [*previous_periods("2026-06", 30), *map(str, range(2020, 2028))]:
        limit = year if len(period) == 4 else month
        assert (period <= limit) == (deadline_of(period, engine.GRACE_DAYS) <= moment), period
