"""Reporting periods ("2025-07", "2025-Q3", "2025"): what has ended, when it was due."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
YEAR = re.compile(r"^(\d{4})$")


def month_of(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def end_of(period: str) -> date:
    """The first day after the period."""
    if m := MONTH.match(period):
        year, month = int(m[1]), int(m[2])
        return date(year + month // 12, month % 12 + 1, 1)
    if m := QUARTER.match(period):
        year, quarter = int(m[1]), int(m[2])
        return date(year + quarter // 4, (quarter * 3) % 12 + 1, 1)
    if m := YEAR.match(period):
        return date(int(m[1]) + 1, 1, 1)
    raise ValueError(f"not a period: {period!r}")


def deadline_of(period: str, grace_days: int) -> datetime:
    """Figures are due ``grace_days`` after the period ends (midnight, Beijing time is
    close enough to UTC+8; stored in UTC)."""
    due = end_of(period) + timedelta(days=grace_days)
    return datetime(due.year, due.month, due.day, tzinfo=UTC) - timedelta(hours=8)


def is_late(period: str, submitted_at: datetime, grace_days: int) -> bool:
    return submitted_at > deadline_of(period, grace_days)


def previous_periods(period: str, count: int) -> list[str]:
    """The ``count`` periods before ``period`` (a month's months, a year's years), oldest
    first."""
    out, current = [], period
    for _ in range(count):
        if YEAR.match(current):
            current = str(int(current) - 1)
        else:
            year, month = int(current[:4]), int(current[5:7])
            current = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
        out.append(current)
    return out[::-1]


def previous_period(period: str) -> str:
    return previous_periods(period, 1)[0]


def recent_months(current: str, count: int) -> list[str]:
    """The ``count`` months that ended before ``current``, newest first."""
    return previous_periods(current, count)[::-1]
