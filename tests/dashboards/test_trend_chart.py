"""The organ trend chart: each indicator's values, its 3-month moving average, the same
month a year earlier and its bounds, under one legend entry, with known numbers."""

from __future__ import annotations

import sqlalchemy as sa

from app.dashboards import jobs
from app.dashboards.models import DashboardSnapshot
from app.datamart.models import IndicatorValue
from tenants.scoping import system_scope, tenant_scope

TARGET = "330106"
# the world's court reports CT01 = 95 in 2026-09 and 80 in 2026-10 (red in its ratings);
# the test adds August, and September and October of the year before
ADDED = {"2026-08": 85.0, "2025-09": 90.0, "2025-10": 70.0}


def _series_by_id(options: dict) -> dict[str, dict]:
    return {s["id"]: s for s in options["series"]}


def _at(series: dict, months: list[str], period: str):
    point = series["data"][months.index(period)]
    return point[1] if isinstance(point, list) else point


def test_the_trend_chart_draws_moving_average_and_last_year(session, world):
    court = world.organ_id(TARGET, "court")
    with system_scope():
        for period, value in ADDED.items():
            session.add(
                IndicatorValue(
                    tenant_id=world.tenant_id(TARGET),
                    organ_id=court,
                    indicator_code="CT01",
                    period=period,
                    value=value,
                    submitted_by="test",
                )
            )
        session.flush()
    jobs.rebuild(session, world.tenant_id(TARGET))
    session.flush()
    with tenant_scope(world.tenant_id(TARGET)):
        snapshot = session.scalar(
            sa.select(DashboardSnapshot).where(DashboardSnapshot.name == f"organ-{court}-trend")
        )
    options = snapshot.options
    months = options["xAxis"][0]["data"]
    series = _series_by_id(options)
    value, average, last_year = series["CT01-value"], series["CT01-ma3"], series["CT01-last-year"]
    # one legend entry: the three lines share the indicator's name
    assert value["name"] == average["name"] == last_year["name"] == "CT01 结收比"
    assert _at(value, months, "2026-10") == 80
    assert _at(average, months, "2026-10") == round((85 + 95 + 80) / 3, 2)
    assert _at(average, months, "2026-09") is None  # July is missing from its window
    assert _at(last_year, months, "2026-10") == 70 and _at(last_year, months, "2026-09") == 90
    assert _at(last_year, months, "2026-08") is None
    assert average["lineStyle"]["type"] == "dashed"
    # the bounds (CT01: green from 95, red below 85) are lines the scaled axis reaches
    assert set(series["CT01-green-bound"]["data"]) == {95}
    assert set(series["CT01-red-bound"]["data"]) == {85}
    assert series["CT01-red-bound"]["name"] == value["name"]
    assert "移动平均" in options["tooltip"]["formatter"]
    assert "去年同月" in options["tooltip"]["formatter"]
