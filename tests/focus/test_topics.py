"""Supervision topics as the congress's data: seeded from the shipped list, read by its
users, added and changed by administrators and staff (validated, bilingual 422), and the
page that edits them."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.analysis.topics import DEFAULT_TOPICS
from app.audit.models import AuditEvent
from app.focus.models import Topic
from app.focus.topics import tenant_topics
from tenants.scoping import tenant_scope
from tests.support.http import bearer, login

BASE = "/api/v1/t/330106/topics"


class Api:
    """A client acting with one user's API token."""

    def __init__(self, client, username: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {bearer(client, username)}"}

    def get(self, url: str, **params):
        return self.client.get(url, query_string=params, headers=self.headers)

    def post(self, url: str, body: dict | None = None):
        return self.client.post(url, json=body, headers=self.headers)

    def put(self, url: str, body: dict | None = None):
        return self.client.put(url, json=body, headers=self.headers)


@pytest.fixture
def staff(client):
    return Api(client, "330106-staff")


@pytest.fixture
def deputy(client):
    return Api(client, "330106-deputy")


def topic(**changes) -> dict:
    body = {
        "code": "food_safety",
        "name_zh": "食品安全",
        "name_en": "Food safety",
        "keywords": ["食品安全", "地沟油", "过期食品"],
        "indicators": ["PR02", "PR07"],
    }
    body.update(changes)
    return body


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [t["code"] for t in response.get_json()["topics"]]


def test_a_new_congress_has_the_shipped_topics_in_order(deputy):
    assert _codes(deputy.get(BASE)) == [t.code for t in DEFAULT_TOPICS]


def test_a_congress_without_topics_gets_them_on_first_use(session, world):
    with tenant_scope(world.tenant_id("330105")):
        session.execute(sa.delete(Topic))
        assert tenant_topics(session) and len(tenant_topics(session)) == len(DEFAULT_TOPICS)
        assert {t.updated_by for t in tenant_topics(session)} == {"system"}


def test_a_reader_s_first_look_seeds_them_once(client, session, world):
    with tenant_scope(world.tenant_id("330105")):
        session.execute(sa.delete(Topic))
    reader = Api(client, "330105-viewer")
    assert _codes(reader.get("/api/v1/t/330105/topics")) == [t.code for t in DEFAULT_TOPICS]
    assert reader.get("/api/v1/t/330105/focus-issues").status_code == 200
    with tenant_scope(world.tenant_id("330105")):
        assert session.scalar(sa.select(sa.func.count(Topic.id))) == len(DEFAULT_TOPICS)


def test_staff_adds_a_topic(staff, session, world):
    response = staff.post(BASE, topic(indicators=["pr02", " PR07 ", "PR02"]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["code"] == "food_safety" and body["indicators"] == ["PR02", "PR07"]
    assert body["updated_by"] == "330106-staff"
    assert response.headers["Location"].endswith(f"/topics/{body['id']}")
    assert _codes(staff.get(BASE))[-1] == "food_safety"
    with tenant_scope(world.tenant_id("330106")):
        audited = session.scalar(
            sa.select(sa.func.count()).where(
                AuditEvent.object_type == "topics", AuditEvent.object_id == str(body["id"])
            )
        )
    assert audited >= 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"indicators": ["CT11", "XX99"]}, "indicators"),
        ({"indicators": []}, "indicators"),
        ({"keywords": []}, "keywords"),
        ({"keywords": ["  ", ""]}, "keywords"),
        ({"keywords": ["执"]}, "keywords"),
        ({"code": "Food Safety"}, "code"),
        ({"name_zh": ""}, "name_zh"),
    ],
)
def test_an_invalid_topic_is_a_bilingual_422(staff, changes, field):
    response = staff.post(BASE, topic(**changes))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["message_zh"] == "数据校验未通过" and error["message_en"] == "Validation failed"
    assert field in error["fields"]


def test_an_unknown_indicator_is_named_in_both_languages(staff):
    error = staff.post(BASE, topic(indicators=["XX99"])).get_json()["error"]
    (message,) = error["fields"]["indicators"]
    assert "未知指标代码" in message and "unknown indicator" in message and "XX99" in message


def test_a_code_the_congress_has_is_a_409(staff):
    response = staff.post(BASE, topic(code="enforcement"))
    assert response.status_code == 409
    assert "code" in response.get_json()["error"]["fields"]


def test_staff_changes_a_topic(staff, world):
    url = f"{BASE}/{world.topics['330106']}"
    response = staff.put(url, {"keywords": ["执行难", "执行款"], "active": False})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["keywords"] == ["执行难", "执行款"] and body["active"] is False
    assert body["code"] == "enforcement" and body["indicators"] == ["CT11", "CT12"]
    assert staff.get(url).get_json()["active"] is False


def test_a_change_is_validated_and_the_code_stays(staff, world):
    url = f"{BASE}/{world.topics['330106']}"
    assert staff.put(url, {"indicators": ["ZZ00"]}).status_code == 422
    assert staff.put(url, {"keywords": []}).status_code == 422
    assert staff.put(url, {"code": "other"}).status_code == 422
    assert staff.get(url).get_json()["indicators"] == ["CT11", "CT12"]


def test_a_deputy_reads_but_may_not_write(deputy, world):
    assert deputy.get(BASE).status_code == 200
    assert deputy.get(f"{BASE}/{world.topics['330106']}").status_code == 200
    assert deputy.post(BASE, topic()).status_code == 403
    assert deputy.put(f"{BASE}/{world.topics['330106']}", {"active": False}).status_code == 403


def test_organ_users_and_other_congresses_do_not_see_topics(client, world):
    court = Api(client, "330106-court")
    assert court.get(BASE).status_code == 403
    for other in ("330105-staff", "330100-staff"):  # a sibling, the parent
        api = Api(client, other)
        assert api.get(BASE).status_code == 404
        assert api.get(f"{BASE}/{world.topics['330106']}").status_code == 404
    # the parent's own topic is not the district's
    parent = Api(client, "330100-staff")
    assert parent.get(f"/api/v1/t/330100/topics/{world.topics['330106']}").status_code == 404


# --- the page --------------------------------------------------------------------------------


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def test_staff_edit_topics_on_the_page(client, world):
    login(client, "330106-staff")
    page = client.get("/t/330106/topics")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="topic-form"' in html and "执行难" in html
    topic_id = world.topics["330106"]
    saved = client.post(
        f"/t/330106/topics/{topic_id}",
        data={
            "csrf_token": _token(html),
            "name_zh": "执行难",
            "name_en": "Enforcement",
            "keywords": "执行难、老赖, 执行款",
            "indicators": "CT11 CT12",
        },
    )
    assert saved.status_code == 302
    after = client.get("/t/330106/topics").get_data(as_text=True)
    assert "执行难、老赖、执行款" in after
    row = re.search(rf'<tr id="topic-{topic_id}".*?</tr>', after, re.S)[0]
    assert "checked" not in row  # the box was not ticked: the topic is now inactive


def test_a_bad_form_shows_its_errors(client):
    login(client, "330106-staff")
    html = client.get("/t/330106/topics").get_data(as_text=True)
    refused = client.post(
        "/t/330106/topics",
        data={"csrf_token": _token(html), "code": "noise", "name_zh": "噪声扰民", "keywords": ""},
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'data-testid="new-topic-errors"' in text and "at least one keyword" in text
    added = client.post(
        "/t/330106/topics",
        data={
            "csrf_token": _token(html),
            "code": "noise",
            "name_zh": "噪声扰民",
            "keywords": "噪声、扰民",
            "indicators": "PS04",
        },
    )
    assert added.status_code == 302
    assert "噪声扰民" in client.get("/t/330106/topics").get_data(as_text=True)


def test_a_deputy_sees_the_topics_without_forms(client):
    login(client, "330106-deputy")
    html = client.get("/t/330106/topics").get_data(as_text=True)
    assert "执行难" in html and 'data-testid="topic-form"' not in html
    assert 'data-testid="new-topic-form"' not in html
