"""Demo values: deterministic per cell, well-formed, seasonal, and telling the planted stories."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from statistics import mean

import pytest

from app.demo.tree import demo_tree
from app.demo.values import (
    PLANTED,
    ValueSeed,
    demo_periods,
    generate_value,
    periods_for,
)

SEED = 2024
UNTIL = "2026-10"


@dataclass(frozen=True)
class FakeSpec:
    """The attributes the generator reads, as the dictionary's IndicatorSpec has them."""

    code: str
    value_kind: str
    scale: int
    direction: str
    green: float | None
    red: float | None
    peer_rated: bool = False
    period: str = "month"
    min: float = 0.0
    max: float = 100.0
    levels: tuple[str, ...] | None = None  # None: the generator's default subset


SPECS = {
    s.code: s
    for s in (
        FakeSpec("CT01", "rate", 100, "up", 95, 85),
        FakeSpec("CT03", "average", 1, "down", 60, 90, max=3650),
        FakeSpec("CT04", "rate", 100, "down", 1, 3),
        FakeSpec("CT05", "average", 1, "up", None, None, peer_rated=True, max=10_000),
        FakeSpec("CT11", "rate", 100, "up", 50, 35),
        FakeSpec("CT16", "rate", 1000, "down", 5, 10, max=1000),
        FakeSpec("CT17", "index", 1, "up", 80, 60, period="year"),
        FakeSpec("PR01", "count", 1, "neutral", None, None, peer_rated=True, max=1e7),
        FakeSpec("PR06", "rate", 100, "down", 30, 40),
        FakeSpec("PR13", "rate", 100, "up", 100, 95),
        FakeSpec("PS03", "change", 100, "down", 0, 10, min=-100, max=10_000),
        FakeSpec("PS04", "average", 1, "down", 10, 15, max=1440),
        FakeSpec("JB02", "rate", 100, "down", 0.2, 0.5),
        FakeSpec("JB04", "count", 1, "up", None, None, peer_rated=True, max=1e7),
        FakeSpec("JB09", "rate", 100, "up", 95, 90, period="year"),
    )
}


def colour(spec, value: float) -> str:
    """Green / yellow / red, the boundary belonging to the better colour."""
    if spec.direction == "up":
        return "green" if value >= spec.green else "red" if value < spec.red else "yellow"
    return "green" if value <= spec.green else "red" if value > spec.red else "yellow"


@pytest.fixture(scope="module")
def tree():
    return {t.code: t for t in demo_tree("city")}


def cell(tree, code, kind, indicator, period, seed=SEED):
    tenant = tree[code]
    organ = next(o for o in tenant.organs if o.kind == kind)
    return generate_value(SPECS[indicator], tenant, organ, period, seed)


def all_cells(tree, months, seed=SEED):
    """Every (tenant, organ, spec, period) that reports a value, with the value."""
    for tenant in tree.values():
        for organ in tenant.organs:
            for spec in SPECS.values():
                for period in periods_for(spec, months):
                    value = generate_value(spec, tenant, organ, period, seed)
                    if value is not None:
                        yield tenant, organ, spec, period, value


# --- periods ---------------------------------------------------------------------------


def test_demo_periods_end_at_until_and_go_back_whole_years():
    months = demo_periods(5, UNTIL)
    assert len(months) == 60
    assert (months[0], months[-1]) == ("2021-11", "2026-10")
    assert "2025-12" in months and "2026-01" in months
    assert months == sorted(months)


def test_periods_for_gives_months_or_complete_years():
    months = demo_periods(5, UNTIL)
    assert periods_for(SPECS["CT11"], months) == months
    assert periods_for(SPECS["CT17"], months) == ["2022", "2023", "2024", "2025"]


def test_a_period_of_the_wrong_shape_is_refused(tree):
    with pytest.raises(ValueError):
        cell(tree, "330106", "court", "CT17", "2025-07")
    with pytest.raises(ValueError):
        cell(tree, "330106", "court", "CT11", "2025")


# --- who reports what -------------------------------------------------------------------


def test_only_organs_of_the_indicators_kind_report_it(tree):
    assert cell(tree, "330106", "court", "CT11", "2026-06") is not None
    assert cell(tree, "330106", "procuratorate", "CT11", "2026-06") is None
    assert cell(tree, "330106001", "tribunal", "CT01", "2026-06") is not None
    # Without levels on the spec, townships report only DOMAIN.md's subset.
    assert cell(tree, "330106001", "tribunal", "CT11", "2026-06") is None


def test_levels_on_the_spec_decide_which_tenants_report(tree):
    spec = replace(SPECS["CT11"], levels=("city", "district", "township"))
    tenant = tree["330106001"]
    assert generate_value(spec, tenant, tenant.organs[0], "2026-06", SEED) is not None
    province = tree["330000"]
    assert generate_value(spec, province, province.organs[0], "2026-06", SEED) is None


# --- determinism ------------------------------------------------------------------------


def test_same_inputs_give_the_same_value(tree):
    first = cell(tree, "330106", "court", "CT01", "2026-03")
    again = cell(tree, "330106", "court", "CT01", "2026-03")
    assert isinstance(first, ValueSeed) and first == again


def test_a_periods_value_does_not_depend_on_the_window(tree):
    def keyed(years):
        cells = all_cells(tree, demo_periods(years, UNTIL))
        return {(t.code, o.kind, s.code, p): v for t, o, s, p, v in cells}

    short, long = keyed(1), keyed(3)
    assert short and all(long[key] == value for key, value in short.items())


def test_a_different_seed_gives_different_values(tree):
    months = demo_periods(1, UNTIL)
    one = [v.value for *_, v in all_cells(tree, months, seed=1)]
    two = [v.value for *_, v in all_cells(tree, months, seed=2)]
    assert len(one) == len(two)
    assert sum(a != b for a, b in zip(one, two, strict=True)) > 0.8 * len(one)


# --- invariants -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tree):
    return list(all_cells(tree, demo_periods(2, UNTIL)))


def test_values_stay_within_their_range(sample):
    for _, _, spec, _, v in sample:
        assert spec.min <= v.value <= spec.max, (spec.code, v)


def test_rates_are_whole_parts_of_a_whole(sample):
    for _, _, spec, _, v in (c for c in sample if c[2].value_kind == "rate"):
        assert v.numerator.is_integer() and v.denominator.is_integer()
        assert 0 <= v.numerator <= v.denominator and v.denominator >= 1
        assert 0 <= v.value <= spec.scale
        assert v.value == pytest.approx(v.numerator / v.denominator * spec.scale)


def test_averages_changes_counts_and_indices_have_their_shape(sample):
    for _, _, spec, _, v in sample:
        if spec.value_kind == "average":
            assert v.denominator >= 1 and v.value == pytest.approx(v.numerator / v.denominator)
        elif spec.value_kind == "change":
            expected = (v.numerator / v.denominator - 1) * spec.scale
            assert v.value == pytest.approx(expected)
        elif spec.value_kind == "count":
            assert v.value.is_integer() and v.numerator == v.value and v.denominator is None
        elif spec.value_kind == "index":
            assert 0 <= v.value <= 100 and v.numerator == v.value and v.denominator >= 1


def test_denominators_grow_with_the_level(sample):
    def typical(level):
        return mean(
            v.denominator for t, _, s, _, v in sample if t.level == level and s.code == "CT01"
        )

    assert typical("township") < typical("district") < typical("city")


def test_most_values_are_green_but_not_all(sample):
    colours = [colour(s, v.value) for _, _, s, _, v in sample if not s.peer_rated]
    green = colours.count("green") / len(colours)
    assert 0.85 < green < 0.99
    assert "yellow" in colours


def test_year_end_push_and_spring_festival_dip(tree):
    """Clearance is better in December than in February, across the districts."""
    districts = [c for c, t in tree.items() if t.level == "district"]

    def average(month):
        return mean(cell(tree, c, "court", "CT01", month).value for c in districts)

    for year in ("2023", "2024", "2025"):
        assert average(f"{year}-12") > average(f"{int(year) + 1}-02")


# --- planted stories ---------------------------------------------------------------------


def test_every_story_holds_its_colour_from_its_start(tree):
    months = demo_periods(5, UNTIL)
    for story in PLANTED:
        spec = SPECS[story.indicator]
        for month in (m for m in months if m >= story.since):
            value = cell(tree, story.tenant_code, story.organ_kind, story.indicator, month)
            assert colour(spec, value.value) == story.colour, (story, month, value)


def test_execution_problem_is_shared_by_four_districts(tree):
    districts = [c for c, t in tree.items() if t.level == "district"]
    for month in ("2025-08", "2026-06", UNTIL):
        red = {c for c in districts if cell(tree, c, "court", "CT11", month).value < 35}
        assert red == {"330109", "330110", "330111", "330113"}, month
    assert 35 <= cell(tree, "330114", "court", "CT11", "2026-06").value < 50


def test_city_court_stays_green_while_its_districts_are_red(tree):
    assert cell(tree, "330109", "court", "CT11", "2026-06").value < 35
    for month in demo_periods(5, UNTIL):
        assert cell(tree, "330100", "court", "CT11", month).value >= 50, month


def test_single_organs_drift(tree):
    assert cell(tree, "330127", "court", "CT03", "2025-06").value <= 90
    assert cell(tree, "330127", "court", "CT03", "2026-06").value > 90
    assert 10 < cell(tree, "330106", "public_security", "PS04", "2026-05").value <= 15
    assert cell(tree, "330105", "procuratorate", "PR06", "2025-12").value > 40


def test_stories_do_not_depend_on_the_seed(tree):
    for seed in (1, 99, 12345):
        assert cell(tree, "330110", "court", "CT11", "2026-06", seed=seed).value < 35
        assert cell(tree, "330100", "court", "CT11", "2026-06", seed=seed).value >= 50


# --- with the real dictionary -------------------------------------------------------------


def test_every_dictionary_indicator_generates_valid_values(tree):
    dictionary = pytest.importorskip("app.indicators.dictionary").load_dictionary()
    assert len(dictionary) == 52
    for spec in dictionary:
        period = "2026-06" if spec.period == "month" else "2025"
        for code in ("330106", "330106001"):
            tenant = tree[code]
            values = [generate_value(spec, tenant, o, period, SEED) for o in tenant.organs]
            reported = [v for v in values if v is not None]
            assert len(reported) == (1 if tenant.level in spec.levels else 0), spec.code
            for v in reported:
                assert spec.min <= v.value <= spec.max, (spec.code, v)
                computed = spec.compute_value(v.numerator, v.denominator)
                assert math.isclose(computed, v.value, rel_tol=1e-9, abs_tol=1e-9), spec.code
                if not spec.peer_rated:
                    assert spec.colour_for(v.value) in ("green", "yellow", "red")


def test_planted_stories_hold_under_the_real_dictionary(tree):
    dictionary = pytest.importorskip("app.indicators.dictionary").load_dictionary()
    for story in PLANTED:
        spec = dictionary.by_code(story.indicator)
        tenant = tree[story.tenant_code]
        organ = next(o for o in tenant.organs if o.kind == story.organ_kind)
        for month in ("2026-06", UNTIL):
            value = generate_value(spec, tenant, organ, month, SEED)
            assert spec.colour_for(value.value) == story.colour, (story, month)
