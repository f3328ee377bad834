"""The data factory's analyses (数据分析) of the stored values: an organ's trend table and
the co-movement of the indicators of a congress's organs.

Reads current values in the current tenant's scope and hands plain series to the pure
models (:mod:`app.analysis.trend`, :mod:`app.analysis.correlation`). Which organs the caller
may see is the view's decision: an organ user passes only its own.

Correlations pair two indicators by ``(organ, period)``: the same organ in the same
period, so an indicator pairs with the others its organ reports. Every pair is tested
(Pearson, with Spearman beside it); a pair with fewer than ``min_n`` paired observations,
or where one indicator does not vary, is counted as insufficient and not reported. Among
those tested, a pair is reported when its Benjamini–Hochberg q-value is below the
significance level — what is reported is that the two moved together or in opposite
directions over those months, never that one caused the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analysis.correlation import (
    MIN_N,
    SIGNIFICANCE,
    Correlation,
    adjusted_p_values,
    describe,
    paired,
    pearson,
    spearman,
    strength,
)
from app.analysis.periods import shift_month
from app.analysis.trend import TrendPoint, trend_table
from app.datamart.models import IndicatorValue
from app.datamart.periods import MONTH, QUARTER, YEAR, end_of
from app.indicators.dictionary import IndicatorSpec
from app.indicators.service import spec_of, version_named
from tenants.models import Organ

WINDOW = 3  # months in the moving average
MONTHS_SHOWN = 24
CORRELATION_MONTHS = 24  # the default span of the correlation scan, ending with the latest

CAVEAT_ZH = (
    "相关不等于因果：下列指标只是在同一机关、同一期间里同向或反向变动，不能说明一个指标"
    "导致另一个；共同的季节规律（如年底结案冲刺、春节前后）或共同的外部因素也会让指标"
    "同步变动。"
)
CAVEAT_EN = (
    "Correlation is not causation: these indicators only moved together (or in opposite "
    "directions) at the same organ in the same periods; that does not show that one drives "
    "the other. A shared seasonal pattern (the December closing push, the Spring Festival) "
    "or a common outside cause also makes indicators move together."
)
METHOD_ZH = (
    "按同一机关、同一期间配对；每对指标计算 Pearson 和 Spearman 相关系数及双侧 p 值，"
    "配对观测少于 {min_n} 个或某一指标没有变化的不作分析；因同时检验多对指标，"
    "按 Benjamini–Hochberg 方法校正（q 值），只列出 Pearson 检验 q < {level} 的指标对。"
)
METHOD_EN = (
    "Paired by organ and period; for each pair of indicators Pearson's and Spearman's "
    "coefficients with two-sided p-values; pairs with fewer than {min_n} paired observations, "
    "or where one indicator does not vary, are not analysed. Because many pairs are tested "
    "at once, p-values are adjusted (Benjamini–Hochberg q-values) and only pairs with a "
    "Pearson q < {level} are listed."
)


class NotMonthly(ValueError):
    """Trend analysis reads a monthly series; a quarterly or yearly indicator has none."""


def dictionary(session: Session) -> dict[str, IndicatorSpec]:
    """The dictionary in force, code → spec, in dictionary order."""
    version = version_named(None, session)
    return {row.code: spec_of(row) for row in version.indicators} if version else {}


# --- trend ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganTrend:
    organ: Organ
    spec: IndicatorSpec | None  # None when the organ reports no monthly indicator
    choices: tuple[IndicatorSpec, ...]  # the organ's monthly indicators with values
    window: int
    points: tuple[TrendPoint, ...]  # the last months shown, oldest first


def default_organ(session: Session) -> Organ | None:
    """The congress's first active organ (by id) that reports monthly figures, else its
    first active organ: what the analysis opens on when no organ is named."""
    organs = session.scalars(sa.select(Organ).where(Organ.active).order_by(Organ.id)).all()
    reporting = set(
        session.scalars(
            sa.select(IndicatorValue.organ_id)
            .distinct()
            .where(
                IndicatorValue.is_current,
                sa.func.length(IndicatorValue.period) == 7,  # a month, or a quarter:
                IndicatorValue.period.not_like("%Q%"),  # not a quarter
            )
        )
    )
    return next((o for o in organs if o.id in reporting), organs[0] if organs else None)


def reported_codes(session: Session, organ_id: int) -> set[str]:
    return set(
        session.scalars(
            sa.select(IndicatorValue.indicator_code)
            .distinct()
            .where(IndicatorValue.organ_id == organ_id, IndicatorValue.is_current)
        )
    )


def monthly_series(session: Session, organ_id: int, code: str) -> list[tuple[str, float | None]]:
    """The organ's current monthly values of one indicator, every month it reported."""
    rows = session.execute(
        sa.select(IndicatorValue.period, IndicatorValue.value).where(
            IndicatorValue.organ_id == organ_id,
            IndicatorValue.indicator_code == code,
            IndicatorValue.is_current,
        )
    )
    return [(period, value) for period, value in rows if MONTH.match(period)]


def organ_trend(
    session: Session,
    organ: Organ,
    code: str | None = None,
    *,
    months: int = MONTHS_SHOWN,
    window: int = WINDOW,
) -> OrganTrend:
    """The trend table of ``organ``'s indicator ``code`` (default: its first monthly
    indicator in dictionary order) for its last ``months`` reported months. Computed over
    the whole history, so the first months shown have their year-on-year change and
    their seasonal baseline. Raises :class:`NotMonthly` for an indicator that is not."""
    specs = dictionary(session)
    reported = reported_codes(session, organ.id)
    choices = tuple(s for c, s in specs.items() if c in reported and s.period == "month")
    spec = specs.get(code) if code else (choices[0] if choices else None)
    if code and spec is None:
        raise KeyError(code)
    if spec is not None and spec.period != "month":
        raise NotMonthly(code)
    points = ()
    if spec is not None:
        table = trend_table(monthly_series(session, organ.id, spec.code), window=window)
        points = tuple(table[-months:])
    return OrganTrend(organ, spec, choices, window, points)


# --- correlation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorPair:
    x: IndicatorSpec
    y: IndicatorSpec
    pearson: Correlation
    spearman: Correlation
    q_value: float | None = None  # Pearson's p adjusted for every pair tested

    @property
    def n(self) -> int:
        return self.pearson.n

    @property
    def together(self) -> bool:
        return (self.pearson.coefficient or 0) > 0

    @property
    def direction_zh(self) -> str:
        return "同向变动" if self.together else "反向变动"

    @property
    def direction_en(self) -> str:
        return "move together" if self.together else "move in opposite directions"

    @property
    def strength(self) -> tuple[str, str]:
        return strength(self.pearson.coefficient or 0)

    @property
    def sentence(self) -> tuple[str, str]:
        """One sentence in each language, from :func:`app.analysis.correlation.describe`."""
        return describe(
            self.pearson, (self.x.name_zh, self.x.name_en), (self.y.name_zh, self.y.name_en)
        )


@dataclass(frozen=True)
class CorrelationScan:
    period_from: str | None
    period_to: str | None
    min_n: int
    significance: float
    organs: int  # how many organs' values were read
    tested: int  # pairs with enough observations
    insufficient: int  # pairs with some paired observations, but too few or no variation
    pairs: tuple[IndicatorPair, ...]  # the reported ones, closest co-movement first

    @property
    def method_zh(self) -> str:
        return METHOD_ZH.format(min_n=self.min_n, level=self.significance)

    @property
    def method_en(self) -> str:
        return METHOD_EN.format(min_n=self.min_n, level=self.significance)


def latest_month(session: Session, organ_ids: Sequence[int]) -> str | None:
    """The latest month with a current value of any of these organs."""
    periods = session.scalars(
        sa.select(IndicatorValue.period)
        .distinct()
        .where(IndicatorValue.organ_id.in_(organ_ids), IndicatorValue.is_current)
        .order_by(IndicatorValue.period.desc())
        .limit(24)
    )
    return next((p for p in periods if MONTH.match(p)), None)


def _start_of(period: str) -> date:
    if m := MONTH.match(period):
        return date(int(m[1]), int(m[2]), 1)
    if m := QUARTER.match(period):
        return date(int(m[1]), int(m[2]) * 3 - 2, 1)
    if m := YEAR.match(period):
        return date(int(m[1]), 1, 1)
    raise ValueError(f"not a period: {period!r}")


def within(period: str, first: str, last: str) -> bool:
    """Whether the whole of ``period`` (a month, quarter or year) lies in months first…last."""
    return _start_of(period) >= _start_of(first) and end_of(period) <= end_of(last)


def observations(
    session: Session, organ_ids: Sequence[int], first: str, last: str
) -> dict[str, dict[tuple[int, str], float]]:
    """indicator → {(organ, period): value}: the organs' current values in first…last."""
    found: dict[str, dict[tuple[int, str], float]] = defaultdict(dict)
    rows = session.execute(
        sa.select(
            IndicatorValue.organ_id,
            IndicatorValue.indicator_code,
            IndicatorValue.period,
            IndicatorValue.value,
        ).where(
            IndicatorValue.organ_id.in_(organ_ids),
            IndicatorValue.is_current,
            IndicatorValue.value.is_not(None),
        )
    )
    for organ_id, code, period, value in rows:
        if within(period, first, last):
            found[code][(organ_id, period)] = value
    return found


def correlations(
    session: Session,
    organ_ids: Iterable[int],
    period_from: str | None = None,
    period_to: str | None = None,
    *,
    min_n: int = MIN_N,
    significance: float = SIGNIFICANCE,
) -> CorrelationScan:
    """Every pair of indicators of these organs over months ``period_from``…``period_to``
    (default: the last CORRELATION_MONTHS months with values), tested and reported as the
    module docstring says."""
    organ_ids = sorted(set(organ_ids))
    last = period_to or (latest_month(session, organ_ids) if organ_ids else None)
    if last is None:
        return CorrelationScan(
            period_from, period_to, min_n, significance, len(organ_ids), 0, 0, ()
        )
    first = period_from or shift_month(last, 1 - CORRELATION_MONTHS)
    specs = dictionary(session)
    values = observations(session, organ_ids, first, last)
    tested, insufficient = _pairs(specs, values, min_n)
    q_values = adjusted_p_values([pair.pearson.p_value for pair in tested])
    reported = [
        IndicatorPair(pair.x, pair.y, pair.pearson, pair.spearman, q)
        for pair, q in zip(tested, q_values, strict=True)
        if q < significance
    ]
    reported.sort(key=lambda p: (-abs(p.pearson.coefficient), p.x.code, p.y.code))
    return CorrelationScan(
        first,
        last,
        min_n,
        significance,
        len(organ_ids),
        len(tested),
        insufficient,
        tuple(reported),
    )


def _pairs(
    specs: dict[str, IndicatorSpec], values: dict[str, dict], min_n: int
) -> tuple[list[IndicatorPair], int]:
    """The pairs with enough observations, and how many others overlapped at all."""
    codes = [code for code in specs if code in values]
    tested, insufficient = [], 0
    for a, b in combinations(codes, 2):
        _, xs, ys = paired(values[a], values[b])
        if not xs:
            continue  # never reported by one organ in one period: nothing to compare
        linear = pearson(xs, ys, min_n=min_n)
        if linear.insufficient:
            insufficient += 1
            continue
        tested.append(IndicatorPair(specs[a], specs[b], linear, spearman(xs, ys, min_n=min_n)))
    return tested, insufficient
