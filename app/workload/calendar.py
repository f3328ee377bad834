"""The calendar's windows and groups, as plain Python: this week (Monday to Sunday), this
month, what is overdue, and for an organ's list everything later too."""

from __future__ import annotations

import calendar as months
from datetime import date, timedelta

from app.workload import DueItem

GROUPS = ("overdue", "this_week", "this_month", "later")
# "Everything the organ owes": open items due within ten years, overdue ones included.
OWED_HORIZON = timedelta(days=3660)


def week_of(day: date) -> tuple[date, date]:
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def month_of(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=months.monthrange(day.year, day.month)[1])


def calendar_window(today: date) -> tuple[date, date]:
    """From the first day of this week or month, whichever is earlier, to the last day of
    this week or month, whichever is later."""
    week, month = week_of(today), month_of(today)
    return min(week[0], month[0]), max(week[1], month[1])


def group(items: list[DueItem], today: date) -> dict[str, list[DueItem]]:
    """Overdue first; then what falls due this week; then the rest of this month; then
    later. An item is in one group only."""
    week, month = week_of(today), month_of(today)
    out: dict[str, list[DueItem]] = {key: [] for key in GROUPS}
    for item in items:
        if item.overdue:
            key = "overdue"
        elif item.due <= week[1]:
            key = "this_week"
        elif item.due <= month[1]:
            key = "this_month"
        else:
            key = "later"
        out[key].append(item)
    return out
