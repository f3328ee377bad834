"""Working days in China, and response deadlines counted in them (plain Python).

A day is a working day when it is Monday to Friday and not an official holiday, or when it
is a Saturday or Sunday that the State Council's notice makes a working day (调休上班).
The holidays and make-up days come from ``data/cn_holidays.toml``, one table per year.

Outside the years that file covers nothing is assumed: every function raises
:class:`CalendarGap` instead of treating unknown dates as ordinary weekdays, because a
deadline silently computed without next year's Spring Festival would be wrong by a week.

Deadline rule (限期反馈): the day a ticket is opened does not count; counting starts the
next day, and the deadline is the n-th working day after the opening day.
"""

from __future__ import annotations

import functools
import tomllib
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any

DEFAULT_PATH = Path(__file__).parent / "data" / "cn_holidays.toml"

FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
NEW_YEAR = "元旦"
# A notice may join two festivals into one period ("中秋节、国庆节"); it counts for both.
JOINER = "、"
# The longest period so far is 9 days (春节 2026); anything much longer is a typo in a date.
MAX_PERIOD_DAYS = 10
SATURDAY = 5


class CalendarGap(ValueError):
    """The computation needs a date outside the years the holiday data covers."""

    def __init__(self, day: date, first_year: int, last_year: int):
        self.day, self.first_year, self.last_year = day, first_year, last_year
        self.message_zh = (
            f"日期 {day.isoformat()} 超出节假日数据范围（{first_year}–{last_year} 年），"
            f"请先补充该年度国务院办公厅放假安排通知"
        )
        self.message_en = (
            f"{day.isoformat()} is outside the holiday calendar ({first_year}–{last_year}); "
            f"add that year's State Council holiday notice first"
        )
        super().__init__(f"{self.message_zh} / {self.message_en}")


class CalendarDataError(ValueError):
    """A holiday file that must not be loaded; the message is Chinese / English."""

    def __init__(self, year: int | None, message_zh: str, message_en: str):
        self.year, self.message_zh, self.message_en = year, message_zh, message_en
        where_zh, where_en = (f"{year} 年：", f"year {year}: ") if year else ("", "")
        super().__init__(f"{where_zh}{message_zh} / {where_en}{message_en}")


@dataclass(frozen=True)
class HolidayPeriod:
    """One holiday period of a notice: ``start`` to ``end`` inclusive are days off, the
    ``makeup`` days (weekends) are worked instead."""

    year: int
    name: str
    start: date
    end: date
    makeup: tuple[date, ...] = ()
    note: str = ""

    def days(self) -> Iterator[date]:
        return _days(self.start, self.end)


@dataclass(frozen=True)
class Calendar:
    """The working-day calendar for ``first_year``..``last_year`` (whole years).

    Built once; every query is a set lookup or a binary search over the precomputed,
    sorted ordinals of all working days, so deadlines are cheap enough for bulk sweeps.
    """

    first_year: int
    last_year: int
    periods: tuple[HolidayPeriod, ...]
    sources: Mapping[int, str] = field(compare=False)
    _names: Mapping[date, str] = field(init=False, repr=False, compare=False)
    _makeup: frozenset[date] = field(init=False, repr=False, compare=False)
    _working: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {day: p.name for p in self.periods for day in p.days()}
        makeup = frozenset(day for p in self.periods for day in p.makeup)
        # frozen=True: the derived lookups are set once here and never change.
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        object.__setattr__(self, "_names", MappingProxyType(names))
        object.__setattr__(self, "_makeup", makeup)
        working = (d.toordinal() for d in _days(self.first_day, self.last_day) if self._works(d))
        object.__setattr__(self, "_working", tuple(working))

    @property
    def first_day(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.last_year, 12, 31)

    def covers(self, day: date) -> bool:
        return self.first_day <= _plain(day) <= self.last_day

    def is_working_day(self, day: date) -> bool:
        """Mon–Fri unless an official holiday; Sat/Sun only if a make-up working day."""
        self._check(day)
        return self._works(day)

    def holiday_name(self, day: date) -> str | None:
        """The festival whose holiday ``day`` is in (e.g. "春节"), or None."""
        self._check(day)
        return self._names.get(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The deadline for a ticket opened on ``start`` with ``n`` working days to answer.

        The opening day does not count, whatever kind of day it is; counting starts the
        next day, and the result is the n-th working day after ``start`` (so it is always a
        working day). ``n = 0`` returns ``start`` itself: "due the day it opens".

        Raises CalendarGap if ``start`` or the deadline lies outside the calendar.
        """
        self._check(start)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"工作日数须为非负整数 / n must be a non-negative integer: {n!r}")
        if n == 0:
            return start
        # bisect_right skips start itself even when it is a working day: it does not count.
        index = bisect_right(self._working, start.toordinal()) + n - 1
        if index >= len(self._working):
            raise CalendarGap(self.last_day + timedelta(days=1), self.first_year, self.last_year)
        return date.fromordinal(self._working[index])

    def working_days_between(self, a: date, b: date) -> int:
        """Working days ``d`` with ``a < d <= b``; negative (the same count) when ``b < a``.

        The same convention as :meth:`add_working_days`, so
        ``working_days_between(start, add_working_days(start, n)) == n``. With ``a`` = today
        and ``b`` = the deadline it is "due in N working days"; a negative result is
        "overdue by -N working days".
        """
        self._check(a)
        self._check(b)
        low, high = sorted((a.toordinal(), b.toordinal()))
        count = bisect_right(self._working, high) - bisect_right(self._working, low)
        return count if a <= b else -count

    def _works(self, day: date) -> bool:
        if day in self._makeup:
            return True
        return day.weekday() < SATURDAY and day not in self._names

    def _check(self, day: date) -> None:
        if not self.covers(day):
            raise CalendarGap(day, self.first_year, self.last_year)


def _plain(day: date) -> date:
    # A datetime is refused: which calendar day an instant falls on depends on the time
    # zone (Beijing time), and that conversion belongs to the caller.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"需要 date 类型 / a datetime.date is required, got {day!r}")
    return day


def _days(first: date, last: date) -> Iterator[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


# --- loading and validation ---------------------------------------------------------------


def load_calendar(path: str | PathLike[str] | None = None) -> Calendar:
    """The calendar from a TOML file; without a path, the shipped one (loaded only once).

    Raises CalendarDataError naming the year on the first problem found.
    """
    if path is None:
        return _shipped()
    return load_calendar_text(Path(path).read_text(encoding="utf-8"))


@functools.cache
def _shipped() -> Calendar:
    return load_calendar_text(DEFAULT_PATH.read_text(encoding="utf-8"))


def load_calendar_text(text: str) -> Calendar:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarDataError(
            None, f"不是有效的 TOML 文件（{exc}）", f"not a valid TOML file ({exc})"
        ) from exc
    return parse_calendar(data)


def parse_calendar(data: Mapping[str, Any]) -> Calendar:
    """Validate a parsed holiday document and build the Calendar."""
    entries = data.get("year")
    if not isinstance(entries, list) or not entries:
        raise CalendarDataError(None, "缺少 [[year]] 年度条目", "no [[year]] entries")
    years = [_parse_year(entry) for entry in entries]
    numbers = [number for number, _, _ in years]
    _check_consecutive(numbers)
    periods = tuple(p for _, _, year_periods in years for p in year_periods)
    _check_disjoint(periods)
    sources = {number: source for number, source, _ in years}
    return Calendar(min(numbers), max(numbers), periods, sources)


def _parse_year(entry: Any) -> tuple[int, str, tuple[HolidayPeriod, ...]]:
    year = entry.get("year") if isinstance(entry, dict) else None
    if isinstance(year, bool) or not isinstance(year, int):
        raise CalendarDataError(
            None, "年度条目缺少整数 year", "a [[year]] entry lacks an integer year"
        )
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise CalendarDataError(
            year, "缺少 source（放假通知名称）", "source (the notice) is missing"
        )
    holidays = entry.get("holidays")
    if not isinstance(holidays, list) or not holidays:
        raise CalendarDataError(year, "缺少 holidays 放假安排", "holidays are missing")
    periods = tuple(_parse_period(year, item) for item in holidays)
    _check_festivals(year, periods)
    return year, source, periods


def _parse_period(year: int, item: Any) -> HolidayPeriod:
    if not isinstance(item, dict):
        raise CalendarDataError(year, "放假安排条目格式有误", "a holidays entry is not a table")
    name = _festival_name(year, item.get("name"))
    start, end = _date(year, name, item.get("start")), _date(year, name, item.get("end"))
    makeup = item.get("makeup", [])
    if not isinstance(makeup, list):
        raise CalendarDataError(
            year, f"{name} 的 makeup 须为日期列表", f"{name}: makeup not a list"
        )
    period = HolidayPeriod(
        year, name, start, end, tuple(_date(year, name, d) for d in makeup), item.get("note", "")
    )
    _check_range(period)
    _check_makeup(period)
    return period


def _festival_name(year: int, name: Any) -> str:
    parts = name.split(JOINER) if isinstance(name, str) else [None]
    if not all(part in FESTIVALS for part in parts) or len(set(parts)) != len(parts):
        raise CalendarDataError(
            year,
            f"未知节日名称 {name!r}（应为 {JOINER.join(FESTIVALS)} 之一或其组合）",
            f"unknown festival name {name!r} (one of {', '.join(FESTIVALS)}, or joined by '、')",
        )
    return name


def _date(year: int, name: str, value: Any) -> date:
    # TOML local dates arrive as date; a datetime or a string is a mistake in the file.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise CalendarDataError(
            year, f"{name} 的日期 {value!r} 不是 TOML 日期", f"{name}: {value!r} is not a TOML date"
        )
    return value


def _may_begin_in_december(period: HolidayPeriod, day: date) -> bool:
    # 元旦 can start in (or borrow a make-up day from) the previous December: 2023's ran
    # 2022-12-31 to 2023-01-02, 2012's made 2011-12-31 a working day.
    return NEW_YEAR in period.name and day.year == period.year - 1 and day.month == 12


def _in_year(period: HolidayPeriod, day: date) -> bool:
    return day.year == period.year or _may_begin_in_december(period, day)


def _check_range(period: HolidayPeriod) -> None:
    year, name, start, end = period.year, period.name, period.start, period.end
    if end < start:
        raise CalendarDataError(year, f"{name} 结束日早于开始日", f"{name}: end before start")
    if not (_in_year(period, start) and end.year == year):
        raise CalendarDataError(
            year,
            f"{name} 的放假日期 {start}–{end} 不在 {year} 年内",
            f"{name}: holiday {start}–{end} is not within {year}",
        )
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise CalendarDataError(
            year,
            f"{name} 放假超过 {MAX_PERIOD_DAYS} 天，日期可能有误",
            f"{name}: longer than {MAX_PERIOD_DAYS} days, a date is probably wrong",
        )


def _check_makeup(period: HolidayPeriod) -> None:
    year, name = period.year, period.name
    for day in period.makeup:
        if not _in_year(period, day):
            raise CalendarDataError(
                year,
                f"{name} 的调休上班日 {day} 不在 {year} 年内",
                f"{name}: make-up day {day} not in {year}",
            )
        if day.weekday() < SATURDAY:
            raise CalendarDataError(
                year,
                f"{name} 的调休上班日 {day} 不是周六或周日",
                f"{name}: make-up working day {day} is not a Saturday or Sunday",
            )


def _check_festivals(year: int, periods: Iterable[HolidayPeriod]) -> None:
    named = [part for p in periods for part in p.name.split(JOINER)]
    for festival in FESTIVALS:
        if named.count(festival) != 1:
            raise CalendarDataError(
                year,
                f"{festival} 应恰好出现一次（实际 {named.count(festival)} 次）",
                f"{festival} must appear exactly once (found {named.count(festival)})",
            )


def _check_consecutive(numbers: list[int]) -> None:
    # A missing year in the middle would be silently treated as having no holidays.
    expected = list(range(min(numbers), max(numbers) + 1))
    if sorted(numbers) != expected:
        raise CalendarDataError(
            None,
            f"年度须连续且不重复，实际为 {sorted(numbers)}",
            f"years must be consecutive and unique, got {sorted(numbers)}",
        )


def _check_disjoint(periods: tuple[HolidayPeriod, ...]) -> None:
    """No date may be listed twice: not as two holidays, nor as a holiday and a make-up day."""
    seen: dict[date, tuple[str, str]] = {}
    for period in periods:
        listed = [(day, "放假日", "holiday") for day in period.days()]
        listed += [(day, "调休上班日", "make-up working day") for day in period.makeup]
        for day, zh, en in listed:
            if day in seen:
                raise CalendarDataError(
                    period.year,
                    f"{day} 重复出现：既是{seen[day][0]}，又是{period.name}的{zh}",
                    f"{day} is listed twice: as {seen[day][1]} and as a {en} of {period.name}",
                )
            seen[day] = (f"{period.name}的{zh}", f"a {en} of {period.name}")


# --- the shipped calendar, for callers that need no other --------------------------------


def is_working_day(day: date, calendar: Calendar | None = None) -> bool:
    return (calendar or load_calendar()).is_working_day(day)


def add_working_days(start: date, n: int, calendar: Calendar | None = None) -> date:
    return (calendar or load_calendar()).add_working_days(start, n)


def working_days_between(a: date, b: date, calendar: Calendar | None = None) -> int:
    return (calendar or load_calendar()).working_days_between(a, b)
