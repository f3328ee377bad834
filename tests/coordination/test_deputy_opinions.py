"""Deputies' opinions online through the API: raised with the page's context, assigned by
staff, answered by the organ, rated by the deputy who raised it; who sees which (own,
shared, assigned organ only) and who may do what (a deputy cannot assign, an organ cannot
rate, another deputy cannot rate)."""

from __future__ import annotations

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import User
from app.notifications.models import Notification
from tenants.models import Tenant
from tenants.provisioning import add_user
from tenants.scoping import system_scope, tenant_scope
from tests.coordination.conftest import CODE, code_of


def _raise(caller, **body):
    return caller.post("deputy-opinions", {"text": "建议加强执行工作。", **body})


def _second_deputy(session, world) -> str:
    """Another deputy of the same congress (committed in the test's transaction only)."""
    with system_scope():
        tenant = session.get(Tenant, world.tenant_id(CODE))
        hashed = session.scalar(
            sa.select(User.password_hash).where(User.username == f"{CODE}-deputy")
        )
    with tenant_scope(tenant.id):
        add_user(session, tenant, f"{CODE}-deputy-2", "deputy", hashed)
        session.commit()
    return f"{CODE}-deputy-2"


def test_raised_from_a_chart_keeps_its_context(caller, world):
    deputy = caller.as_(f"{CODE}-deputy")
    court = world.organ_id(CODE, "court")
    response = _raise(
        deputy,
        page_kind="dashboard",
        chart_name=f"organ-{court}-trend",
        page_path=f"/t/{CODE}/dashboard?organ={court}",
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted" and body["author"] == f"{CODE}-deputy"
    assert body["context"]["chart_name"] == f"organ-{court}-trend"
    assert body["context"]["chart_title"]  # the chart's own title, looked up
    assert body["organ"]["id"] == court  # an organ's chart names the organ
    assert body["context"]["page_path"] == f"/t/{CODE}/dashboard?organ={court}"


def test_raised_from_a_ticket_takes_its_organ_and_indicator(caller, world):
    deputy = caller.as_(f"{CODE}-deputy")
    response = _raise(
        deputy,
        page_kind="ticket",
        ticket_id=world.tickets[CODE],
        organ_id=world.organ_id(CODE, "procuratorate"),
    )
    body = response.get_json()
    assert body["organ"]["id"] == world.organ_id(CODE, "court")
    assert body["context"]["indicator_code"] == "CT01"
    assert body["context"]["ticket_id"] == world.tickets[CODE]


def test_context_must_be_this_congress_own(caller, world):
    deputy = caller.as_(f"{CODE}-deputy")
    for body in (
        {"ticket_id": world.tickets["330105"]},
        {"organ_id": world.organ_id("330105", "court")},
        {"chart_name": "no-such-chart"},
        {"indicator_code": "ZZ99"},
    ):
        response = _raise(deputy, **body)
        assert response.status_code == 422, body
    assert (
        _raise(deputy, page_path="https://evil.example/x").get_json()["context"]["page_path"] == ""
    )
    assert _raise(deputy, text="   ").status_code == 422


def test_the_whole_path_assign_answer_rate(caller, world, session):
    opinion = _raise(caller.as_(f"{CODE}-deputy"), page_kind="lab_sheet").get_json()
    court, oid = world.organ_id(CODE, "court"), opinion["id"]
    # the organ does not see an opinion before it is assigned to it
    assert caller.as_(f"{CODE}-court").get(f"deputy-opinions/{oid}").status_code == 404

    staff = caller.as_(f"{CODE}-staff")
    assigned = staff.post(f"deputy-opinions/{oid}/assign", {"organ_id": court, "deadline_days": 5})
    assert assigned.status_code == 200, assigned.get_json()
    assert assigned.get_json()["status"] == "assigned" and assigned.get_json()["deadline"]

    court_user = caller.as_(f"{CODE}-court")
    rated = court_user.post(f"deputy-opinions/{oid}/rate", {"rating": "satisfied"})
    assert rated.status_code == 403  # an organ cannot rate
    answered = court_user.post(f"deputy-opinions/{oid}/answer", {"text": "已制定清积方案。"})
    assert answered.get_json()["status"] == "answered"

    deputy = caller.as_(f"{CODE}-deputy")
    mine = deputy.get("deputy-opinions?mine=1").get_json()["opinions"]
    assert {o["id"]: o["status"] for o in mine}[oid] == "answered"
    again = deputy.post(
        f"deputy-opinions/{oid}/rate", {"rating": "not_satisfied", "comment": "不具体"}
    )
    assert again.get_json()["status"] == "rehandling" and again.get_json()["round"] == 2
    caller.as_(f"{CODE}-court").post(f"deputy-opinions/{oid}/answer", {"text": "细化到月。"})
    final = caller.as_(f"{CODE}-deputy").post(
        f"deputy-opinions/{oid}/rate", {"rating": "basically_satisfied"}
    )
    body = final.get_json()
    assert body["status"] == "basically_satisfied" and body["rating"] == "basically_satisfied"
    assert body["closed_at"] and body["answer"] == "细化到月。"
    assert [e["action"] for e in body["events"]] == [
        "raise",
        "assign",
        "answer",
        "rate_not_satisfied",
        "answer",
        "rate_basically_satisfied",
    ]
    with system_scope():
        audited = session.scalars(
            sa.select(AuditEvent.action).where(
                AuditEvent.object_type == "deputy_opinions", AuditEvent.object_id == str(oid)
            )
        ).all()
        told = set(
            session.scalars(
                sa.select(Notification.kind).where(
                    Notification.dedupe_key.like(f"deputy-opinion-{oid}-%")
                )
            ).all()
        )
    assert "deputy_opinions.insert" in audited and "deputy_opinions.update" in audited
    assert {
        "deputy_opinion_raised",
        "deputy_opinion_assigned",
        "deputy_opinion_answered",
        "deputy_opinion_rated",
    } <= told


def test_not_satisfied_twice_closes_it(caller, world):
    oid = world.deputy_opinions[CODE]
    for round_ in (1, 2):
        caller.as_(f"{CODE}-court").post(f"deputy-opinions/{oid}/answer", {"text": f"第{round_}次"})
        rated = caller.as_(f"{CODE}-deputy").post(
            f"deputy-opinions/{oid}/rate", {"rating": "not_satisfied", "comment": "仍不满意"}
        )
    assert rated.get_json()["status"] == "not_satisfied"
    assert rated.get_json()["closed_at"]


def test_a_deputy_cannot_assign_and_staff_cannot_rate(caller, world):
    oid = _raise(caller.as_(f"{CODE}-deputy")).get_json()["id"]
    court = world.organ_id(CODE, "court")
    refused = caller.post(f"deputy-opinions/{oid}/assign", {"organ_id": court})  # the deputy
    assert refused.status_code == 403
    staff = caller.as_(f"{CODE}-staff")
    assert staff.post("deputy-opinions", {"text": "代提"}).status_code == 403
    assert staff.post(f"deputy-opinions/{oid}/withdraw", {"comment": "x"}).status_code == 403
    declined = staff.post(f"deputy-opinions/{oid}/decline", {"comment": "不属于司法机关职责"})
    assert declined.get_json()["status"] == "declined"
    late = staff.post(f"deputy-opinions/{oid}/assign", {"organ_id": court})
    assert late.status_code == 409 and code_of(late) == "not_allowed_from_status"


def test_the_deputy_withdraws_before_assignment(caller, world):
    deputy = caller.as_(f"{CODE}-deputy")
    oid = _raise(deputy).get_json()["id"]
    assert deputy.post(f"deputy-opinions/{oid}/withdraw", {}).status_code == 422
    withdrawn = deputy.post(f"deputy-opinions/{oid}/withdraw", {"comment": "已在会上反映"})
    assert withdrawn.get_json()["status"] == "withdrawn"
    # the world's opinion is assigned already: too late to withdraw
    late = deputy.post(
        f"deputy-opinions/{world.deputy_opinions[CODE]}/withdraw", {"comment": "撤回"}
    )
    assert late.status_code == 409


def test_a_deputy_sees_own_and_shared_only(caller, world, session):
    other = _second_deputy(session, world)
    oid = world.deputy_opinions[CODE]  # assigned, not shared
    second = caller.as_(other)
    assert second.get(f"deputy-opinions/{oid}").status_code == 404
    assert second.get("deputy-opinions").get_json()["opinions"] == []

    shared = _raise(caller.as_(f"{CODE}-deputy"), text="公开的意见").get_json()["id"]
    caller.as_(f"{CODE}-staff").post(
        f"deputy-opinions/{shared}/assign",
        {"organ_id": world.organ_id(CODE, "court"), "shared": True},
    )
    caller.as_(f"{CODE}-court").post(f"deputy-opinions/{shared}/answer", {"text": "答复"})
    second = caller.as_(other)
    assert [o["id"] for o in second.get("deputy-opinions").get_json()["opinions"]] == [shared]
    assert second.get(f"deputy-opinions/{shared}").get_json()["answer"] == "答复"
    refused = second.post(f"deputy-opinions/{shared}/rate", {"rating": "satisfied"})
    assert refused.status_code == 403 and code_of(refused) == "not_the_author"


def test_another_organ_and_another_congress_get_404(caller, world):
    oid = world.deputy_opinions[CODE]
    for user in (f"{CODE}-procuratorate", f"{CODE}-public-security"):
        other = caller.as_(user)
        assert other.get(f"deputy-opinions/{oid}").status_code == 404
        assert other.get("deputy-opinions").get_json()["opinions"] == []
        assert other.post(f"deputy-opinions/{oid}/answer", {"text": "越权"}).status_code == 404
    court = caller.as_(f"{CODE}-court")
    assert [o["id"] for o in court.get("deputy-opinions").get_json()["opinions"]] == [oid]
    sibling = caller.as_("330105-deputy")
    assert sibling.get(f"/api/v1/t/330105/deputy-opinions/{oid}").status_code == 404
    assert sibling.get(f"deputy-opinions/{oid}").status_code == 404
    assert caller.as_("330100-staff").get(f"deputy-opinions/{oid}").status_code == 404
    assert caller.as_(f"{CODE}-evaluator").get("deputy-opinions").status_code == 403
