"""Portraits from the stored values: the same portrait as ``draw_portrait`` on the same
inputs (the organ's values, its siblings' for peer-rated indicators, the congress's
topics), who may read one, the lab sheet's card and the stored radar chart."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.analysis.portrait import FORMULA_ZH, draw_portrait
from app.dashboards import jobs
from app.dashboards.builders import latest_period
from app.dashboards.models import DashboardSnapshot
from app.datamart.models import IndicatorValue
from app.focus.models import Topic
from app.indicators.dictionary import load_dictionary
from app.portraits.service import period_as_of
from tenants.models import Tenant
from tenants.provisioning import add_organ, create_tenant
from tenants.scoping import system_scope, tenant_scope
from tests.support.http import login

DISTRICT = "330106"
PERIOD = "2026-10"  # the world's CT01 month: 80 % for every court
DICTIONARY = load_dictionary()
SPECS = list(DICTIONARY.indicators)
# CT05 (closures per judge, peer-rated) of the court and of its siblings under Hangzhou
MINE, SIBLINGS = 18.0, {"330105": 25.0, "330108": 27.0, "330109": 24.0, "330110": 30.0}
OUTSIDERS = {"330100": 90.0, "330106001": 1.0}  # the city's court, Xihu's own tribunal


def _url(world, kind: str = "court") -> str:
    return f"/api/v1/t/{DISTRICT}/portraits/{world.organ_id(DISTRICT, kind)}"


def _value(session, tenant_id: int, organ_id: int, code: str, value: float) -> None:
    session.add(
        IndicatorValue(
            tenant_id=tenant_id,
            organ_id=organ_id,
            indicator_code=code,
            period=PERIOD,
            value=value,
            numerator=value,
            submitted_by="test",
        )
    )


@pytest.fixture
def peers(session, world):
    """Three more district courts under Hangzhou, and CT05 for every court around."""
    with system_scope():
        city = session.scalar(sa.select(Tenant).where(Tenant.code == "330100"))
        organs = {(code, "court"): world.organ_id(code, "court") for code in ("330105", "330100")}
        organs[("330106001", "tribunal")] = world.organ_id("330106001", "tribunal")
        for code in ("330108", "330109", "330110"):
            tenant = create_tenant(session, code, f"区{code}", "district", city)
            organs[(code, "court")] = add_organ(session, tenant, "court", f"{code}法院").id
        tenants = dict(session.execute(sa.select(Tenant.code, Tenant.id)).all())
        _value(session, world.tenant_id(DISTRICT), world.organ_id(DISTRICT, "court"), "CT05", MINE)
        for (code, _kind), organ_id in organs.items():
            value = SIBLINGS.get(code, OUTSIDERS.get(code))
            _value(session, tenants[code], organ_id, "CT05", value)
        session.flush()


def test_the_portrait_is_draw_portrait_on_the_stored_inputs(client, world, peers):
    login(client, f"{DISTRICT}-staff")
    response = client.get(_url(world), query_string={"period": PERIOD})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    expected = draw_portrait(
        "court",
        {"CT01": 80.0, "CT05": MINE},
        {"CT05": [MINE, *SIBLINGS.values()]},
        specs=SPECS,
        level="district",
    )
    for key, value in expected.as_dict().items():
        assert body[key] == value, key
    assert body["period"] == PERIOD and body["organ"]["kind"] == "court"
    ct05 = next(i for d in body["dimensions"] for i in d["indicators"] if i["code"] == "CT05")
    assert ct05["basis"] == "peers" and ct05["score"] < 60  # far below its four siblings
    assert body["periods"]["CT01"] == PERIOD and body["periods"]["CT18"] == "2025"
    assert body["formula_zh"] == FORMULA_ZH and body["formula_en"].startswith("How the")


def test_the_portrait_points_to_the_congress_s_own_topics(client, session, world, peers):
    with tenant_scope(world.tenant_id(DISTRICT)):
        session.execute(
            sa.update(Topic).where(Topic.code == "trial_efficiency").values(name_zh="办案效率")
        )
    login(client, f"{DISTRICT}-staff")
    body = client.get(_url(world), query_string={"period": PERIOD}).get_json()
    assert "办案效率" in [t["name_zh"] for t in body["topics"]]  # CT05 needs attention


def test_without_enough_peers_a_peer_rated_indicator_has_no_score(client, session, world):
    with system_scope():
        _value(session, world.tenant_id(DISTRICT), world.organ_id(DISTRICT, "court"), "CT05", 18)
        session.flush()
    login(client, f"{DISTRICT}-staff")
    body = client.get(_url(world), query_string={"period": PERIOD}).get_json()
    ct05 = next(i for d in body["dimensions"] for i in d["indicators"] if i["code"] == "CT05")
    assert ct05["value"] == 18 and ct05["score"] is None


@pytest.mark.parametrize(
    ("username", "kind", "status"),
    [
        ("330106-court", "court", 200),  # the organ's own user
        ("330106-court", "procuratorate", 404),  # another organ: as if it did not exist
        ("330106-deputy", "court", 200),
        ("330106-viewer", "procuratorate", 200),
        ("330106-evaluator", "court", 403),
        ("330100-staff", "court", 200),  # ancestors read
        ("330000-admin", "court", 200),
        ("330105-staff", "court", 404),  # siblings never
        ("330105-court", "court", 404),
    ],
)
def test_who_reads_a_portrait(client, world, username, kind, status):
    login(client, username)
    assert client.get(_url(world, kind)).status_code == status


def test_a_bad_period_is_a_422_and_a_missing_organ_a_404(client, world):
    login(client, f"{DISTRICT}-staff")
    assert client.get(_url(world), query_string={"period": "2026-Q3"}).status_code == 422
    assert client.get(f"/api/v1/t/{DISTRICT}/portraits/999999").status_code == 404
    other = world.organ_id("330105", "court")
    assert client.get(f"/api/v1/t/{DISTRICT}/portraits/{other}").status_code == 404


def test_an_organ_with_no_values_has_an_empty_portrait(client, world):
    login(client, f"{DISTRICT}-staff")
    body = client.get(_url(world, "justice_bureau")).get_json()
    assert body["period"] is None and body["overall"] is None
    assert all(d["score"] is None for d in body["dimensions"])


def test_the_lab_sheet_shows_the_portrait_with_its_formula(client, world):
    login(client, f"{DISTRICT}-court")
    court = world.organ_id(DISTRICT, "court")
    html = client.get(f"/t/{DISTRICT}/organs/{court}/lab-sheet").get_data(as_text=True)
    assert 'data-testid="portrait"' in html and 'data-testid="portrait-dimension"' in html
    assert "画像评分方法" in html and "效率" in html
    english = client.get(f"/t/{DISTRICT}/organs/{court}/lab-sheet?lang=en").get_data(as_text=True)
    assert "How the portrait is scored" in english


def test_the_dashboard_job_stores_a_radar_of_the_portrait(client, session, world, peers):
    jobs.rebuild(session, world.tenant_id(DISTRICT))
    court = world.organ_id(DISTRICT, "court")
    with tenant_scope(world.tenant_id(DISTRICT)):
        snapshot = session.scalar(
            sa.select(DashboardSnapshot).where(DashboardSnapshot.name == f"organ-{court}-portrait")
        )
        month = latest_period(session)  # the month the charts are drawn for
    assert snapshot is not None and snapshot.organ_id == court
    login(client, f"{DISTRICT}-staff")
    body = client.get(_url(world), query_string={"period": month}).get_json()
    scored = [d for d in body["dimensions"] if d["score"] is not None]
    (radar,) = snapshot.options["radar"]
    assert [i["name"] for i in radar["indicator"]] == [d["name_zh"] for d in scored]
    (series,) = snapshot.options["series"]
    assert series["type"] == "radar"
    assert series["data"] == [[round(d["score"], 1) for d in scored]]


@pytest.mark.parametrize(
    ("period", "month", "expected"),
    [
        ("month", "2026-10", "2026-10"),
        ("year", "2026-10", "2025"),
        ("year", "2026-12", "2026"),
        ("quarter", "2026-10", "2026-Q3"),
        ("quarter", "2026-09", "2026-Q3"),
        ("quarter", "2026-02", "2025-Q4"),
    ],
)
def test_a_portrait_as_of_a_month_takes_each_indicator_s_latest_complete_period(
    period, month, expected
):
    class Spec:
        pass

    spec = Spec()
    spec.period = period
    assert period_as_of(spec, month) == expected
