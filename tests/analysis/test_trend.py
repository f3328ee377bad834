"""Trend analysis: changes, moving average and seasonality, keyed by period so gaps never shift."""

from __future__ import annotations

import math

import pytest

from app.analysis.periods import containing, last_periods, month_index, shift_month
from app.analysis.trend import (
    Change,
    by_period,
    change,
    month_on_month,
    moving_average,
    seasonally_adjusted,
    trend_table,
    year_on_year,
)


def months(year_from: int, year_to: int) -> list[str]:
    return [f"{y}-{m:02d}" for y in range(year_from, year_to + 1) for m in range(1, 13)]


# --- periods ----------------------------------------------------------------------------------


def test_month_arithmetic_crosses_years():
    assert shift_month("2025-01", -1) == "2024-12"
    assert shift_month("2024-12", 1) == "2025-01"
    assert shift_month("2025-03", -12) == "2024-03"
    assert month_index("2025-03") - month_index("2024-03") == 12


def test_last_periods_of_each_granularity():
    assert last_periods("2025-02", "month", 3) == ["2024-12", "2025-01", "2025-02"]
    assert last_periods("2025-05", "quarter", 3) == ["2024-Q4", "2025-Q1", "2025-Q2"]
    assert last_periods("2025-05", "year", 2) == ["2024", "2025"]
    assert containing("2025-12", "quarter") == "2025-Q4"


@pytest.mark.parametrize("bad", ["2025-13", "2025-1", "25-01", "2025-Q1"])
def test_a_series_takes_months_only(bad):
    with pytest.raises(ValueError):
        by_period([(bad, 1.0)])


def test_a_period_given_twice_is_an_error():
    with pytest.raises(ValueError, match="twice"):
        by_period([("2025-01", 1.0), ("2025-01", 2.0)])


def test_series_is_sorted_and_nan_is_missing():
    assert by_period([("2025-02", 2), ("2025-01", math.nan)]) == {"2025-01": None, "2025-02": 2.0}


# --- changes ----------------------------------------------------------------------------------


def test_change_absolute_and_relative():
    assert change(110, 100) == Change(100, 10, 0.1)
    assert change(-5, -10) == Change(-10, 5, 0.5)  # less negative: went up
    assert change(3, 0) == Change(0, 3, None)
    assert change(None, 1) is None
    assert change(1, None) is None


SERIES = [
    ("2023-02", 100.0),
    ("2024-01", 100.0),
    ("2024-02", 110.0),
    ("2024-03", None),
    ("2024-04", 121.0),
    # 2024-05 not in the series at all
    ("2024-06", 99.0),
]


def test_month_on_month_compares_with_the_calendar_month_before():
    mom = month_on_month(SERIES)
    assert mom["2024-02"] == Change(100, 10, 0.1)
    assert mom["2024-03"] is None  # no value
    assert mom["2024-04"] is None  # March is missing: not compared with February
    assert mom["2024-06"] is None  # May absent: not compared with April
    assert mom["2024-01"] is None  # 2023-12 absent
    assert list(mom) == [p for p, _ in SERIES]


def test_year_on_year_compares_with_the_same_month_a_year_earlier():
    yoy = year_on_year(SERIES)
    assert yoy["2024-02"] == Change(100, 10, 0.1)
    assert yoy["2024-01"] is None
    assert yoy["2023-02"] is None


def test_moving_average_waits_for_a_full_window():
    series = [(f"2024-{m:02d}", float(m)) for m in range(1, 7)]
    assert moving_average(series, 3) == {
        "2024-01": None,
        "2024-02": None,
        "2024-03": 2.0,
        "2024-04": 3.0,
        "2024-05": 4.0,
        "2024-06": 5.0,
    }


def test_moving_average_across_a_gap_and_a_year_end():
    series = [("2023-11", 1.0), ("2023-12", 2.0), ("2024-01", 3.0), ("2024-03", 5.0)]
    full = moving_average(series, 3)
    assert full["2024-01"] == 2.0
    assert full["2024-03"] is None  # February is missing from its window
    relaxed = moving_average(series, 3, min_points=2)
    assert relaxed["2024-03"] == 4.0  # mean of January and March, not of the last 3 values
    assert relaxed["2023-11"] is None


def test_moving_average_window_must_be_positive():
    with pytest.raises(ValueError):
        moving_average(SERIES, 0)


# --- seasonality ------------------------------------------------------------------------------

# Levels 100, 110, 120 and a seasonal swing of +12 in December, −12 in February (the swings
# cancel over a year, so each year's mean is its level).
SWING = {"02": -12.0, "12": 12.0}
LEVEL = {2022: 100.0, 2023: 110.0, 2024: 120.0}


def seasonal_series(drop: tuple[str, ...] = ()) -> list[tuple[str, float]]:
    return [
        (p, LEVEL[int(p[:4])] + SWING.get(p[5:], 0.0)) for p in months(2022, 2024) if p not in drop
    ]


def test_seasonal_adjustment_takes_out_the_usual_swing():
    december = seasonally_adjusted(seasonal_series())["2024-12"]
    assert december is not None
    assert december.baseline == pytest.approx(117.0)  # mean of 112 and 122
    assert december.anomaly == pytest.approx(15.0)
    assert december.years == 2
    assert december.effect == pytest.approx(12.0)
    assert december.adjusted == pytest.approx(120.0)  # the year's level
    february = seasonally_adjusted(seasonal_series())["2024-02"]
    assert february.adjusted == pytest.approx(120.0)


def test_seasonal_needs_two_earlier_years():
    adjusted = seasonally_adjusted(seasonal_series())
    assert adjusted["2023-12"] is None
    assert adjusted["2022-12"] is None
    assert seasonally_adjusted(seasonal_series(), years=1)["2024-12"] is None


def test_a_missing_month_in_an_earlier_year_shifts_nothing():
    # June 2023 is on the level, so with 11 months 2023 keeps the same mean.
    adjusted = seasonally_adjusted(seasonal_series(drop=("2023-06",)))["2024-12"]
    assert adjusted.adjusted == pytest.approx(120.0)


def test_a_year_with_too_few_months_has_no_level():
    drop = ("2022-03", "2022-04", "2022-05")
    adjusted = seasonally_adjusted(seasonal_series(drop=drop))["2024-12"]
    assert adjusted.baseline == pytest.approx(117.0)  # the same month is still there twice
    assert adjusted.effect is None  # only 2023 has a reliable level
    assert adjusted.adjusted is None


def test_the_missing_same_month_leaves_too_few_years():
    adjusted = seasonally_adjusted(seasonal_series(drop=("2022-12",)))
    assert adjusted["2024-12"] is None
    assert adjusted["2024-11"] is not None


def test_trend_table_puts_it_together():
    table = trend_table(seasonal_series(), window=12)
    assert [p.period for p in table] == months(2022, 2024)
    last = table[-1]
    assert last.value == 132.0
    assert last.month_on_month == Change(120.0, 12.0, pytest.approx(0.1))
    assert last.year_on_year == Change(122.0, 10.0, pytest.approx(10 / 122))
    assert last.moving_average == pytest.approx(120.0)
    assert last.seasonal.adjusted == pytest.approx(120.0)
    assert table[10].moving_average is None


def test_years_looks_back_in_calendar_years_not_in_values():
    series = [(p, 100.0 + (12.0 if p.endswith("-12") else 0.0)) for p in months(2021, 2024)]
    series = [(p, v) for p, v in series if p != "2023-12"]
    assert seasonally_adjusted(series)["2024-12"].years == 2  # 2021 and 2022
    assert seasonally_adjusted(series, years=2)["2024-12"] is None  # 2022 only
