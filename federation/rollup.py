"""Exact roll-ups in plain Python (no Flask, no SQLAlchemy).

A roll-up adds up *parts*, never values: Σnumerator and Σdenominator for a rate, an
average or a change; Σvalue·weight and Σweight for an index (weighted mean); Σvalue for a
count. The value then follows from the sums by the dictionary's own formula
(``IndicatorSpec.compute_value``), so a city's rate is Σnumerator / Σdenominator of every
organ below it and never a mean of its districts' rates.

Parts are additive, so they fold up a tree: a tenant's total is its own organs' parts plus
its children's totals, and a parent's roll-up is the sum of its children's totals. A
value that cannot be rolled up exactly (a rate with no denominator, an index with no
weight) does not contribute, and its tenant counts as missing unless something else below
it reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.indicators.dictionary import IndicatorSpec


@dataclass(frozen=True, slots=True)
class Parts:
    """Additive sums of some values of one indicator and period."""

    n: int = 0  # values that contributed
    num: float = 0.0
    den: float = 0.0

    def __add__(self, other: Parts) -> Parts:
        return Parts(self.n + other.n, self.num + other.num, self.den + other.den)

    def __bool__(self) -> bool:
        return self.n > 0


NOTHING = Parts()


def parts_of(
    spec: IndicatorSpec, value: float | None, numerator: float | None, denominator: float | None
) -> Parts:
    """What one submitted value contributes (``NOTHING`` when it cannot be rolled up)."""
    if spec.rollup == "sum":
        return NOTHING if value is None else Parts(1, float(value), 0.0)
    if spec.rollup == "weighted_mean":
        if value is None or not denominator or denominator <= 0:
            return NOTHING
        return Parts(1, float(value) * denominator, float(denominator))
    if numerator is None or not denominator or denominator <= 0:
        return NOTHING
    return Parts(1, float(numerator), float(denominator))


def value_of(spec: IndicatorSpec, parts: Parts) -> float | None:
    """The indicator's value from summed parts (None when nothing contributed)."""
    if not parts:
        return None
    if spec.rollup == "sum":
        return parts.num
    if spec.rollup == "weighted_mean":
        return parts.num / parts.den if parts.den else None
    return spec.compute_value(parts.num, parts.den)


def total(parts: Iterable[Parts]) -> Parts:
    out = NOTHING
    for p in parts:
        out = out + p
    return out


def mean_of_values(spec: IndicatorSpec, children: Mapping[str, Parts]) -> float | None:
    """The wrong answer, kept only to show that it differs: the plain mean of the
    children's values. The product never uses it."""
    values = [v for v in (value_of(spec, p) for p in children.values()) if v is not None]
    return sum(values) / len(values) if values else None


def sums_of(spec: IndicatorSpec, sums: Mapping[str, float | int | None]) -> Parts:
    """Parts from the database's per-group aggregates: ``n_ratio``/``num``/``den`` over
    values with a positive denominator, ``n_value``/``sum_value`` over values, and
    ``n_weighted``/``sum_weighted``/``sum_weight`` over values with a positive weight."""
    if spec.rollup == "sum":
        return Parts(int(sums["n_value"] or 0), float(sums["sum_value"] or 0.0), 0.0)
    if spec.rollup == "weighted_mean":
        return Parts(
            int(sums["n_weighted"] or 0),
            float(sums["sum_weighted"] or 0.0),
            float(sums["sum_weight"] or 0.0),
        )
    return Parts(int(sums["n_ratio"] or 0), float(sums["num"] or 0.0), float(sums["den"] or 0.0))
