"""Key concerns through the API: staff flag, the organ responds in writing, deputies read
the response, staff follow up or close; another organ, another congress and the wrong role
are refused; every move is audited and told."""

from __future__ import annotations

import sqlalchemy as sa

from app import clock
from app.audit.models import AuditEvent
from app.calendar.workdays import add_working_days, load_calendar
from app.notifications.models import Notification
from tenants.scoping import system_scope
from tests.coordination.conftest import CODE, code_of


def _flag(caller, world, **changes):
    body = {
        "organ_id": world.organ_id(CODE, "court"),
        "kind": "indicator",
        "indicator_code": "CT03",
        "period": "2026-10",
        "title": "平均审理天数上升",
        "text": "请说明平均审理天数上升的原因。",
        "deadline_days": 7,
        **changes,
    }
    return caller.post("concerns", body)


def test_the_loop_flag_respond_follow_up_respond_close(caller, world, session):
    created = _flag(caller.as_(f"{CODE}-staff"), world)
    assert created.status_code == 201, created.get_json()
    concern = created.get_json()
    assert concern["status"] == "open" and concern["status_zh"] == "待回应"
    expected = add_working_days(clock.today(), 7, load_calendar())
    assert concern["deadline"] == expected.isoformat() == concern["first_deadline"]

    court = caller.as_(f"{CODE}-court")
    listed = court.get("concerns").get_json()["concerns"]
    assert {c["id"] for c in listed} == {world.concerns[CODE], concern["id"]}
    answered = court.post(f"concerns/{concern['id']}/response", {"text": "系案件结构变化所致。"})
    assert answered.status_code == 200 and answered.get_json()["status"] == "responded"

    deputy = caller.as_(f"{CODE}-deputy")
    read = deputy.get(f"concerns/{concern['id']}").get_json()
    assert read["response"] == "系案件结构变化所致。"
    assert deputy.post(f"concerns/{concern['id']}/review", {"decision": "close"}).status_code == 403

    staff = caller.as_(f"{CODE}-staff")
    follow = staff.post(
        f"concerns/{concern['id']}/review",
        {"decision": "follow_up", "comment": "请说明下一步措施", "deadline_days": 3},
    )
    assert follow.get_json()["status"] == "follow_up"
    assert follow.get_json()["deadline"] == add_working_days(clock.today(), 3).isoformat()
    caller.as_(f"{CODE}-court").post(f"concerns/{concern['id']}/response", {"text": "将专项清理。"})
    closed = caller.as_(f"{CODE}-staff").post(
        f"concerns/{concern['id']}/review", {"decision": "close"}
    )
    body = closed.get_json()
    assert body["status"] == "closed" and body["closed_at"] and body["response"] == "将专项清理。"
    assert [e["action"] for e in body["events"]] == [
        "flag",
        "respond",
        "follow_up",
        "respond",
        "close",
    ]
    with system_scope():
        audited = session.scalars(
            sa.select(AuditEvent.action).where(
                AuditEvent.object_type == "key_concerns",
                AuditEvent.object_id == str(concern["id"]),
            )
        ).all()
        told = session.scalars(
            sa.select(Notification.kind).where(
                Notification.dedupe_key.like(f"concern-{concern['id']}-%")
            )
        ).all()
    assert "key_concerns.insert" in audited and "key_concerns.update" in audited
    assert {"concern_flagged", "concern_responded", "concern_follow_up"} <= set(told)


def test_another_organ_cannot_see_or_respond(caller, world):
    concern = world.concerns[CODE]
    other = caller.as_(f"{CODE}-procuratorate")
    assert other.get(f"concerns/{concern}").status_code == 404
    assert other.get("concerns").get_json()["concerns"] == []
    assert other.post(f"concerns/{concern}/response", {"text": "越权"}).status_code == 404
    court = caller.as_(f"{CODE}-court")
    assert [c["id"] for c in court.get("concerns").get_json()["concerns"]] == [concern]


def test_another_congress_gets_404(caller, world):
    sibling = caller.as_("330105-staff")
    concern = world.concerns[CODE]
    assert sibling.get(f"concerns/{concern}").status_code == 404
    assert sibling.get(f"/api/v1/t/330105/concerns/{concern}").status_code == 404
    assert (
        sibling.post(f"/api/v1/t/330105/concerns/{concern}/withdraw", {"comment": "x"}).status_code
        == 404
    )
    # an organ of another congress cannot be named either
    response = _flag(caller.as_(f"{CODE}-staff"), world, organ_id=world.organ_id("330105", "court"))
    assert response.status_code == 422 and code_of(response) == "unknown_organ"
    # nor can the city (an ancestor) read them: a congress's dealings with its own organs
    assert caller.as_("330100-staff").get(f"concerns/{concern}").status_code == 404


def test_roles(caller, world):
    concern = world.concerns[CODE]
    for user in (f"{CODE}-deputy", f"{CODE}-viewer", f"{CODE}-court"):
        assert _flag(caller.as_(user), world).status_code == 403
    assert caller.as_(f"{CODE}-evaluator").get("concerns").status_code == 403
    staff = caller.as_(f"{CODE}-staff")
    refused = staff.post(f"concerns/{concern}/response", {"text": "代答"})
    assert refused.status_code == 403
    # the court has not responded: nothing to close yet
    early = staff.post(f"concerns/{concern}/review", {"decision": "close"})
    assert early.status_code == 409 and code_of(early) == "not_allowed_from_status"
    assert (
        caller.as_(f"{CODE}-court")
        .post(f"concerns/{concern}/withdraw", {"comment": "不想回应"})
        .status_code
        == 403
    )


def test_what_a_concern_rests_on_is_checked(caller, world):
    staff = caller.as_(f"{CODE}-staff")
    news, petition = world.documents[(CODE, "work_news")], world.documents[(CODE, "petitions")]
    for changes, field in (
        ({"indicator_code": None}, "indicator_code"),
        ({"indicator_code": "ZZ99"}, "indicator_code"),
        ({"period": "2026-13"}, "period"),
        ({"kind": "hot_topic", "document_id": None}, "document_id"),
        ({"kind": "hot_topic", "document_id": news}, "document_id"),
        ({"kind": "hot_topic", "document_id": petition}, "document_id"),
        ({"kind": "other", "text": "  "}, "text"),
        ({"title": "   "}, "title"),
    ):
        response = _flag(staff, world, **changes)
        assert response.status_code == 422, (changes, response.get_json())
        assert field in response.get_json()["error"]["fields"], changes


def test_a_hot_topic_concern_names_its_document(caller, world):
    staff = caller.as_(f"{CODE}-staff")
    document = staff.post(
        "documents",
        {"category": "hot_topics", "title": "网传执行款被挪用", "date": "2026-10-02"},
    ).get_json()
    created = _flag(staff, world, kind="hot_topic", document_id=document["id"], indicator_code=None)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["document"] == {"id": document["id"], "title": "网传执行款被挪用"}
    assert body["indicator_code"] is None
