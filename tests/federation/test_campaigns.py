"""Joint supervision through the API: the city launches a campaign from a common problem,
each district sees and carries out its own task only, the city follows the progress and
closes the campaign; who may do what, and what bad input gets."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.audit.models import AuditEvent
from federation.models import CommonProblem, JointTask, TaskAction
from tenants.scoping import system_scope, tenant_scope
from tests.support.http import login, post_json
from tests.support.world import WORLD_MONTH

CITY, XIHU, GONGSHU, BEISHAN = "330100", "330106", "330105", "330106001"


def _as(client, user: str):
    login(client, user)
    return client


def _get(client, user: str, url: str):
    return _as(client, user).get(f"/api/v1/t/{url}")


def _post(client, user: str, url: str, body: dict | None = None):
    return post_json(_as(client, user), f"/api/v1/t/{url}", body or {})


def _deadline(days: int = 30) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def _launch(client, body: dict, user: str = f"{CITY}-staff", code: str = CITY):
    return _post(client, user, f"{code}/joint-supervisions", {"deadline": _deadline(), **body})


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["message_zh"] and error["message_en"]
    assert error["message_zh"] != error["message_en"]
    if code:
        assert error["code"] == code
    return error


def _task_of(client, child: str, campaign_id: int) -> dict:
    tasks = _get(client, f"{child}-staff", f"{child}/joint-tasks").get_json()["joint_tasks"]
    mine = [t for t in tasks if t["campaign"]["id"] == campaign_id]
    assert len(mine) == 1, tasks
    return mine[0]


def _audit(session, tenant_id: int, action: str) -> list[AuditEvent]:
    with system_scope():
        return session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.tenant_id == tenant_id, AuditEvent.action == action
            )
        ).all()


def test_a_campaign_from_a_common_problem_runs_to_its_conclusion(client, session, world):
    response = _launch(client, {"common_problem_id": world.problems[CITY]})
    assert response.status_code == 201, response.get_json()
    campaign = response.get_json()
    assert campaign["indicators"] == ["CT01"] and campaign["period"] == WORLD_MONTH
    assert campaign["title"] and campaign["status"] == "open"
    progress = campaign["progress"]
    assert [t["tenant"]["code"] for t in progress["tasks"]] == [GONGSHU, XIHU]
    assert (progress["total"], progress["closed"], progress["done"]) == (2, 0, False)
    url = f"{CITY}/joint-supervisions/{campaign['id']}"

    for n, child in enumerate((XIHU, GONGSHU), start=1):
        task = _task_of(client, child, campaign["id"])
        assert task["campaign"]["parent"]["code"] == CITY
        assert task["campaign"]["deadline"] == campaign["deadline"]
        assert task["campaign"]["instructions"] == campaign["instructions"]
        assert "targets" not in task["campaign"] and "progress" not in task["campaign"]
        acted = _post(
            client,
            f"{child}-staff",
            f"{child}/joint-tasks/{task['id']}/actions",
            {
                "kind": "hearing",
                "note": "召开执行工作座谈会",
                "happened_on": clock.today().isoformat(),
            },
        )
        assert acted.status_code == 201, acted.get_json()
        assert acted.get_json()["status"] == "in_progress"
        assert [a["kind"] for a in acted.get_json()["actions"]] == ["hearing"]
        closed = _post(
            client,
            f"{child}-admin",
            f"{child}/joint-tasks/{task['id']}/close",
            {"summary": "已督促法院整改"},
        )
        assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
        _error(
            _post(
                client,
                f"{child}-staff",
                f"{child}/joint-tasks/{task['id']}/close",
                {"summary": "再次"},
            ),
            409,
            "task_closed",
        )
        seen = _get(client, f"{CITY}-viewer", url).get_json()["progress"]
        assert seen["closed"] == n and seen["done"] == (n == 2)

    done = _post(client, f"{CITY}-admin", f"{url}/close", {"conclusion": "两区均已整改到位"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "closed" and done.get_json()["conclusion"]
    _error(_post(client, f"{CITY}-staff", f"{url}/close", {"conclusion": "again"}), 409)

    launched = _audit(session, world.tenant_id(CITY), "joint_supervisions.insert")
    assert any(e.actor == f"{CITY}-staff" and e.object_id == str(campaign["id"]) for e in launched)
    actions = _audit(session, world.tenant_id(XIHU), "joint_task_actions.insert")
    assert any(e.actor == f"{XIHU}-staff" for e in actions)


def test_each_district_sees_its_own_task_and_never_its_siblings(client, world):
    mine, theirs = world.tasks[XIHU], world.tasks[GONGSHU]
    listed = _get(client, f"{XIHU}-staff", f"{XIHU}/joint-tasks").get_json()["joint_tasks"]
    assert [t["id"] for t in listed] == [mine]
    assert listed[0]["campaign"]["parent"]["name_zh"] == "杭州市"
    assert GONGSHU not in str(listed)
    assert _get(client, f"{XIHU}-staff", f"{XIHU}/joint-tasks/{theirs}").status_code == 404
    assert _get(client, f"{GONGSHU}-staff", f"{XIHU}/joint-tasks/{mine}").status_code == 404
    assert _get(client, f"{GONGSHU}-staff", f"{GONGSHU}/joint-tasks/{mine}").status_code == 404
    body = {"kind": "inquiry", "note": "越权", "happened_on": clock.today().isoformat()}
    assert (
        _post(client, f"{XIHU}-staff", f"{XIHU}/joint-tasks/{theirs}/actions", body).status_code
        == 404
    )
    assert (
        _post(client, f"{GONGSHU}-staff", f"{XIHU}/joint-tasks/{mine}/actions", body).status_code
        == 404
    )


def test_a_campaign_is_its_parents_alone(client, world):
    campaign = world.campaigns[CITY]
    assert _get(client, f"{XIHU}-staff", f"{XIHU}/joint-supervisions/{campaign}").status_code == 404
    assert (
        _get(client, f"{GONGSHU}-staff", f"{CITY}/joint-supervisions/{campaign}").status_code == 404
    )
    assert _get(client, "330200-admin", f"{CITY}/joint-supervisions").status_code == 404
    listed = _get(client, f"{XIHU}-staff", f"{XIHU}/joint-supervisions").get_json()
    assert [c["id"] for c in listed["joint_supervisions"]] == [world.campaigns[XIHU]]
    ancestor = _get(client, "330000-viewer", f"{CITY}/joint-supervisions/{campaign}")
    assert ancestor.status_code == 200
    assert [t["task_id"] for t in ancestor.get_json()["progress"]["tasks"]] == [
        world.tasks[GONGSHU],
        world.tasks[XIHU],
    ]


def test_ancestors_read_a_districts_tasks_but_do_not_act_on_them(client, world):
    task = world.tasks[XIHU]
    assert _get(client, f"{CITY}-staff", f"{XIHU}/joint-tasks/{task}").status_code == 200
    body = {"kind": "inquiry", "note": "代办", "happened_on": clock.today().isoformat()}
    assert (
        _post(client, f"{CITY}-staff", f"{XIHU}/joint-tasks/{task}/actions", body).status_code
        == 404
    )
    assert _post(client, f"{CITY}-admin", f"{XIHU}/joint-supervisions", {}).status_code == 404


@pytest.mark.parametrize("role", ["deputy", "viewer"])
def test_deputies_and_viewers_read_but_neither_launch_nor_act(client, world, role):
    campaign, task = world.campaigns[CITY], world.tasks[XIHU]
    assert (
        _get(client, f"{CITY}-{role}", f"{CITY}/joint-supervisions/{campaign}").status_code == 200
    )
    assert (
        _launch(client, {"common_problem_id": world.problems[CITY]}, f"{CITY}-{role}").status_code
        == 403
    )
    close = _post(
        client, f"{CITY}-{role}", f"{CITY}/joint-supervisions/{campaign}/close", {"conclusion": "x"}
    )
    assert close.status_code == 403
    assert _get(client, f"{XIHU}-{role}", f"{XIHU}/joint-tasks/{task}").status_code == 200
    body = {"kind": "opinion", "note": "x", "happened_on": clock.today().isoformat()}
    assert (
        _post(client, f"{XIHU}-{role}", f"{XIHU}/joint-tasks/{task}/actions", body).status_code
        == 403
    )
    assert (
        _post(
            client, f"{XIHU}-{role}", f"{XIHU}/joint-tasks/{task}/close", {"summary": "x"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize("user", [f"{XIHU}-court", f"{XIHU}-evaluator"])
def test_organ_and_evaluator_users_have_no_part_in_joint_supervision(client, world, user):
    task, campaign = world.tasks[XIHU], world.campaigns[XIHU]
    assert _get(client, user, f"{XIHU}/joint-tasks").status_code == 403
    assert _get(client, user, f"{XIHU}/joint-tasks/{task}").status_code == 403
    assert _get(client, user, f"{XIHU}/joint-supervisions/{campaign}").status_code == 403
    assert (
        _launch(
            client, {"indicators": ["CT01"], "targets": [BEISHAN], "title": "x"}, user, XIHU
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"title": "t", "indicators": ["CT01"], "targets": ["330200"]}, "bad_targets"),
        ({"title": "t", "indicators": ["CT01"], "targets": [BEISHAN]}, "bad_targets"),
        ({"title": "t", "indicators": ["ZZ99"], "targets": [XIHU]}, "bad_indicators"),
        ({"title": "t", "indicators": [], "targets": [XIHU]}, "bad_indicators"),
        ({"title": "t", "indicators": ["CT01"], "targets": []}, "targets_required"),
        ({"title": " ", "indicators": ["CT01"], "targets": [XIHU]}, "title_required"),
        (
            {"title": "t", "indicators": ["CT01"], "targets": [XIHU], "deadline": "2020-01-01"},
            "deadline_past",
        ),
        (
            {"title": "t", "indicators": ["CT01"], "targets": [XIHU], "deadline": "2026-02-30"},
            "invalid",
        ),
        ({"title": "t", "indicators": ["CT01"], "targets": [XIHU], "period": "2026-13"}, "invalid"),
        ({"title": "t", "indicators": ["CT01"], "targets": [XIHU], "deadline": None}, "invalid"),
        ({"common_problem_id": "first"}, "invalid"),
    ],
)
def test_bad_launches_get_422_in_both_languages(client, body, code):
    _error(_launch(client, body), 422, code)


def test_a_district_launches_only_over_its_own_children(client, world):
    _error(
        _launch(
            client,
            {"title": "t", "indicators": ["CT01"], "targets": [GONGSHU]},
            f"{XIHU}-staff",
            XIHU,
        ),
        422,
        "bad_targets",
    )
    _error(
        _launch(
            client,
            {"title": "t", "indicators": ["CT01"], "targets": [XIHU]},
            f"{GONGSHU}-staff",
            GONGSHU,
        ),
        422,
        "no_children",
    )
    own = _launch(
        client,
        {"title": "街道联动", "indicators": ["CT01"], "targets": [BEISHAN]},
        f"{XIHU}-admin",
        XIHU,
    )
    assert own.status_code == 201
    assert [t["tenant"]["code"] for t in own.get_json()["progress"]["tasks"]] == [BEISHAN]


def test_another_tenants_common_problem_is_as_missing_as_none(client, world):
    body = {"common_problem_id": world.problems[CITY]}
    _error(_launch(client, body, f"{XIHU}-staff", XIHU), 404, "no_such_problem")
    _error(_launch(client, {"common_problem_id": 999999}), 404, "no_such_problem")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"kind": "party", "note": "x", "happened_on": "2026-01-01"}, 422, "invalid"),
        ({"kind": "hearing", "note": "", "happened_on": "2026-01-01"}, 422, "invalid"),
        ({"kind": "hearing", "note": "x", "happened_on": "2026-02-30"}, 422, "invalid"),
        ({"kind": "hearing", "note": "x"}, 422, "invalid"),
        ({"kind": "hearing", "note": "  ", "happened_on": "2026-01-01"}, 422, "note_required"),
        ({"kind": "hearing", "note": "x", "happened_on": "2999-01-01"}, 422, "future_date"),
    ],
)
def test_bad_actions_are_refused(client, world, body, status, code):
    url = f"{XIHU}/joint-tasks/{world.tasks[XIHU]}/actions"
    _error(_post(client, f"{XIHU}-staff", url, body), status, code)


def test_a_task_closes_only_after_an_action_and_with_a_summary(client, world):
    url = f"{XIHU}/joint-tasks/{world.tasks[XIHU]}"
    _error(_post(client, f"{XIHU}-staff", f"{url}/close", {"summary": "完成"}), 409, "no_actions")
    _error(_post(client, f"{XIHU}-staff", f"{url}/close", {}), 422, "invalid")
    today = clock.today().isoformat()
    action = {"kind": "inspection", "note": "实地检查", "happened_on": today}
    assert _post(client, f"{XIHU}-staff", f"{url}/actions", action).status_code == 201
    _error(
        _post(client, f"{XIHU}-staff", f"{url}/close", {"summary": " "}), 422, "summary_required"
    )
    assert _post(client, f"{XIHU}-staff", f"{url}/close", {"summary": "完成"}).status_code == 200
    _error(_post(client, f"{XIHU}-staff", f"{url}/actions", action), 409, "task_closed")


def test_closing_a_campaign_needs_a_conclusion(client, world):
    url = f"{CITY}/joint-supervisions/{world.campaigns[CITY]}/close"
    _error(_post(client, f"{CITY}-staff", url, {}), 422, "invalid")
    _error(_post(client, f"{CITY}-staff", url, {"conclusion": "  "}), 422, "conclusion_required")


@pytest.mark.postgres
def test_row_level_security_hides_other_tenants_problems_and_actions(tx, session, world, backend):
    """The world holds these for one tenant only; give them a second one and check the
    PostgreSQL net with raw SQL."""
    if backend != "postgresql":
        pytest.skip("row-level security exists only on PostgreSQL")
    today = clock.today()
    for code in (XIHU, GONGSHU):
        with tenant_scope(world.tenant_id(code)):
            task = session.get(JointTask, world.tasks[code])
            session.add(
                TaskAction(
                    task_id=task.id, kind="other", note=code, happened_on=today, recorded_by="t"
                )
            )
            session.flush()
    with tenant_scope(world.tenant_id(XIHU)):
        session.add(
            CommonProblem(
                indicator_code="CT01",
                period="2020-01",
                n_children=1,
                threshold=1,
                n_flagged=1,
                n_red=1,
                concurrent=True,
                persistent=False,
                suggested_form="inquiry",
                evidence=[],
            )
        )
        session.flush()
    session.commit()
    for table in ("common_problems", "joint_task_actions", "joint_tasks", "joint_supervisions"):
        _set(tx, world.tenant_id(XIHU), "off")
        seen = {r[0] for r in tx.execute(sa.text(f"SELECT DISTINCT tenant_id FROM {table}"))}
        assert seen == {world.tenant_id(XIHU)}, table
        _set(tx, "", "on")
        everyone = {r[0] for r in tx.execute(sa.text(f"SELECT DISTINCT tenant_id FROM {table}"))}
        assert len(everyone) > 1, table


def _set(conn, tenant_id, system: str) -> None:
    conn.execute(
        sa.text("SELECT set_config('app.tenant_id', :t, true), set_config('app.system', :s, true)"),
        {"t": str(tenant_id), "s": system},
    )
