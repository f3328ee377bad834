"""Period arithmetic for the analyses: months, quarters and years as consecutive integers.

A period is "YYYY-MM", "YYYY-Qn" or "YYYY". Turning it into an index (months since year 0,
quarters since year 0, the year) lets the analyses key everything by period, so a missing
month leaves a gap instead of shifting the months after it.
"""

from __future__ import annotations

import re

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def month_index(period: str) -> int:
    """ "2025-03" → 2025·12 + 2; ValueError for anything but a month."""
    match = _MONTH.match(period)
    if not match:
        raise ValueError(f"not a month (YYYY-MM): {period!r}")
    return int(match[1]) * 12 + int(match[2]) - 1


def month_at(index: int) -> str:
    """The inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift_month(period: str, months: int) -> str:
    """``period`` moved by ``months`` (negative: earlier)."""
    return month_at(month_index(period) + months)


def period_index(period: str) -> tuple[str, int]:
    """(granularity, index) with consecutive indices for consecutive periods."""
    if match := _MONTH.match(period):
        return "month", int(match[1]) * 12 + int(match[2]) - 1
    if match := _QUARTER.match(period):
        return "quarter", int(match[1]) * 4 + int(match[2]) - 1
    if match := _YEAR.match(period):
        return "year", int(match[1])
    raise ValueError(f"not a period (YYYY-MM, YYYY-Qn or YYYY): {period!r}")


def containing(month: str, granularity: str) -> str:
    """The period of ``granularity`` that contains ``month``: "2025-05" → "2025-Q2", "2025"."""
    year, number = int(month[:4]), month_index(month) % 12 + 1
    if granularity == "month":
        return month
    if granularity == "quarter":
        return f"{year:04d}-Q{(number - 1) // 3 + 1}"
    if granularity == "year":
        return f"{year:04d}"
    raise ValueError(f"unknown granularity {granularity!r}")


def last_periods(month: str, granularity: str, count: int) -> list[str]:
    """The ``count`` periods of ``granularity`` ending with the one containing ``month``,
    oldest first: ("2025-06", "quarter", 3) → 2024-Q4, 2025-Q1, 2025-Q2."""
    _, end = period_index(containing(month, granularity))
    return [_period_at(granularity, index) for index in range(end - count + 1, end + 1)]


def _period_at(granularity: str, index: int) -> str:
    if granularity == "month":
        return month_at(index)
    if granularity == "quarter":
        return f"{index // 4:04d}-Q{index % 4 + 1}"
    return f"{index:04d}"
