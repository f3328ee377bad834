"""The micro-report composed from plain data: the year's figure by the dictionary's
roll-up rule, its colour, the tickets' timeliness, the portrait and the summary."""

from __future__ import annotations

from datetime import date
from statistics import fmean

import pytest

from app.indicators.dictionary import load_dictionary
from app.reports.micro import (
    NotReported,
    OrganFacts,
    Submitted,
    TicketFacts,
    compose,
    timeliness,
    year_value,
)

SPECS = load_dictionary()
COURT = OrganFacts(1, "court", "西湖区人民法院", "Xihu Court", "district", "西湖区", "Xihu")
PROCURATORATE = OrganFacts(
    2, "procuratorate", "西湖区人民检察院", "Xihu Procuratorate", "district", "西湖区", "Xihu"
)
TODAY = date(2026, 11, 22)


def rate(code: str, period: str, num: float, den: float, scale: float = 100) -> Submitted:
    return Submitted(code, period, num / den * scale, num, den)


def test_a_rate_for_the_year_is_the_ratio_of_the_sums_not_the_mean_of_the_months():
    spec = SPECS.by_code("CT01")
    months = [
        rate("CT01", "2026-01", 95, 100),
        rate("CT01", "2026-02", 80, 100),
        rate("CT01", "2026-03", 450, 500),
        rate("CT01", "2025-12", 10, 100),  # another year: not counted
    ]
    value = year_value(spec, months, "2026")
    assert value == pytest.approx((95 + 80 + 450) / (100 + 100 + 500) * 100)
    assert value != pytest.approx(fmean(m.value for m in months[:3]))


def test_an_average_divides_the_sums_and_a_count_adds_the_months():
    days = SPECS.by_code("CT03")  # average disposition days: Σdays / Σcases
    rows = [Submitted("CT03", "2026-01", 50.0, 500, 10), Submitted("CT03", "2026-02", 80, 800, 10)]
    rows.append(Submitted("CT03", "2026-03", 40.0, 4000, 100))
    assert year_value(days, rows, "2026") == pytest.approx(5300 / 120)
    count = SPECS.by_code("PR01")
    rows = [Submitted("PR01", f"2026-0{m}", 10.0 * m, None, None) for m in (1, 2, 3)]
    assert year_value(count, rows, "2026") == 60.0


def test_a_yearly_indicator_takes_the_value_submitted_for_the_year():
    spec = SPECS.by_code("CT18")
    rows = [rate("CT18", "2025", 870, 1000), rate("CT18", "2026", 930, 1000)]
    assert year_value(spec, rows, "2025") == pytest.approx(87.0)


def test_a_value_without_its_parts_cannot_be_rolled_up_exactly_and_is_left_out():
    spec = SPECS.by_code("CT01")
    rows = [rate("CT01", "2026-01", 90, 100), Submitted("CT01", "2026-02", 50.0, None, None)]
    assert year_value(spec, rows, "2026") == pytest.approx(90.0)


def ticket(**changes) -> TicketFacts:
    fields = {
        "id": 1,
        "indicator_code": "CT01",
        "period": "2026-08",
        "colour": "red",
        "status": "answered",
        "opened_on": date(2026, 9, 20),
        "deadline": date(2026, 9, 27),
        "answered_on": date(2026, 9, 25),
        "answers": 1,
        "returns": 0,
        "escalated": False,
    }
    return TicketFacts(**{**fields, **changes})


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "on_time"),
        ({"answered_on": date(2026, 9, 27)}, "on_time"),  # on the deadline day
        ({"answered_on": date(2026, 9, 28)}, "late"),
        ({"answered_on": None, "status": "open"}, "overdue"),
        ({"answered_on": None, "status": "returned", "deadline": date(2026, 12, 1)}, "pending"),
        ({"answered_on": None, "status": "resolved"}, "resolved_by_data"),
    ],
)
def test_ticket_timeliness(changes, expected):
    assert timeliness(ticket(**changes), TODAY) == expected


def report(**kwargs):
    submitted = [
        rate("CT01", "2026-09", 95, 100),
        rate("CT01", "2026-10", 80, 100),
        rate("CT02", "2026-10", 99, 100),
        Submitted("CT03", "2026-10", 95.0, 950, 10),
    ]
    colours = {("CT01", "2026-10"): "red", ("CT01", "2026-09"): "green"}
    defaults = {
        "organ": COURT,
        "year": "2026",
        "specs": SPECS,
        "submitted": submitted,
        "colours": colours,
        "verdicts": {"2026-10": "warning", "2026-09": "normal"},
        "tickets": [ticket(period="2026-10", status="open", answered_on=None)],
        "today": TODAY,
    }
    return compose(**{**defaults, **kwargs})


def test_the_report_gathers_figures_trend_tickets_and_judgements():
    made = report()
    assert made.months == tuple(f"2026-{m:02d}" for m in range(1, 11))
    ct01 = next(f for f in made.figures if f.code == "CT01")
    assert ct01.value == pytest.approx(87.5)
    assert (ct01.numerator, ct01.denominator, ct01.contributing) == (175, 200, 2)
    assert ct01.colour == "yellow"  # 87.5: between red (85) and green (95)
    assert (ct01.latest_period, ct01.latest_colour) == ("2026-10", "red")
    assert [p.value for p in ct01.trend][-2:] == [95.0, 80.0]
    assert ct01.colour_months == {"green": 1, "red": 1}
    ct03 = next(f for f in made.figures if f.code == "CT03")
    assert ct03.colour == "red"  # 95 days > 90
    assert made.verdicts == {"warning": 1, "normal": 1}
    assert dict(made.verdict_by_month)["2026-10"] == "warning"
    assert made.tickets.by_timeliness["overdue"] == 1
    assert [line.name_zh for line in made.tickets.lines] == ["结收比"]
    assert any("红色 1 项" in line and "黄色 1 项" in line for line in made.summary_zh)
    assert any("逾期未反馈 1 件" in line for line in made.summary_zh)


def test_only_the_indicators_of_the_organs_kind_and_level_are_reported():
    codes = [f.code for f in report().figures]
    assert codes == [s.code for s in SPECS if s.organ_kind == "court" and "district" in s.levels]
    tribunal = OrganFacts(3, "tribunal", "北山人民法庭", "", "township", "北山街道", "")
    assert [f.code for f in report(organ=tribunal).figures] == [
        "CT01",
        "CT02",
        "CT03",
        "CT09",
        "CT10",
    ]


def test_the_portrait_is_drawn_from_the_years_figures():
    made = report()
    assert made.portrait is not None
    efficiency = made.portrait.dimension("效率")
    scored = {i.code: i.value for i in efficiency.indicators}
    assert scored["CT01"] == pytest.approx(87.5)
    assert "效率" in made.portrait.weakest


def test_a_peer_rated_figure_is_not_coloured_without_peers_and_is_with_them():
    rows = [Submitted("PR01", "2026-10", 120.0, None, None)]
    alone = compose(PROCURATORATE, "2026", SPECS, rows, {}, {}, [], today=TODAY)
    pr01 = next(f for f in alone.figures if f.code == "PR01")
    assert (pr01.value, pr01.colour) == (120.0, None)
    peers = {"PR01": [120.0, 1000.0, 1010.0, 990.0, 1005.0, 995.0]}
    compared = compose(
        PROCURATORATE, "2026", SPECS, rows, {}, {}, [], peer_values=peers, today=TODAY
    )
    assert next(f for f in compared.figures if f.code == "PR01").colour == "red"


def test_no_report_on_an_organ_that_is_not_a_court_or_procuratorate():
    police = OrganFacts(4, "public_security", "西湖区公安分局", "", "district", "西湖区", "")
    with pytest.raises(NotReported):
        report(organ=police)


def test_a_year_without_data_has_no_months_no_portrait_and_grey_figures():
    empty = report(submitted=[], colours={}, verdicts={}, tickets=[])
    assert empty.months == ()
    assert empty.portrait is None
    assert {f.colour for f in empty.figures} == {"grey"}
