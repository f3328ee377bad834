"""The matters and opinions API: who sees what (own organ only, own tenant only, ancestors
read), who may do what, what a matter's origin, targets and documents may be, and that
every change is audited and told."""

from __future__ import annotations

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.notifications.models import Notification
from tenants.scoping import system_scope
from tests.support.http import csrf, login

CODE = "330106"
API = f"/api/v1/t/{CODE}"


def _post(client, url, body):
    return client.post(url, json=body, headers={"X-CSRFToken": csrf(client)})


def _matter_body(world, **changes) -> dict:
    return {
        "title": "执法检查",
        "subject": "standing_committee",
        "form": "law_enforcement_inspection",
        "targets": [world.organ_id(CODE, "court")],
        **changes,
    }


def _code(response) -> str:
    return response.get_json()["error"]["code"]


# --- who sees what ---------------------------------------------------------------------------


def test_the_court_sees_its_opinion_and_handles_it(client, world):
    login(client, f"{CODE}-court")
    opinion = world.opinions[CODE]
    listed = client.get(f"{API}/opinions").get_json()["opinions"]
    assert [o["id"] for o in listed] == [opinion]
    assert listed[0]["matter_title"] == "关于法院案件结收比偏低问题的专题询问"
    response = _post(client, f"{API}/opinions/{opinion}/plan", {"text": "整改方案"})
    assert response.status_code == 200 and response.get_json()["status"] == "plan_submitted"


def test_another_organ_of_the_tenant_gets_404(client, world):
    login(client, f"{CODE}-procuratorate")
    opinion = world.opinions[CODE]
    assert client.get(f"{API}/opinions/{opinion}").status_code == 404
    assert client.get(f"{API}/opinions").get_json()["opinions"] == []
    for step in ("plan", "result"):
        assert (
            _post(client, f"{API}/opinions/{opinion}/{step}", {"text": "越权"}).status_code == 404
        )


def test_another_tenants_matter_and_opinion_are_404(client, world):
    login(client, "330105-staff")
    for path in (f"matters/{world.matters[CODE]}", f"opinions/{world.opinions[CODE]}"):
        assert client.get(f"/api/v1/t/330105/{path}").status_code == 404
        assert client.get(f"{API}/{path}").status_code == 404
    response = _post(
        client, f"/api/v1/t/330105/opinions/{world.opinions[CODE]}/evaluate", {"grade": "satisfied"}
    )
    assert response.status_code == 404
    listed = client.get("/api/v1/t/330105/opinions").get_json()["opinions"]
    assert [o["id"] for o in listed] == [world.opinions["330105"]]  # its own only


def test_organs_do_not_read_matters(client, world):
    login(client, f"{CODE}-court")
    assert client.get(f"{API}/matters").status_code == 403
    assert client.get(f"{API}/matters/{world.matters[CODE]}").status_code == 403


def test_ancestors_read_but_do_not_act(client, world):
    login(client, "330100-staff")
    assert client.get(f"{API}/matters/{world.matters[CODE]}").status_code == 200
    assert client.get(f"{API}/opinions/{world.opinions[CODE]}").status_code == 200
    assert client.get(f"{API}/responsiveness").status_code == 200
    url = f"{API}/matters/{world.matters[CODE]}/transitions"
    assert _post(client, url, {"action": "receive_feedback"}).status_code == 404


def test_deputies_read_but_cannot_evaluate_or_open(client, world):
    login(client, f"{CODE}-deputy")
    assert client.get(f"{API}/matters/{world.matters[CODE]}").status_code == 200
    matter = client.get(f"{API}/matters/{world.matters[CODE]}").get_json()
    assert matter["status"] == "opinions_issued"
    assert [o["id"] for o in matter["opinions"]] == [world.opinions[CODE]]
    url = f"{API}/opinions/{world.opinions[CODE]}/evaluate"
    assert _post(client, url, {"grade": "satisfied"}).status_code == 403
    assert _post(client, f"{API}/matters", _matter_body(world)).status_code == 403


def test_an_organ_sees_only_its_own_responsiveness(client, world):
    login(client, f"{CODE}-court")
    rows = client.get(f"{API}/responsiveness").get_json()["organs"]
    assert [r["organ"]["id"] for r in rows] == [world.organ_id(CODE, "court")]


# --- opening matters: subject and form, origin, targets, documents ---------------------------


def test_a_form_the_subject_does_not_use_is_refused(client, world):
    login(client, f"{CODE}-staff")
    response = _post(client, f"{API}/matters", _matter_body(world, subject="deputies"))
    assert response.status_code == 422
    assert "form" in response.get_json()["error"]["fields"]


def test_the_origin_is_checked_and_its_title_kept(client, world):
    login(client, f"{CODE}-staff")
    ticket = _post(
        client,
        f"{API}/matters",
        _matter_body(world, origin={"kind": "ticket", "ref": world.tickets[CODE]}),
    )
    assert ticket.status_code == 201
    assert ticket.get_json()["origin"]["title"].startswith("西湖区人民法院 CT01")
    task = _post(
        client,
        f"{API}/matters",
        _matter_body(world, origin={"kind": "joint_task", "ref": str(world.tasks[CODE])}),
    )
    assert task.status_code == 201  # the city's campaign, as the district's task names it
    assert task.get_json()["origin"]["title"].startswith("CT01 共性问题联合监督")
    foreign = _post(
        client,
        f"{API}/matters",
        _matter_body(world, origin={"kind": "common_problem", "ref": world.problems["330100"]}),
    )
    assert foreign.status_code == 422 and _code(foreign) == "no_such_origin"
    nameless = _post(
        client, f"{API}/matters", _matter_body(world, origin={"kind": "deputy_motion", "ref": "12"})
    )
    assert nameless.status_code == 422 and _code(nameless) == "origin_title_required"


def test_a_city_opens_a_matter_from_its_common_problem(client, world):
    login(client, "330100-staff")
    response = _post(
        client,
        "/api/v1/t/330100/matters",
        {
            "title": "结收比共性问题专题评议",
            "subject": "standing_committee",
            "form": "special_appraisal",
            "origin": {"kind": "common_problem", "ref": world.problems["330100"]},
        },
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["origin"]["title"].startswith("CT01 ")


def test_targets_and_documents_must_be_the_tenants_own(client, world):
    login(client, f"{CODE}-staff")
    organ = _post(
        client, f"{API}/matters", _matter_body(world, targets=[world.organ_id("330105", "court")])
    )
    assert organ.status_code == 422 and _code(organ) == "unknown_organs"
    document = _post(
        client,
        f"{API}/matters",
        _matter_body(world, documents=[world.documents[("330105", "work_news")]]),
    )
    assert document.status_code == 422 and _code(document) == "unknown_documents"


def test_a_petition_is_named_without_its_petitioner(client, world):
    login(client, f"{CODE}-staff")
    petition = world.documents[(CODE, "petitions")]
    response = _post(
        client,
        f"{API}/matters",
        _matter_body(world, origin={"kind": "document", "ref": petition}, documents=[petition]),
    )
    assert response.status_code == 201
    body = response.get_json()
    assert "张三" not in body["origin"]["title"] and "张某" in body["origin"]["title"]
    assert "张三" not in body["documents"][0]["title"]


# --- issuing opinions ------------------------------------------------------------------------


def test_opinions_go_to_the_tenants_organs_under_a_matter_in_progress(client, world):
    login(client, f"{CODE}-staff")
    body = {"organ_id": world.organ_id(CODE, "court"), "title": "审议意见", "text": "意见"}
    foreign = _post(
        client, f"{API}/opinions", {**body, "organ_id": world.organ_id("330105", "court")}
    )
    assert foreign.status_code == 422 and _code(foreign) == "unknown_organ"
    proposed = _post(client, f"{API}/matters", _matter_body(world)).get_json()
    early = _post(client, f"{API}/opinions", {**body, "matter_id": proposed["id"]})
    assert early.status_code == 409 and _code(early) == "matter_not_issuing"
    elsewhere = {**body, "matter_id": world.matters[CODE]}
    elsewhere["organ_id"] = world.organ_id(CODE, "procuratorate")
    response = _post(client, f"{API}/opinions", elsewhere)
    assert response.status_code == 422 and _code(response) == "organ_not_targeted"
    empty = _post(client, f"{API}/opinions", {**body, "text": ""})
    assert empty.status_code == 422
    listed = _post(
        client, f"{API}/opinions", {**body, "kind": "problem_list", "text": "", "problems": ["a"]}
    )
    assert listed.status_code == 201 and listed.get_json()["problems"] == ["a"]


def test_an_unknown_matter_action_is_a_bad_request(client, world):
    login(client, f"{CODE}-admin")
    url = f"{API}/matters/{world.matters[CODE]}/transitions"
    response = _post(client, url, {"action": "reopen"})
    assert response.status_code == 400 and _code(response) == "unknown_action"
    assert _post(client, url, {}).status_code == 422


# --- audited and told ------------------------------------------------------------------------


def test_every_change_is_audited_and_the_other_side_told(client, session, world):
    opinion = world.opinions[CODE]
    login(client, f"{CODE}-court")
    _post(client, f"{API}/opinions/{opinion}/plan", {"text": "方案"})
    _post(client, f"{API}/opinions/{opinion}/result", {"text": "结果"})
    with system_scope():
        audited = session.execute(
            sa.select(AuditEvent.action, AuditEvent.actor).where(
                AuditEvent.object_type.like("supervision_opinion%"),
                AuditEvent.actor == f"{CODE}-court",
            )
        ).all()
        told = session.scalars(
            sa.select(Notification.user_id).where(
                Notification.kind == "opinion_result", Notification.link == f"opinions/{opinion}"
            )
        ).all()
        issued = session.scalars(
            sa.select(Notification.user_id).where(
                Notification.kind == "opinion_issued", Notification.link == f"opinions/{opinion}"
            )
        ).all()
    assert ("supervision_opinions.update", f"{CODE}-court") in audited
    assert ("supervision_opinion_events.insert", f"{CODE}-court") in audited
    assert set(told) == {world.users[f"{CODE}-staff"], world.users[f"{CODE}-admin"]}
    assert issued == [world.users[f"{CODE}-court"]]
