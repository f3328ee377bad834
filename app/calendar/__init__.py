"""China's working-day calendar: official holidays and make-up working days (调休上班) as
data (``data/cn_holidays.toml``), and the deadline arithmetic built on it
(:mod:`app.calendar.workdays`, plain Python)."""
