"""Freshness: once an import commits, the jobs it starts (inline here, as with no Redis)
rate it, roll it up and rebuild the dashboards of every tenant that reads it within
seconds; the dashboard page, the city's overview and the micro-report say when their data
was last rebuilt."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.clock import last_complete_month
from app.dashboards.models import DashboardSnapshot
from app.datamart.models import ImportBatch
from app.ratings.models import Rating
from app.web.supervision import beijing
from federation.models import Rollup
from tenants.scoping import system_scope
from tests.support.http import csrf, login

TARGET, SIBLING, CITY, PROVINCE = "330106", "330105", "330100", "330000"
WITHIN = timedelta(seconds=10)
# CT01 of the last complete month: the world holds it red (80); 97 is green
CSV = "期间,机关,指标代码,分子,分母,数值,说明\n{period},西湖区人民法院,CT01,97,100,,\n"


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite keeps no zone


def _snapshots(session, world, code) -> dict[str, tuple[int, datetime]]:
    with system_scope():
        rows = session.execute(
            sa.select(
                DashboardSnapshot.name, DashboardSnapshot.version, DashboardSnapshot.built_at
            ).where(DashboardSnapshot.tenant_id == world.tenant_id(code))
        )
        return {name: (version, _utc(built)) for name, version, built in rows}


@pytest.fixture
def imported(client, session, world):
    """The court's import of one changed figure, committed; returns when it finished."""
    login(client, f"{TARGET}-court")
    body = CSV.format(period=last_complete_month()).encode()
    response = client.post(
        f"/api/v1/t/{TARGET}/imports",
        data={"file": (io.BytesIO(body), "ct01.csv")},
        headers={"X-CSRFToken": csrf(client)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["status"] == "succeeded"
    with system_scope():
        finished = session.scalar(
            sa.select(ImportBatch.finished_at).where(ImportBatch.id == response.get_json()["id"])
        )
    client.post("/api/v1/auth/logout", headers={"X-CSRFToken": csrf(client)})
    return _utc(finished)


def test_an_import_rebuilds_every_dashboard_that_reads_it_within_seconds(
    client, session, world, request
):
    before = {code: _snapshots(session, world, code) for code in (TARGET, SIBLING)}
    assert before[TARGET] and before[SIBLING]
    assert not _snapshots(session, world, CITY)  # the world builds the districts' only
    finished = request.getfixturevalue("imported")
    court = world.organ_id(TARGET, "court")
    after = {code: _snapshots(session, world, code) for code in (TARGET, SIBLING, CITY, PROVINCE)}
    # the district, its sibling (rated against the moved peers) and its ancestors
    for code, snapshots in after.items():
        assert snapshots, code
        for name, (_version, built) in snapshots.items():
            assert finished <= built <= finished + WITHIN, (code, name, built, finished)
            if name in before.get(code, {}):
                assert built > before[code][name][1], (code, name)
    # what the figure changed has a new version: its colour, and the court's trend line
    for name in ("colours", f"organ-{court}-trend"):
        assert after[TARGET][name][0] == before[TARGET][name][0] + 1, name


def test_the_pages_say_when_their_data_was_last_rebuilt(client, session, world, imported):
    finished = imported
    staff = client.application.test_client()
    login(staff, f"{TARGET}-staff")
    built = max(
        built
        for name, (_v, built) in _snapshots(session, world, TARGET).items()
        if "organ" not in name
    )
    dashboard = staff.get(f"/t/{TARGET}/dashboard").get_data(as_text=True)
    assert f"数据更新于 {beijing(built)}" in dashboard

    court = world.organ_id(TARGET, "court")
    with system_scope():
        rated = _utc(
            session.scalar(
                sa.select(sa.func.max(Rating.computed_at)).where(Rating.organ_id == court)
            )
        )
    assert finished <= rated <= finished + WITHIN
    report = staff.get(
        f"/t/{TARGET}/reports/micro",
        query_string={"organ": court, "year": last_complete_month()[:4]},
    )
    assert report.status_code == 200
    assert f"数据更新于 {beijing(rated)}" in report.get_data(as_text=True)

    city = client.application.test_client()
    login(city, f"{CITY}-staff")
    with system_scope():
        rolled = _utc(
            session.scalar(
                sa.select(sa.func.max(Rollup.computed_at)).where(
                    Rollup.tenant_id == world.tenant_id(CITY)
                )
            )
        )
    assert finished <= rolled <= finished + WITHIN
    overview = city.get(f"/t/{CITY}/federation").get_data(as_text=True)
    assert f"数据更新于 {beijing(rolled)}" in overview
    english = city.get(f"/t/{CITY}/federation?lang=en").get_data(as_text=True)
    assert f"Data rebuilt at {beijing(rolled)}" in english
