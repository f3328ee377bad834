"""Correlation analysis (关联分析) between two indicators, with an honest p-value.

The observations are paired by key — usually ``(organ, period)`` — and a pair counts only when
both values are present. Two coefficients:

Pearson
    ``r = Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² · Σ(y − ȳ)²)``: linear co-movement.
Spearman
    Pearson's r of the ranks, tied values sharing the average of their ranks: monotone
    co-movement, robust to outliers and to the scale of the indicators.

The two-sided p-value uses ``t = r·√((n − 2) / (1 − r²))`` against Student's t with n − 2
degrees of freedom: ``p = I_{df/(df + t²)}(df/2, 1/2)``, the regularized incomplete beta
function computed by continued fraction (Numerical Recipes, §6.4). For Spearman this is the
usual large-sample approximation.

Nothing is reported with fewer than ``min_n`` pairs (default 12, a year of months) or when
one indicator does not vary: the result says "insufficient" and why. A correlation is only
ever described as the two indicators moving together (同向变动) or in opposite directions
(反向变动) — never as one causing the other.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

MIN_N = 12
SIGNIFICANCE = 0.05

_MAX_ITERATIONS = 300
_EPS = 3e-16
_TINY = 1e-300


@dataclass(frozen=True)
class Correlation:
    """The outcome of one correlation; ``coefficient`` and ``p_value`` are None if insufficient."""

    method: str  # "pearson" | "spearman"
    n: int
    coefficient: float | None
    p_value: float | None
    reason_zh: str = ""  # why nothing is reported; empty when sufficient
    reason_en: str = ""

    @property
    def insufficient(self) -> bool:
        return self.coefficient is None


# --- the incomplete beta function and Student's t ---------------------------------------------


def betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 ≤ x ≤ 1."""
    if a <= 0 or b <= 0 or not 0 <= x <= 1:
        raise ValueError("betainc needs a > 0, b > 0 and 0 <= x <= 1")
    if x in (0, 1):
        return float(x)
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    # The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry
    # I_x(a, b) = 1 − I_{1−x}(b, a) on the other side.
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1 - math.exp(log_front) * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_ITERATIONS + 1):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > _TINY else _TINY)
            c = 1 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1) < _EPS:
            return h
    raise ArithmeticError(f"betainc({a}, {b}, {x}) did not converge")


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| ≥ |t|) for Student's t with ``df`` degrees of freedom."""
    if df <= 0:
        raise ValueError("df must be positive")
    if math.isinf(t):
        return 0.0
    return betainc(df / 2, 0.5, df / (df + t * t))


def r_p_value(r: float, n: int) -> float:
    """Two-sided p-value of a correlation coefficient ``r`` from ``n`` pairs (n ≥ 3)."""
    if abs(r) >= 1:
        return 0.0
    df = n - 2
    return t_two_sided_p(r * math.sqrt(df / (1 - r * r)), df)


# --- coefficients -----------------------------------------------------------------------------


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1…n; tied values share the mean of the ranks they span: [5, 7, 7] → [1, 2.5, 2.5]."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def pearson(xs: Sequence[float], ys: Sequence[float], *, min_n: int = MIN_N) -> Correlation:
    """Pearson's r of paired values (same length), with n and the two-sided p-value."""
    return _correlate("pearson", list(xs), list(ys), min_n)


def spearman(xs: Sequence[float], ys: Sequence[float], *, min_n: int = MIN_N) -> Correlation:
    """Spearman's rank correlation (average ranks for ties), with n and the p-value."""
    return _correlate("spearman", list(xs), list(ys), min_n)


def _correlate(method: str, xs: list[float], ys: list[float], min_n: int) -> Correlation:
    if len(xs) != len(ys):
        raise ValueError("xs and ys must pair up: they differ in length")
    n = len(xs)
    if n < max(min_n, 3):
        return Correlation(
            method,
            n,
            None,
            None,
            f"配对观测不足（n = {n}，至少需要 {max(min_n, 3)}），不作相关分析",
            f"too few paired observations (n = {n}, at least {max(min_n, 3)} needed); "
            "no correlation reported",
        )
    if method == "spearman":
        xs, ys = average_ranks(xs), average_ranks(ys)
    r = _pearson_r(xs, ys)
    if r is None:
        return Correlation(
            method,
            n,
            None,
            None,
            "至少一个指标在这些观测中没有变化（方差为零），无法计算相关",
            "at least one indicator does not vary across these observations (zero variance); "
            "no correlation can be computed",
        )
    return Correlation(method, n, r, r_p_value(r, n))


def _pearson_r(xs: list[float], ys: list[float]) -> float | None:
    mx, my = fmean(xs), fmean(ys)
    dx = [x - mx for x in xs]
    dy = [y - my for y in ys]
    sxx = math.fsum(d * d for d in dx)
    syy = math.fsum(d * d for d in dy)
    if sxx <= 0 or syy <= 0:
        return None
    r = math.fsum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))  # rounding can overshoot ±1 by an ulp


# --- pairing two indicators -------------------------------------------------------------------


def paired(
    x: Mapping[Hashable, float | None], y: Mapping[Hashable, float | None]
) -> tuple[list[Hashable], list[float], list[float]]:
    """The keys present with a value in both (in ``x``'s order) and the two value lists.

    Keys are usually ``(organ, period)``; None and NaN values are left out.
    """
    keys, xs, ys = [], [], []
    for key, vx in x.items():
        vy = y.get(key)
        if _present(vx) and _present(vy):
            keys.append(key)
            xs.append(float(vx))  # type: ignore[arg-type]
            ys.append(float(vy))  # type: ignore[arg-type]
    return keys, xs, ys


def _present(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def correlate(
    x: Mapping[Hashable, float | None],
    y: Mapping[Hashable, float | None],
    *,
    method: str = "pearson",
    min_n: int = MIN_N,
) -> Correlation:
    """Correlate two indicators given as {(organ, period): value}, over the keys both have."""
    if method not in ("pearson", "spearman"):
        raise ValueError(f"unknown method {method!r}")
    _, xs, ys = paired(x, y)
    return _correlate(method, xs, ys, min_n)


# --- many pairs at once -----------------------------------------------------------------------


def adjusted_p_values(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg q-values, in the order given.

    Scanning every pair of a congress's indicators tests dozens of hypotheses; at p < 0.05
    one in twenty unrelated pairs would look related. ``q_(i) = min over j ≥ i of
    m·p_(j) / j`` (p sorted ascending, m tests, capped at 1) keeps the expected share of
    false discoveries among the pairs reported below the level chosen.
    """
    m = len(p_values)
    order = sorted(range(m), key=p_values.__getitem__)
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, p_values[index] * m / rank)
        adjusted[index] = running
    return adjusted


# --- words ------------------------------------------------------------------------------------

_STRENGTHS = ((0.7, "强", "strongly"), (0.4, "中等程度", "moderately"), (0.2, "弱", "weakly"))


def strength(r: float) -> tuple[str, str]:
    """How closely they move together, by |r|: ≥ 0.7 strong, ≥ 0.4 moderate, ≥ 0.2 weak."""
    for bound, zh, en in _STRENGTHS:
        if abs(r) >= bound:
            return zh, en
    return "极弱", "slightly"


def describe(
    result: Correlation,
    x_name: tuple[str, str],
    y_name: tuple[str, str],
    *,
    significance: float = SIGNIFICANCE,
) -> tuple[str, str]:
    """One sentence in Chinese and English; ``x_name``/``y_name`` are (Chinese, English).

    Says only whether the two move together (同向变动) or in opposite directions (反向变动),
    how closely, and how sure; a co-movement is never called a cause.
    """
    (xz, xe), (yz, ye) = x_name, y_name
    if result.coefficient is None:
        return f"{xz}与{yz}：{result.reason_zh}。", f"{xe} and {ye}: {result.reason_en}."
    r, p = result.coefficient, result.p_value
    stats_zh = f"{_label(result.method)} r = {r:.2f}，n = {result.n}，{_p_text(p)}"
    stats_en = f"{_label(result.method)} r = {r:.2f}, n = {result.n}, {_p_text(p)}"
    if p is None or p >= significance:
        return (
            f"{xz}与{yz}未见明显的同步变动（{stats_zh}）。",
            f"{xe} and {ye} show no clear co-movement ({stats_en}).",
        )
    word_zh, word_en = strength(r)
    way_zh, way_en = ("同向变动", "together") if r > 0 else ("反向变动", "in opposite directions")
    return (
        f"{xz}与{yz}呈{word_zh}的{way_zh}（{stats_zh}）；这只说明两者同步变化的程度。",
        f"{xe} and {ye} move {word_en} {way_en} ({stats_en}); "
        "this describes only how they vary together.",
    )


def _label(method: str) -> str:
    return "Spearman" if method == "spearman" else "Pearson"


def _p_text(p: float | None) -> str:
    if p is None:
        return "p = —"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
