"""Trend analysis (趋势分析) of one monthly series: changes, moving average, seasonality.

A series is a list of ``(period, value)`` with periods "YYYY-MM" and values that may be None
(not submitted). Everything is keyed by period, never by position: a missing month is a
gap, and the month after it is compared with the month that is really one month earlier
(which is missing, so there is no month-on-month change), not with the last value seen.

Formulas (``v(p)`` is the value of month ``p``):

month on month 环比
    against ``v(p − 1 month)``; year on year 同比: against ``v(p − 12 months)``.
    ``absolute = v − base``; ``relative = (v − base) / |base|`` as a fraction (0.05 = +5 %),
    None when the base is 0. Dividing by ``|base|`` keeps the sign meaning "went up" for
    indicators that can be negative (a year-on-year change such as PS03).
moving average 移动平均
    the mean of the ``window`` calendar months ending with ``p``; None unless at least
    ``min_points`` of them (default: all ``window``) have a value.
seasonality 季节调整, against the same calendar month of the earlier years in the series
    (all of them, or those of the last ``years`` calendar years):

    * ``baseline`` = mean of ``v`` in that month of the earlier years; ``anomaly = v − baseline``
      (how unusual this month is for this time of year);
    * ``effect`` = mean over those earlier years of ``(v(that month) − mean of v over that
      year)``, counting only years with at least 10 months reported so their level is
      meaningful; ``adjusted = v − effect`` (the value with the usual seasonal swing — the
      December closing push, the Spring Festival dip — taken out, on the series' own scale).

    None with fewer than 2 earlier years (``effect``/``adjusted`` are None when fewer than 2
    earlier years have the 10 months).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import fmean

from app.analysis.periods import month_at, month_index

MIN_EARLIER_YEARS = 2
MIN_MONTHS_FOR_LEVEL = 10  # a year with fewer reported months has no reliable mean level

Series = Iterable[tuple[str, float | None]]


@dataclass(frozen=True)
class Change:
    """A value against a base: ``absolute = value − base``, ``relative`` as a fraction."""

    base: float
    absolute: float
    relative: float | None  # None when the base is 0


@dataclass(frozen=True)
class Seasonal:
    """A value against the same calendar month of earlier years (see the module docstring)."""

    baseline: float
    anomaly: float
    years: int  # earlier years with this month, behind baseline
    effect: float | None
    adjusted: float | None


@dataclass(frozen=True)
class TrendPoint:
    period: str
    value: float | None
    month_on_month: Change | None
    year_on_year: Change | None
    moving_average: float | None
    seasonal: Seasonal | None


def by_period(series: Series) -> dict[str, float | None]:
    """The series as {period: value} in time order; NaN becomes None.

    Raises ValueError for a period that is not "YYYY-MM" or a period given twice.
    """
    out: dict[str, float | None] = {}
    for period, value in series:
        month_index(period)  # validates
        if period in out:
            raise ValueError(f"period {period} appears twice")
        out[period] = None if value is None or math.isnan(value) else float(value)
    return dict(sorted(out.items()))


def change(value: float | None, base: float | None) -> Change | None:
    """``value`` against ``base``; None when either is missing."""
    if value is None or base is None:
        return None
    absolute = value - base
    return Change(base, absolute, absolute / abs(base) if base else None)


def month_on_month(series: Series) -> dict[str, Change | None]:
    """环比 for every period of the series (None where this or the previous month is missing)."""
    return _against(by_period(series), 1)


def year_on_year(series: Series) -> dict[str, Change | None]:
    """同比 for every period of the series, against the same month a year earlier."""
    return _against(by_period(series), 12)


def _against(values: dict[str, float | None], months: int) -> dict[str, Change | None]:
    return {
        period: change(value, values.get(month_at(month_index(period) - months)))
        for period, value in values.items()
    }


def moving_average(
    series: Series, window: int = 3, min_points: int | None = None
) -> dict[str, float | None]:
    """The mean of the ``window`` calendar months ending with each period of the series.

    None unless at least ``min_points`` (default ``window``) of those months have a value.
    """
    if window < 1:
        raise ValueError("window must be at least 1")
    needed = window if min_points is None else min_points
    values = by_period(series)
    out: dict[str, float | None] = {}
    for period in values:
        end = month_index(period)
        present = [
            v
            for i in range(end - window + 1, end + 1)
            if (v := values.get(month_at(i))) is not None
        ]
        out[period] = fmean(present) if present and len(present) >= needed else None
    return out


def seasonally_adjusted(series: Series, years: int | None = None) -> dict[str, Seasonal | None]:
    """Each period against the same calendar month of the earlier years (module docstring).

    ``years``: look back only this many calendar years (default: to the series' first year).
    """
    values = by_period(series)
    levels = _year_levels(values)
    return {
        period: _seasonal(values, levels, period, value, years) for period, value in values.items()
    }


def _year_levels(values: dict[str, float | None]) -> dict[int, float]:
    """Each year's mean value, for years with at least MIN_MONTHS_FOR_LEVEL months reported."""
    by_year: dict[int, list[float]] = {}
    for period, value in values.items():
        if value is not None:
            by_year.setdefault(int(period[:4]), []).append(value)
    return {y: fmean(vs) for y, vs in by_year.items() if len(vs) >= MIN_MONTHS_FOR_LEVEL}


def _seasonal(
    values: dict[str, float | None],
    levels: dict[int, float],
    period: str,
    value: float | None,
    years: int | None,
) -> Seasonal | None:
    if value is None:
        return None
    year, month = int(period[:4]), period[5:]
    first = int(next(iter(values))[:4])  # the series is sorted
    if years is not None:
        first = max(first, year - years)
    earlier = {
        y: v for y in range(first, year) if (v := values.get(f"{y:04d}-{month}")) is not None
    }
    if len(earlier) < MIN_EARLIER_YEARS:
        return None
    baseline = fmean(earlier.values())
    deviations = [v - levels[y] for y, v in earlier.items() if y in levels]
    effect = fmean(deviations) if len(deviations) >= MIN_EARLIER_YEARS else None
    adjusted = None if effect is None else value - effect
    return Seasonal(baseline, value - baseline, len(earlier), effect, adjusted)


def trend_table(
    series: Series, *, window: int = 3, min_points: int | None = None, years: int | None = None
) -> list[TrendPoint]:
    """Every analysis above for every period of the series, in time order."""
    values = by_period(series)
    pairs = list(values.items())
    mom, yoy = _against(values, 1), _against(values, 12)
    moving = moving_average(pairs, window, min_points)
    seasonal = seasonally_adjusted(pairs, years)
    return [TrendPoint(p, v, mom[p], yoy[p], moving[p], seasonal[p]) for p, v in values.items()]
