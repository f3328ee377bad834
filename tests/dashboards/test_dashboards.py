"""Dashboards: built by the job from stored data, stored with an ETag and a version,
served as stored (304 on a matching If-None-Match), scoped to the tenant and, for an
organ user, to its own organ."""

from __future__ import annotations

import sqlalchemy as sa

from app.dashboards import jobs
from app.dashboards.models import DashboardSnapshot
from app.dashboards.service import etag_of
from app.ratings.models import Rating
from tenants.scoping import system_scope, tenant_scope
from tests.support.http import login

TARGET, SIBLING = "330106", "330105"


def _build(session, world, code=TARGET) -> dict:
    result = jobs.rebuild(session, world.tenant_id(code))
    session.flush()
    return result


def _snapshots(session, world, code=TARGET) -> dict[str, DashboardSnapshot]:
    with tenant_scope(world.tenant_id(code)):
        return {s.name: s for s in session.scalars(sa.select(DashboardSnapshot))}


def test_the_job_builds_every_chart_of_the_tenant_and_its_organs(session, world):
    result = _build(session, world)
    snapshots = _snapshots(session, world)
    court = world.organ_id(TARGET, "court")
    assert {"colours", "heat", "warnings-trend", "tickets"} <= set(snapshots)
    assert {f"organ-{court}-trend", f"organ-{court}-yoy", f"organ-{court}-portrait"} <= set(
        snapshots
    )
    assert result["changed"] + result["unchanged"] == len(snapshots)
    colours = snapshots["colours"].options
    assert colours["series"][0]["type"] == "bar"
    # the chart counts exactly the stored ratings of the period, organ by organ
    with tenant_scope(world.tenant_id(TARGET)):
        period = session.scalar(sa.select(sa.func.max(Rating.period)))
        stored = session.scalar(sa.select(sa.func.count()).where(Rating.period == period))
    drawn = sum(sum(series["data"]) for series in colours["series"])
    assert drawn == stored > 0
    assert snapshots["colours"].etag == etag_of(colours)


def test_a_rebuild_that_changes_nothing_keeps_etag_and_version(session, world):
    _build(session, world)
    before = {n: (s.etag, s.version) for n, s in _snapshots(session, world).items()}
    result = _build(session, world)
    after = {n: (s.etag, s.version) for n, s in _snapshots(session, world).items()}
    assert after == before and result["changed"] == 0 and result["unchanged"] == len(before)


def test_a_changed_input_changes_etag_and_version(session, world):
    _build(session, world)
    before = _snapshots(session, world)["colours"]
    old = (before.etag, before.version)
    with tenant_scope(world.tenant_id(TARGET)):
        rating = session.scalar(sa.select(Rating).order_by(Rating.period.desc()))
        rating.colour = "green" if rating.colour == "red" else "red"
        session.flush()
    _build(session, world)
    after = _snapshots(session, world)["colours"]
    assert after.etag != old[0] and after.version == old[1] + 1


def test_api_serves_the_stored_options_with_etag_and_304(client, session, world):
    _build(session, world)
    login(client, f"{TARGET}-staff")
    listing = client.get(f"/api/v1/t/{TARGET}/dashboards").get_json()["dashboards"]
    assert {"colours", "heat", "tickets"} <= {d["name"] for d in listing}
    first = client.get(f"/api/v1/t/{TARGET}/dashboards/colours")
    assert first.status_code == 200 and first.headers["ETag"]
    stored = _snapshots(session, world)["colours"]
    assert first.get_json()["options"] == stored.options
    assert first.get_json()["version"] == stored.version
    again = client.get(
        f"/api/v1/t/{TARGET}/dashboards/colours",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304 and again.data == b""
    stale = client.get(
        f"/api/v1/t/{TARGET}/dashboards/colours", headers={"If-None-Match": '"stale"'}
    )
    assert stale.status_code == 200


def test_the_request_never_builds(client, session, world):
    """No snapshot stored: the API says 404, it does not build one on the fly."""
    with tenant_scope(world.tenant_id(TARGET)):
        session.execute(sa.delete(DashboardSnapshot))
    login(client, f"{TARGET}-staff")
    assert client.get(f"/api/v1/t/{TARGET}/dashboards/colours").status_code == 404
    assert client.get(f"/api/v1/t/{TARGET}/dashboards").get_json()["dashboards"] == []
    assert _snapshots(session, world) == {}


def test_an_organ_user_sees_only_its_own_organs_charts(client, session, world):
    _build(session, world)
    login(client, f"{TARGET}-court")
    names = {
        d["name"] for d in client.get(f"/api/v1/t/{TARGET}/dashboards").get_json()["dashboards"]
    }
    court = world.organ_id(TARGET, "court")
    assert names == {f"organ-{court}-trend", f"organ-{court}-yoy", f"organ-{court}-portrait"}
    other = world.organ_id(TARGET, "procuratorate")
    assert client.get(f"/api/v1/t/{TARGET}/dashboards/organ-{other}-trend").status_code == 404
    assert client.get(f"/api/v1/t/{TARGET}/dashboards/colours").status_code == 404


def test_another_tenants_dashboard_is_404_and_the_parent_reads_it(client, session, world):
    _build(session, world)
    login(client, f"{SIBLING}-staff")
    assert client.get(f"/api/v1/t/{TARGET}/dashboards").status_code == 404
    assert client.get(f"/api/v1/t/{TARGET}/dashboards/colours").status_code == 404
    client.post("/api/v1/auth/logout", headers={"X-CSRFToken": ""})
    city = client.application.test_client()
    login(city, "330100-staff")
    assert city.get(f"/api/v1/t/{TARGET}/dashboards/colours").status_code == 200


def test_the_page_embeds_the_stored_options_and_when_they_were_built(client, session, world):
    _build(session, world)
    login(client, f"{TARGET}-staff")
    page = client.get(f"/t/{TARGET}/dashboard").get_data(as_text=True)
    assert page.count('data-testid="chart"') == 4
    assert "vendor/echarts/echarts.min.js" in page and "cdn" not in page.lower()
    assert "数据更新于" in page


def test_snapshots_are_tenant_scoped_rows(session, world):
    _build(session, world, TARGET)
    _build(session, world, SIBLING)
    with system_scope():
        owners = set(session.scalars(sa.select(DashboardSnapshot.tenant_id).distinct()))
    assert {world.tenant_id(TARGET), world.tenant_id(SIBLING)} <= owners
    mine = _snapshots(session, world, TARGET)
    assert all(s.tenant_id == world.tenant_id(TARGET) for s in mine.values())
