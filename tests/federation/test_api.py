"""The federation's read API: a parent's exact roll-ups and common problems, its children
compared (ranking, heat, distribution, trend, drill-down), and who may read what: the
congress and its ancestors, never a sibling; roll-ups and ratings, never raw values
unless the tree grants them."""

from __future__ import annotations

import pytest

from app.datamart.models import IndicatorValue
from federation import jobs, views
from tenants.models import Tenant
from tenants.scoping import system_scope
from tests.support.http import login
from tests.support.world import WORLD_MONTH

CITY, XIHU, GONGSHU, BEISHAN = "330100", "330106", "330105", "330106001"


def _get(client, user: str, url: str):
    login(client, user)
    return client.get(f"/api/v1/t/{url}")


def _ok(client, user: str, url: str) -> dict:
    response = _get(client, user, url)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def august(session, world):
    """CT01 (higher is better) and CT03 (lower is better) of both districts' courts for
    2026-08, rolled up: Xihu 90 % and 30 days, Gongshu 70 % and 20 days."""
    figures = {XIHU: ((90, 100), (300, 10)), GONGSHU: ((70, 100), (200, 10))}
    with system_scope():
        for code, ((n1, d1), (n3, d3)) in figures.items():
            for indicator, num, den, value in (
                ("CT01", n1, d1, n1 / d1 * 100),
                ("CT03", n3, d3, n3 / d3),
            ):
                session.add(
                    IndicatorValue(
                        tenant_id=world.tenant_id(code),
                        organ_id=world.organ_id(code, "court"),
                        indicator_code=indicator,
                        period="2026-08",
                        numerator=num,
                        denominator=den,
                        value=value,
                        submitted_by="test",
                    )
                )
        session.flush()
        jobs.rebuild(session)
        session.commit()
    return "2026-08"


# -- roll-ups --------------------------------------------------------------------------


def test_the_city_rollup_is_exact_with_each_child_part_and_its_own_apart(client):
    body = _ok(client, f"{CITY}-staff", f"{CITY}/rollups?indicator=CT01&period=2026-10")
    (row,) = body["rollups"]
    # Xihu's court and Beishan's tribunal (80 + 80 of 200), Gongshu's court (80 of 100)
    assert (row["numerator"], row["denominator"], row["value"]) == (240, 300, 80)
    parts = {p["code"]: (p["numerator"], p["denominator"]) for p in row["parts"]}
    assert parts == {XIHU: (160, 200), GONGSHU: (80, 100)}
    assert row["coverage"] == {"reporting": [GONGSHU, XIHU], "missing": [], "complete": True}
    assert row["own"] == {"numerator": 80, "denominator": 100, "value": 80}
    assert row["colour"] in ("green", "yellow", "red")
    assert row["reason_zh"] and row["reason_en"]
    assert row["indicator"]["name_zh"] and row["indicator"]["direction"] == "up"


def test_rollups_default_to_the_latest_period(client):
    body = _ok(client, f"{CITY}-viewer", f"{CITY}/rollups")
    assert body["period"] == "2026-10"
    assert {r["indicator"]["code"] for r in body["rollups"]} == {"CT01"}


def test_ancestors_read_rollups_and_a_sibling_gets_404(client):
    assert _ok(client, "330000-admin", f"{CITY}/rollups")["rollups"]
    district = _ok(client, f"{CITY}-staff", f"{XIHU}/rollups?indicator=CT01")["rollups"]
    assert [p["code"] for p in district[0]["parts"]] == [BEISHAN]
    assert _get(client, f"{GONGSHU}-staff", f"{XIHU}/rollups").status_code == 404
    assert _get(client, f"{BEISHAN}-admin", f"{XIHU}/rollups").status_code == 404


@pytest.mark.parametrize("granted", [False, True])
def test_the_city_reads_raw_values_of_a_district_only_where_the_tree_grants_it(
    client, session, world, granted
):
    with system_scope():
        session.get(Tenant, world.tenant_id(XIHU)).raw_readable_by_ancestors = granted
        session.commit()
    assert _get(client, f"{CITY}-staff", f"{XIHU}/rollups").status_code == 200
    status = _get(client, f"{CITY}-staff", f"{XIHU}/values").status_code
    assert status == (200 if granted else 404)
    assert _get(client, f"{GONGSHU}-staff", f"{XIHU}/values").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=2026-13", "period"),
        ("period=July", "period"),
        ("indicator=ZZ99", "indicator"),
        ("indicator=ct01", "indicator"),
    ],
)
def test_bad_queries_get_422_in_both_languages(client, query, field):
    response = _get(client, f"{CITY}-staff", f"{CITY}/rollups?{query}")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (
        error["message_zh"] and error["message_en"] and error["message_zh"] != error["message_en"]
    )
    assert field in error["fields"]


def test_organ_and_evaluator_users_get_403_in_their_own_tenant(client):
    for user in (f"{CITY}-court", f"{CITY}-evaluator"):
        for url in ("rollups", "common-problems", "federation/heat", "joint-supervisions"):
            assert _get(client, user, f"{CITY}/{url}").status_code == 403, (user, url)


# -- common problems -------------------------------------------------------------------


def test_common_problems_carry_their_evidence_and_suggested_form(client, world):
    body = _ok(client, f"{CITY}-deputy", f"{CITY}/common-problems")
    assert body["period"] == WORLD_MONTH
    (problem,) = body["common_problems"]
    assert problem["id"] == world.problems[CITY] and problem["indicator"] == "CT01"
    assert {e["code"] for e in problem["evidence"]} == {XIHU, GONGSHU}
    assert all(e["colour"] == "red" and e["source"] for e in problem["evidence"])
    assert problem["suggested_form"] in ("joint_supervision", "inquiry", "interpellation")
    assert problem["suggested_form_zh"] and problem["suggested_form_en"]
    assert problem["reason_zh"] and problem["reason_en"]
    assert _ok(client, f"{CITY}-staff", f"{CITY}/common-problems?period=2020-01") == {
        "period": "2020-01",
        "common_problems": [],
    }


def test_a_sibling_or_a_child_never_sees_the_citys_common_problems(client):
    assert _get(client, "330200-admin", f"{CITY}/common-problems").status_code == 404
    assert _get(client, f"{XIHU}-admin", f"{CITY}/common-problems").status_code == 404
    assert _ok(client, f"{XIHU}-admin", f"{XIHU}/common-problems")["common_problems"] == []


# -- the children compared -------------------------------------------------------------


def test_ranking_on_an_indicator_follows_its_direction(client, august):
    up = _ok(client, f"{CITY}-staff", f"{CITY}/federation/ranking?indicator=CT01&period={august}")
    assert [(r["rank"], r["code"], r["value"]) for r in up["rows"]] == [
        (1, XIHU, 90),
        (2, GONGSHU, 70),
    ]
    down = _ok(client, f"{CITY}-staff", f"{CITY}/federation/ranking?indicator=CT03&period={august}")
    assert [(r["rank"], r["code"], r["value"]) for r in down["rows"]] == [
        (1, GONGSHU, 20),
        (2, XIHU, 30),
    ]
    assert down["indicator"]["direction"] == "down"


def test_equal_values_share_a_rank(client):
    body = _ok(client, f"{CITY}-staff", f"{CITY}/federation/ranking?indicator=CT01&period=2026-10")
    assert [(r["rank"], r["value"]) for r in body["rows"]] == [(1, 80), (1, 80)]


def test_ranking_on_a_dimension_scores_the_share_rated_green(client):
    period = WORLD_MONTH
    body = _ok(client, f"{CITY}-staff", f"{CITY}/federation/ranking?dimension=效率&period={period}")
    assert body["dimension"] == "效率" and "CT01" in body["indicators"]
    for row in body["rows"]:  # each district's court is red on CT01 in that month
        assert row["score"] == 0 and row["green"] == 0 and row["rated"] >= 1
        assert row["colour"] == "red" and row["rank"] == 1
    overall = _ok(client, f"{CITY}-staff", f"{CITY}/federation/ranking?period={period}")
    assert overall["dimension"] is None and len(overall["rows"]) == 2


@pytest.mark.parametrize(
    "query", ["indicator=CT01&dimension=效率", "dimension=无此维度", "period=2026-1"]
)
def test_bad_ranking_queries_get_422(client, query):
    response = _get(client, f"{CITY}-staff", f"{CITY}/federation/ranking?{query}")
    assert response.status_code == 422, response.get_json()


def test_heat_shows_each_childs_worst_colour_as_common_problems_do(client, world):
    period = WORLD_MONTH
    body = _ok(client, f"{CITY}-staff", f"{CITY}/federation/heat?period={period}")
    codes = [c["code"] for c in body["children"]]
    column = [i["code"] for i in body["indicators"]].index("CT01")
    colours = {code: body["grid"][n][column]["colour"] for n, code in enumerate(codes)}
    problem = _ok(client, f"{CITY}-staff", f"{CITY}/common-problems?period={period}")
    evidence = {e["code"]: e["colour"] for e in problem["common_problems"][0]["evidence"]}
    assert colours == evidence == {XIHU: "red", GONGSHU: "red"}
    assert body["total"]["red"] >= 2


def test_distribution_marks_the_exact_rollup_beside_the_childrens_spread(client, august):
    body = _ok(
        client, f"{CITY}-staff", f"{CITY}/federation/distribution?indicator=CT01&period={august}"
    )
    assert {c["code"]: c["value"] for c in body["children"]} == {XIHU: 90, GONGSHU: 70}
    assert body["stats"] == {"n": 2, "min": 70, "q1": 75, "median": 80, "q3": 85, "max": 90}
    assert body["parent"]["code"] == CITY and body["parent"]["value"] == 80


def test_trend_gives_the_rollup_per_period_with_the_childrens_spread(client, august):
    body = _ok(client, f"{CITY}-staff", f"{CITY}/federation/trend?indicator=CT01")
    points = {p["period"]: p for p in body["points"]}
    assert list(points) == [august, "2026-09", "2026-10"]
    assert (points[august]["value"], points[august]["min"], points[august]["max"]) == (80, 70, 90)
    assert points["2026-09"]["value"] == 95 and points["2026-09"]["median"] == 95
    assert _ok(client, f"{CITY}-staff", f"{CITY}/federation/trend?periods=1")["points"][0][
        "period"
    ] == ("2026-10")


def test_drill_down_shows_a_childs_ratings_and_rollups_never_its_raw_values(client, world):
    period = WORLD_MONTH
    body = _ok(client, f"{CITY}-staff", f"{CITY}/federation/children/{XIHU}?period={period}")
    assert body["tenant"]["code"] == XIHU and body["period"] == period
    court = next(o for o in body["organs"] if o["id"] == world.organ_id(XIHU, "court"))
    assert [(r["indicator"], r["colour"]) for r in court["ratings"]] == [("CT01", "red")]
    assert "values" not in body and all("numerator" not in r for r in court["ratings"])
    drilled = _ok(client, "330000-admin", f"{CITY}/federation/children/{XIHU}?period=2026-10")
    assert [r["indicator"]["code"] for r in drilled["rollups"]] == ["CT01"]


@pytest.mark.parametrize(
    ("user", "url"),
    [
        (f"{CITY}-staff", f"{CITY}/federation/children/{BEISHAN}"),  # a grandchild
        (f"{CITY}-staff", f"{CITY}/federation/children/330200"),  # the city's sibling
        (f"{CITY}-staff", f"{CITY}/federation/children/{CITY}"),  # itself
        (f"{XIHU}-staff", f"{XIHU}/federation/children/{GONGSHU}"),  # its sibling
        (f"{GONGSHU}-staff", f"{CITY}/federation/children/{XIHU}"),  # a child of another
        (f"{GONGSHU}-staff", f"{XIHU}/federation/children/{BEISHAN}"),
    ],
)
def test_drill_down_is_404_for_anyone_but_a_direct_child(client, user, url):
    assert _get(client, user, url).status_code == 404


def test_a_tenant_without_children_compares_nothing(client):
    for url in ("federation/ranking", "federation/heat", "federation/distribution"):
        body = _ok(client, f"{GONGSHU}-staff", f"{GONGSHU}/{url}")
        assert body.get("rows", body.get("children")) == []
    assert _ok(client, f"{GONGSHU}-staff", f"{GONGSHU}/federation/trend")["points"] == []


def test_ancestors_compare_a_citys_children_deputies_and_viewers_too(client):
    for user in ("330000-viewer", f"{CITY}-deputy", f"{CITY}-viewer"):
        assert _ok(client, user, f"{CITY}/federation/heat")["children"]


# -- the read models, below HTTP ------------------------------------------------------


def test_ranks_skip_after_a_tie_and_the_unranked_come_last():
    rows = [{"v": 5}, {"v": None}, {"v": 9}, {"v": 9}, {"v": 1}]
    ranked = views._ranked(rows, "v", lambda v: -v)
    assert [(r["rank"], r["v"]) for r in ranked] == [(1, 9), (1, 9), (3, 5), (4, 1), (None, None)]


def test_spread_of_one_and_of_none():
    assert views.spread([4.0])["q1"] == views.spread([4.0])["q3"] == 4.0
    assert views.spread([])["median"] is None


def test_latest_prefers_the_period_that_ended_last():
    assert views.latest(["2025", "2025-11", "2026-01", "2025-12"]) == "2026-01"
    assert views.latest(["2025", "2025-12"]) == "2025-12"
    assert views.latest([]) is None
