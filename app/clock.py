"""One injectable clock: deadlines, sweeps and "the current period" read it, so tests and
the CLI's ``--now`` can move time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, timezone

# Deadlines are days in China: working days count in Beijing time.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

_frozen: ContextVar[datetime | None] = ContextVar("frozen_now", default=None)


def now() -> datetime:
    return _frozen.get() or datetime.now(UTC)


def today() -> date:
    """Today's date in China: a deadline or an "in the future" check is a day in Beijing."""
    return now().astimezone(BEIJING).date()


@contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield moment
    finally:
        _frozen.reset(token)


def last_complete_month(moment: datetime | None = None) -> str:
    """The most recent month that has ended, e.g. "2026-10" during November 2026."""
    moment = moment or now()
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    return f"{year:04d}-{month:02d}"
