"""The federation on the Hangzhou demo (seeded once for the module, through the real CLI,
which rates the history and rebuilds roll-ups and common problems): the planted shared
CT11 problem is found, a campaign launched from it reaches exactly the districts
concerned, and the city's roll-ups are ratios of sums, which a mean of the districts'
rates is not."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from statistics import mean

import pytest
import sqlalchemy as sa

from app import clock, create_app
from app.auth.models import User
from app.datamart.models import IndicatorValue
from app.db import db
from app.demo.values import PLANTED
from app.indicators.dictionary import load_dictionary
from app.ratings.models import Rating
from federation.campaigns import launch
from federation.common import SEVERITY
from federation.models import CommonProblem, JointSupervision, JointTask, Rollup
from federation.rollup import mean_of_values
from tenants.models import Tenant
from tenants.scoping import system_scope, tenant_scope
from tests.conftest import TEST_CONFIG
from tests.support.databases import fresh_sqlite, migrate

UNTIL = "2026-10"  # the demo's latest month
CITY = "330100"
DICTIONARY = load_dictionary()
PLANTED_CT11 = {s.tenant_code: s.colour for s in PLANTED if s.indicator == "CT11"}
PLANTED_CT11.pop(CITY)  # the city's own court: the green exception, not one of its children


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = fresh_sqlite(tmp_path_factory.mktemp("federation"), "demo.sqlite3")
    migrate(url)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--until", UNTIL])
    assert result.exit_code == 0, result.output
    assert "common_problems=" in result.output  # the seed ran the federation rebuild
    return app


@pytest.fixture
def session(demo):
    """The demo's session, across tenants; what a test writes is rolled back."""
    with demo.app_context(), system_scope():
        yield db.session
        db.session.rollback()


def _tenant(session, code: str) -> Tenant:
    return session.scalar(sa.select(Tenant).where(Tenant.code == code))


def _problem(session) -> CommonProblem:
    city = _tenant(session, CITY)
    return session.scalar(
        sa.select(CommonProblem).where(
            CommonProblem.tenant_id == city.id,
            CommonProblem.indicator_code == "CT11",
            CommonProblem.period == UNTIL,
        )
    )


def _colours(session, code: str, indicator: str, period: str) -> list[str]:
    """Every colour a child has for an indicator and period: its own organs' ratings and
    its own roll-up's."""
    tenant = _tenant(session, code)
    organs = session.scalars(
        sa.select(Rating.colour).where(
            Rating.tenant_id == tenant.id,
            Rating.indicator_code == indicator,
            Rating.period == period,
        )
    ).all()
    rolled = session.scalars(
        sa.select(Rollup.colour).where(
            Rollup.tenant_id == tenant.id,
            Rollup.indicator_code == indicator,
            Rollup.period == period,
        )
    ).all()
    return [*organs, *rolled]


def _worst(colours: list[str]) -> str | None:
    return max(colours, key=lambda c: SEVERITY.get(c, -1), default=None)


def test_the_planted_ct11_problem_is_common_to_hangzhou(session):
    assert PLANTED_CT11 == {
        "330109": "red",
        "330110": "red",
        "330113": "red",
        "330111": "red",
        "330114": "yellow",
    }
    problem = _problem(session)
    assert problem is not None, "CT11 is not a common problem of Hangzhou in the latest month"
    assert (problem.n_children, problem.threshold) == (13, 4)
    assert problem.concurrent and problem.persistent
    assert problem.suggested_form == "interpellation"  # ≥ 4 red now, and for months
    assert "质询" in problem.reason_zh and "interpellation" in problem.reason_en
    flagged = {e["code"]: e["colour"] for e in problem.evidence if e["colour"]}
    for code, colour in PLANTED_CT11.items():
        assert flagged.get(code) == colour, (code, flagged)
        # planted since 2025-07: flagged in each of the last six months
        entry = next(e for e in problem.evidence if e["code"] == code)
        assert len(entry["periods_flagged"]) == 6
    assert problem.n_flagged == len(flagged) and problem.n_red >= 4
    # Every child listed is really yellow or red on CT11 that month, with that colour…
    for code, colour in flagged.items():
        assert _worst(_colours(session, code, "CT11", UNTIL)) == colour, code
    # …and no yellow or red child is left out.
    city = _tenant(session, CITY)
    for child in city.children:
        if _worst(_colours(session, child.code, "CT11", UNTIL)) in ("yellow", "red"):
            assert child.code in flagged, child.code


def test_a_campaign_from_the_problem_tasks_exactly_the_districts_concerned(session):
    problem = _problem(session)
    flagged = {e["code"] for e in problem.evidence if e["colour"]}
    assert set(PLANTED_CT11) <= flagged
    city = _tenant(session, CITY)
    staff = session.scalar(sa.select(User).where(User.username == f"{CITY}-staff"))
    before = session.scalar(sa.select(sa.func.count()).select_from(JointTask))
    with tenant_scope(city.id):
        campaign = launch(
            session,
            city,
            staff,
            deadline=clock.today() + timedelta(days=30),
            common_problem_id=problem.id,
            known_codes={s.code for s in DICTIONARY},
        )
        campaign_id = campaign.id
    assert (campaign.indicators, campaign.period) == (["CT11"], UNTIL)
    assert campaign.common_problem_id == problem.id and campaign.tenant_id == city.id
    tasks = session.scalars(sa.select(JointTask).where(JointTask.campaign_id == campaign_id)).all()
    assert {t.tenant.code for t in tasks} == flagged
    assert all(t.tenant.parent_id == city.id and t.status == "open" for t in tasks)
    # no task anywhere else: every new task in the database is one of these
    after = session.scalar(sa.select(sa.func.count()).select_from(JointTask))
    assert after - before == len(tasks) == len(flagged)
    assert session.get(JointSupervision, campaign_id).tenant_id == city.id


def _raw_sums(session, indicator: str, period: str, under: Tenant) -> tuple[float, float]:
    """Σnumerator, Σdenominator of the current values strictly below ``under``."""
    v = IndicatorValue
    num, den = session.execute(
        sa.select(sa.func.sum(v.numerator), sa.func.sum(v.denominator))
        .join(Tenant, Tenant.id == v.tenant_id)
        .where(
            v.is_current,
            v.indicator_code == indicator,
            v.period == period,
            v.numerator.is_not(None),
            v.denominator > 0,
            Tenant.path.startswith(under.path),
        )
    ).one()
    return float(num or 0.0), float(den or 0.0)


def test_a_mean_of_the_districts_rates_differs_from_the_stored_roll_up(session):
    spec = DICTIONARY.by_code("CT11")
    assert spec.value_kind == "rate"
    city = _tenant(session, CITY)
    stored = session.scalar(
        sa.select(Rollup).where(
            Rollup.tenant_id == city.id, Rollup.indicator_code == "CT11", Rollup.period == UNTIL
        )
    )
    # Straight from the raw values: each district's rate, and the whole city's sums.
    rates, num, den = [], 0.0, 0.0
    for district in city.children:
        d_num, d_den = _raw_sums(session, "CT11", UNTIL, district)
        rates.append(d_num / d_den * spec.scale)
        num, den = num + d_num, den + d_den
    assert len(rates) == 13
    exact = num / den * spec.scale
    assert stored.numerator == pytest.approx(num) and stored.denominator == pytest.approx(den)
    assert stored.value == pytest.approx(exact, rel=1e-12)
    # The city's own court is kept apart, not mixed into the districts' roll-up.
    own_num, own_den = _raw_sums(session, "CT11", UNTIL, city)
    assert stored.own_numerator == pytest.approx(own_num - num)
    assert stored.own_denominator == pytest.approx(own_den - den)
    # A plain mean of the 13 rates is a different number, and not the one stored.
    plain = mean(rates)
    assert abs(plain - exact) > 0.5, (plain, exact)
    assert stored.value != pytest.approx(plain, abs=0.5)
    parts = dict(stored.child_parts())
    assert sorted(parts) == sorted(d.id for d in city.children)
    assert mean_of_values(spec, parts) == pytest.approx(plain)


def test_every_ratio_roll_up_of_the_city_is_a_ratio_of_sums(session):
    """All rates, averages and changes of Hangzhou, all periods: the stored value is
    Σnumerator / Σdenominator of the raw values below it, by the kind's formula."""
    city = _tenant(session, CITY)
    specs = {s.code: s for s in DICTIONARY if s.rollup == "ratio_of_sums"}
    v = IndicatorValue
    raw = session.execute(
        sa.select(v.indicator_code, v.period, sa.func.sum(v.numerator), sa.func.sum(v.denominator))
        .join(Tenant, Tenant.id == v.tenant_id)
        .where(
            v.is_current,
            v.numerator.is_not(None),
            v.denominator > 0,
            v.tenant_id != city.id,
            Tenant.path.startswith(city.path),
            v.indicator_code.in_(sorted(specs)),
        )
        .group_by(v.indicator_code, v.period)
    ).all()
    stored = {
        (r.indicator_code, r.period): r.value
        for r in session.scalars(sa.select(Rollup).where(Rollup.tenant_id == city.id))
    }
    assert len(raw) > 1000 and len(stored) >= len(raw)
    for code, period, num, den in raw:
        want = specs[code].compute_value(num, den)
        assert stored[(code, period)] == pytest.approx(want, rel=1e-12), (code, period)


def test_no_product_code_computes_a_mean_of_values():
    """``mean_of_values`` exists to show the wrong answer; nothing else calls it."""
    root = Path(__file__).resolve().parents[2]
    users = [
        path.relative_to(root).as_posix()
        for folder in ("app", "federation", "tenants", "workers")
        for path in (root / folder).rglob("*.py")
        if "mean_of_values" in path.read_text(encoding="utf-8")
    ]
    assert users == ["federation/rollup.py"]
