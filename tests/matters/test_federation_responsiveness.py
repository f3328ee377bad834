"""亮榜晒绩 for a parent congress: each direct child's figures over every ticket and opinion
of its subtree, ranked — never an organ's figures or an item. The page and the API; who
reads them."""

from __future__ import annotations

import re

from app import clock
from app.matters.responsiveness import KINDS
from tests.support.http import login, post_json

KEYS = {
    "tenant",
    "rank",
    "items",
    "due",
    "on_time",
    "on_time_share",
    "reviewed",
    "accepted_first",
    "accepted_first_share",
    "answered",
    "average_days_to_answer",
    *KINDS,
}


def _children(client, code: str) -> dict[str, dict]:
    response = client.get(f"/api/v1/t/{code}/federation/responsiveness")
    assert response.status_code == 200
    return {row["tenant"]["code"]: row for row in response.get_json()["children"]}


def test_the_city_sees_its_districts_summed_without_organs(client, world):
    login(client, "330100-staff")
    rows = _children(client, "330100")
    assert set(rows) == {"330105", "330106"}
    for row in rows.values():
        assert set(row) == KEYS  # no organ, no item
        # each district: its court's ticket, the opinion of its inquiry, a key concern and a
        # deputy's opinion, none answered
        assert (row["items"], row["answered"], row["on_time_share"]) == (4, 0, None)
        assert [row[kind]["items"] for kind in KINDS] == [1, 1, 1, 1]


def test_an_answer_in_a_district_moves_its_line_only(client, world):
    ticket = world.tickets["330106"]
    login(client, "330106-court")
    assert (
        post_json(
            client, f"/api/v1/t/330106/tickets/{ticket}/responses", {"text": "系统切换"}
        ).status_code
        == 200
    )
    login(client, "330106-staff")
    assert (
        post_json(
            client,
            f"/api/v1/t/330106/tickets/{ticket}/review",
            {"decision": "return", "comment": "不充分"},
        ).status_code
        == 200
    )
    login(client, "330100-deputy")
    rows = _children(client, "330100")
    west, north = rows["330106"], rows["330105"]
    assert (west["answered"], west["due"], west["on_time"], west["on_time_share"]) == (1, 1, 1, 1.0)
    assert (west["reviewed"], west["accepted_first_share"]) == (1, 0.0)
    assert west["average_days_to_answer"] == 0.0
    assert (north["answered"], north["on_time_share"]) == (0, None)
    assert (west["rank"], north["rank"]) == (1, 2)
    # the province sees Hangzhou with both districts in it, and Ningbo with nothing
    login(client, "330000-viewer")
    province = _children(client, "330000")
    assert (province["330100"]["items"], province["330100"]["answered"]) == (8, 1)
    assert province["330200"]["items"] == 0


def test_the_page_and_who_reads_it(client, world):
    login(client, "330100-staff")
    page = client.get("/t/330100/federation/responsiveness").get_data(as_text=True)
    assert re.findall(r'data-child="(\d+)"', page) == ["330105", "330106"]
    assert "下级人大办理情况排名" in page and "西湖区人民法院" not in page
    assert "/t/330100/federation/responsiveness" in client.get("/t/330100/responsiveness").get_data(
        as_text=True
    )
    login(client, "330105-staff")  # a district with no children has no such page
    assert client.get("/t/330105/federation/responsiveness").status_code == 404
    assert client.get("/api/v1/t/330105/federation/responsiveness").get_json()["children"] == []
    assert client.get("/t/330100/federation/responsiveness").status_code == 404  # its parent's
    login(client, "330100-court")  # organs read no congress's ranking of congresses
    assert client.get("/t/330100/federation/responsiveness").status_code == 403
    login(client, "330200-admin")  # another city
    assert client.get("/api/v1/t/330100/federation/responsiveness").status_code == 404


def test_the_organs_page_ranks_and_an_organ_sees_its_own_line(client, world):
    login(client, "330106-staff")
    with clock.frozen_at(clock.now()):
        page = client.get("/t/330106/responsiveness").get_data(as_text=True)
    organs = re.findall(r'data-organ-id="(\d+)"', page)
    assert str(world.organ_id("330106", "court")) in organs and len(organs) == 4
    login(client, "330106-court")
    page = client.get("/t/330106/responsiveness").get_data(as_text=True)
    assert re.findall(r'data-organ-id="(\d+)"', page) == [str(world.organ_id("330106", "court"))]
    rows = client.get("/api/v1/t/330106/responsiveness").get_json()["organs"]
    assert [r["organ"]["id"] for r in rows] == [world.organ_id("330106", "court")]
    login(client, "330105-staff")
    assert client.get("/t/330106/responsiveness").status_code == 404
