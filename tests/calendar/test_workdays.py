"""Working days and response deadlines over China's official holidays and 调休 make-up days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.calendar.workdays import (
    DEFAULT_PATH,
    FESTIVALS,
    Calendar,
    CalendarDataError,
    CalendarGap,
    add_working_days,
    is_working_day,
    load_calendar,
    working_days_between,
)

CAL = load_calendar()


# --- the shipped data ----------------------------------------------------------------------


def test_covers_2021_to_2026_and_is_loaded_once():
    assert (CAL.first_year, CAL.last_year) == (2021, 2026)
    assert load_calendar() is CAL
    with pytest.raises(AttributeError):
        CAL.first_year = 2020  # frozen


def test_every_year_names_its_state_council_notice():
    for year in range(2021, 2027):
        assert f"国务院办公厅关于{year}年部分节假日安排的通知" in CAL.sources[year]


def test_every_year_has_every_festival():
    for year in range(2021, 2027):
        names = {part for p in CAL.periods if p.year == year for part in p.name.split("、")}
        assert names == set(FESTIVALS)


@pytest.mark.parametrize(
    "day",
    [
        # 2024: 春节 Feb 10–17, 劳动节 May 1–5, 国庆 Oct 1–7
        *(date(2024, 2, d) for d in range(10, 18)),
        *(date(2024, 5, d) for d in range(1, 6)),
        *(date(2024, 10, d) for d in range(1, 8)),
        # 2025: 春节 Jan 28–Feb 4, 国庆+中秋 Oct 1–8
        date(2025, 1, 28), date(2025, 2, 4), *(date(2025, 10, d) for d in range(1, 9)),
        # 2026: 元旦 Jan 1–3, 春节 Feb 15–23, 清明 Apr 4–6, 劳动节 May 1–5, 端午 Jun 19–21,
        # 中秋 Sep 25–27, 国庆 Oct 1–7
        date(2026, 1, 2), *(date(2026, 2, d) for d in range(15, 24)), date(2026, 4, 6),
        date(2026, 5, 5), date(2026, 6, 19), date(2026, 9, 25), date(2026, 10, 7),
        # 2023's 元旦 began on 2022-12-31; its Monday, Jan 2, is off.
        date(2023, 1, 2),
    ],
)  # fmt: skip
def test_holidays_are_days_off(day):
    assert not CAL.is_working_day(day)
    assert CAL.holiday_name(day) is not None


@pytest.mark.parametrize(
    "day",
    [
        date(2024, 2, 4), date(2024, 2, 18), date(2024, 4, 28), date(2024, 5, 11),
        date(2024, 9, 29), date(2024, 10, 12),
        date(2025, 1, 26), date(2025, 2, 8), date(2025, 9, 28), date(2025, 10, 11),
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
        date(2026, 9, 20), date(2026, 10, 10),
    ],
)  # fmt: skip
def test_make_up_weekend_days_are_working_days(day):
    assert day.weekday() >= 5
    assert CAL.is_working_day(day)


def test_plain_days():
    assert CAL.is_working_day(date(2024, 3, 8))  # a Friday
    assert not CAL.is_working_day(date(2024, 3, 9))  # Saturday
    assert not CAL.is_working_day(date(2024, 3, 10))  # Sunday
    # 除夕 2024-02-09 was only "encouraged" off by the notice: officially a working day.
    assert CAL.is_working_day(date(2024, 2, 9))
    assert CAL.holiday_name(date(2024, 3, 8)) is None


def test_working_days_per_year():
    # Weekdays minus weekday holidays plus make-up days; 2025 is 261 - 18 + 5.
    counts = {
        year: CAL.working_days_between(date(year, 1, 1) - timedelta(days=1), date(year, 12, 31))
        for year in range(2022, 2027)
    }
    assert counts == {2022: 249, 2023: 249, 2024: 251, 2025: 248, 2026: 248}


# --- deadlines -------------------------------------------------------------------------------


def test_across_the_2024_spring_festival():
    # Opened Fri 2024-02-09 (a working day; the opening day never counts), 5 working days:
    #   Feb 10–17 春节 holiday, not counted
    #   Sun Feb 18 make-up working day -> 1
    #   Mon Feb 19 -> 2, Tue Feb 20 -> 3, Wed Feb 21 -> 4, Thu Feb 22 -> 5
    assert CAL.add_working_days(date(2024, 2, 9), 5) == date(2024, 2, 22)
    assert CAL.add_working_days(date(2024, 2, 9), 1) == date(2024, 2, 18)


def test_across_the_2025_national_day():
    # Opened Tue 2025-09-30, 3 working days: Oct 1–8 holiday; Thu Oct 9 -> 1,
    # Fri Oct 10 -> 2, Sat Oct 11 (make-up) -> 3.
    assert CAL.add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)
    # Opened Fri 2025-09-26: Sat Sep 27 is a weekend, Sun Sep 28 a make-up day -> 1.
    assert CAL.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)


def test_make_up_saturdays_count():
    # Fri 2025-02-07 + 1: Sat Feb 8 is worked.
    assert CAL.add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)
    # Fri 2026-02-27 + 1: Sat Feb 28 is worked.
    assert CAL.add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)


def test_plain_weekend_is_skipped():
    # Fri 2024-03-08 + 1 -> Mon Mar 11; + 5 -> Fri Mar 15.
    assert CAL.add_working_days(date(2024, 3, 8), 1) == date(2024, 3, 11)
    assert CAL.add_working_days(date(2024, 3, 8), 5) == date(2024, 3, 15)
    # Opened on Saturday: counting starts on Sunday, the first working day is Monday.
    assert CAL.add_working_days(date(2024, 3, 9), 1) == date(2024, 3, 11)


def test_opening_on_a_holiday():
    # Mon 2024-02-12 is inside the Spring Festival: the next working day is Sun Feb 18.
    assert CAL.add_working_days(date(2024, 2, 12), 1) == date(2024, 2, 18)
    # 2025-10-01 (National Day) + 2: Thu Oct 9 -> 1, Fri Oct 10 -> 2.
    assert CAL.add_working_days(date(2025, 10, 1), 2) == date(2025, 10, 10)


def test_zero_days_is_the_opening_day_itself():
    assert CAL.add_working_days(date(2024, 3, 8), 0) == date(2024, 3, 8)
    assert CAL.add_working_days(date(2024, 2, 12), 0) == date(2024, 2, 12)  # even a holiday


@pytest.mark.parametrize("n", [-1, 1.5, True, "3"])
def test_n_must_be_a_non_negative_integer(n):
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2024, 3, 8), n)


def test_datetimes_are_refused():
    # Which calendar day an instant falls on depends on the time zone: the caller decides.
    with pytest.raises(TypeError):
        CAL.is_working_day(datetime(2024, 3, 8, 12, 0))
    with pytest.raises(TypeError):
        CAL.add_working_days("2024-03-08", 1)


def test_working_days_between():
    assert CAL.working_days_between(date(2024, 2, 9), date(2024, 2, 22)) == 5
    assert CAL.working_days_between(date(2024, 2, 22), date(2024, 2, 9)) == -5  # overdue by 5
    assert CAL.working_days_between(date(2024, 2, 22), date(2024, 2, 22)) == 0
    # Nothing but holiday and weekend in between.
    assert CAL.working_days_between(date(2024, 2, 9), date(2024, 2, 17)) == 0
    assert CAL.working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0


@given(
    start=st.dates(min_value=date(2021, 1, 1), max_value=date(2026, 10, 31)),
    n=st.integers(min_value=0, max_value=30),
)
def test_between_inverts_add(start, n):
    deadline = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, deadline) == n
    assert CAL.working_days_between(deadline, start) == -n
    if n:
        assert deadline > start
        assert CAL.is_working_day(deadline)
        assert CAL.add_working_days(start, n - 1) < deadline


def test_module_functions_use_the_shipped_calendar():
    assert is_working_day(date(2025, 2, 8))
    assert add_working_days(date(2024, 2, 9), 5) == date(2024, 2, 22)
    assert working_days_between(date(2024, 2, 9), date(2024, 2, 22)) == 5


# --- outside the calendar ------------------------------------------------------------------


@pytest.mark.parametrize("day", [date(2030, 6, 3), date(2027, 1, 4), date(2020, 12, 31)])
def test_dates_outside_the_data_are_a_gap(day):
    with pytest.raises(CalendarGap) as caught:
        CAL.is_working_day(day)
    assert caught.value.day == day
    assert (caught.value.first_year, caught.value.last_year) == (2021, 2026)
    assert "超出节假日数据范围" in caught.value.message_zh
    assert "outside the holiday calendar" in caught.value.message_en
    with pytest.raises(CalendarGap):
        CAL.add_working_days(day, 1)
    with pytest.raises(CalendarGap):
        CAL.working_days_between(date(2026, 3, 2), day)


def test_a_deadline_running_past_the_data_is_a_gap():
    # Wed 2026-12-30 + 1 is Thu Dec 31, still covered; + 2 would be in 2027.
    assert CAL.add_working_days(date(2026, 12, 30), 1) == date(2026, 12, 31)
    with pytest.raises(CalendarGap) as caught:
        CAL.add_working_days(date(2026, 12, 30), 2)
    assert caught.value.day == date(2027, 1, 1)
    assert isinstance(caught.value, ValueError)


# --- validation of the data file ----------------------------------------------------------

YEAR_2024 = """
[[year]]
year = 2024
source = "国务院办公厅关于2024年部分节假日安排的通知"
holidays = [
  { name = "元旦", start = 2024-01-01, end = 2024-01-01, makeup = [] },
  { name = "春节", start = 2024-02-10, end = 2024-02-17, makeup = [2024-02-04, 2024-02-18] },
  { name = "清明节", start = 2024-04-04, end = 2024-04-06, makeup = [2024-04-07] },
  { name = "劳动节", start = 2024-05-01, end = 2024-05-05, makeup = [2024-04-28, 2024-05-11] },
  { name = "端午节", start = 2024-06-10, end = 2024-06-10, makeup = [] },
  { name = "中秋节", start = 2024-09-15, end = 2024-09-17, makeup = [2024-09-14] },
  { name = "国庆节", start = 2024-10-01, end = 2024-10-07, makeup = [2024-09-29, 2024-10-12] },
]
"""


def _load(tmp_path, text: str) -> Calendar:
    path = tmp_path / "holidays.toml"
    path.write_text(text, encoding="utf-8")
    return load_calendar(path)


def test_a_valid_file_loads(tmp_path):
    cal = _load(tmp_path, YEAR_2024)
    assert (cal.first_year, cal.last_year) == (2024, 2024)
    assert cal.add_working_days(date(2024, 2, 9), 5) == date(2024, 2, 22)
    with pytest.raises(CalendarGap):
        cal.is_working_day(date(2025, 1, 2))


def test_new_year_may_begin_in_the_previous_december(tmp_path):
    text = YEAR_2024.replace("start = 2024-01-01", "start = 2023-12-30")
    cal = _load(tmp_path, text)
    assert cal.holiday_name(date(2024, 1, 1)) == "元旦"


def test_combined_festivals_count_for_both(tmp_path):
    text = YEAR_2024.replace(
        '{ name = "中秋节", start = 2024-09-15, end = 2024-09-17, makeup = [2024-09-14] },\n', ""
    ).replace('name = "国庆节"', 'name = "中秋节、国庆节"')
    assert _load(tmp_path, text).holiday_name(date(2024, 10, 3)) == "中秋节、国庆节"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # a make-up day that is also a holiday
        ("makeup = [2024-02-04, 2024-02-18]", "makeup = [2024-02-04, 2024-02-17]", "listed twice"),
        # a make-up day on a weekday (Mon 2024-02-19)
        ("makeup = [2024-02-04, 2024-02-18]", "makeup = [2024-02-19]", "not a Saturday"),
        # the same make-up day twice
        ("makeup = [2024-04-07]", "makeup = [2024-04-07, 2024-04-07]", "listed twice"),
        # two holidays overlapping
        ("start = 2024-06-10, end = 2024-06-10", "start = 2024-05-05, end = 2024-05-05",
         "listed twice"),
        # a holiday outside its year (only 元旦 may start in the previous December)
        ("start = 2024-02-10", "start = 2023-02-10", "not within 2024"),
        ("start = 2024-10-01, end = 2024-10-07", "start = 2024-10-01, end = 2025-01-01",
         "not within 2024"),
        ("makeup = [2024-02-04, 2024-02-18]", "makeup = [2023-02-04]", "not in 2024"),
        ("start = 2024-01-01, end = 2024-01-01", "start = 2023-11-30, end = 2024-01-01",
         "not within 2024"),
        # end before start; an implausibly long period (a typo in a date)
        ("start = 2024-04-04, end = 2024-04-06", "start = 2024-04-06, end = 2024-04-04",
         "end before start"),
        ("start = 2024-05-01, end = 2024-05-05", "start = 2024-05-01, end = 2024-05-15",
         "longer than"),
        # festival names: unknown, missing, duplicated
        ('name = "端午节"', 'name = "龙舟节"', "unknown festival"),
        ('name = "端午节"', 'name = "中秋节"', "端午节 must appear exactly once (found 0)"),
        ('name = "国庆节"', 'name = "中秋节、国庆节"', "中秋节 must appear exactly once (found 2)"),
        ('name = "国庆节"', 'name = "国庆节、国庆节"', "unknown festival"),
        # dates that are not TOML dates; no source
        ("end = 2024-06-10,", 'end = "2024-06-10",', "not a TOML date"),
        ("end = 2024-06-10,", "end = 2024-06-10T00:00:00,", "not a TOML date"),
        ('source = "国务院办公厅关于2024年部分节假日安排的通知"', 'source = " "', "source"),
        ("makeup = [2024-04-07]", "makeup = 2024-04-07", "not a list"),
        ("year = 2024", 'year = "2024"', "integer year"),
        ("holidays = [", "holidays_ = [", "holidays are missing"),
    ],
)  # fmt: skip
def test_broken_data_is_refused(tmp_path, old, new, message):
    assert old in YEAR_2024
    with pytest.raises(CalendarDataError) as caught:
        _load(tmp_path, YEAR_2024.replace(old, new, 1))
    assert message in str(caught.value)
    assert caught.value.message_zh and caught.value.message_en


def test_years_must_be_consecutive(tmp_path):
    # A year missing in the middle would otherwise pass for a year without holidays.
    shipped = DEFAULT_PATH.read_text(encoding="utf-8")
    cut_from = shipped.index("[[year]]\nyear = 2025")
    cut_to = shipped.index("[[year]]\nyear = 2026")
    with pytest.raises(CalendarDataError, match="consecutive"):
        _load(tmp_path, shipped[:cut_from] + shipped[cut_to:])
    with pytest.raises(CalendarDataError, match="consecutive"):
        _load(tmp_path, YEAR_2024 + YEAR_2024)


@pytest.mark.parametrize("text", ["", "year = 2024", "[[year]\nyear = 2024"])
def test_empty_or_invalid_toml_is_refused(tmp_path, text):
    with pytest.raises(CalendarDataError):
        _load(tmp_path, text)
