"""Joint supervision (联合监督 / 上下联动): a city or province launches a campaign across
some of its children; each child congress gets a task of its own, records what it did
(a hearing, an inquiry, opinions sent to the organ) and closes it; the parent follows
every child's progress and closes the campaign with a conclusion.

The campaign belongs to the parent, each task to its child. Creating a task therefore
enters the child's scope for that row only; reading the tasks of a campaign is done for
the campaign's owner only, by the campaign's id.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.auth.models import User
from app.errors import ApiError
from app.notifications.service import notify
from federation.common import FORM_NAMES
from federation.models import ACTION_KINDS, CommonProblem, JointSupervision, JointTask, TaskAction
from tenants.models import Tenant
from tenants.scoping import system_scope, tenant_scope

STAFF_ROLES = ("admin", "staff")


def _invalid(code: str, zh: str, en: str, status: int = 422) -> ApiError:
    return ApiError(status, code, zh, en)


def launch(
    session: Session,
    parent: Tenant,
    user: User,
    *,
    title: str = "",
    indicators: list[str] | None = None,
    targets: list[str] | None = None,
    deadline: date,
    instructions: str = "",
    period: str | None = None,
    common_problem_id: int | None = None,
    known_codes: set[str],
) -> JointSupervision:
    """Launch a campaign (in the parent's scope); from a common problem, the indicators,
    period and target children default to the problem's."""
    if not parent.children:
        raise _invalid(
            "no_children",
            "本级没有下级人大，不能发起联合监督",
            "This congress has no child congresses to supervise jointly",
        )
    problem = None
    if common_problem_id is not None:
        problem = session.get(CommonProblem, common_problem_id)
        if problem is None:  # another tenant's problem is as missing as a missing one
            raise _invalid("no_such_problem", "共性问题不存在", "No such common problem", 404)
        indicators = indicators or [problem.indicator_code]
        period = period or problem.period
        targets = targets or [e["code"] for e in problem.evidence if e.get("colour")]
        form_zh = FORM_NAMES[problem.suggested_form][0]
        title = title or f"{problem.indicator_code} 共性问题联合监督（{problem.period}，{form_zh}）"
        instructions = instructions or problem.reason_zh
    indicators = list(dict.fromkeys(indicators or []))
    targets = list(dict.fromkeys(targets or []))
    title = (title or "").strip()
    if not title:
        raise _invalid("title_required", "请填写标题", "A title is required")
    if not indicators or any(code not in known_codes for code in indicators):
        raise _invalid("bad_indicators", "指标代码无效", "Unknown or missing indicator codes")
    if deadline < clock.today():
        raise _invalid("deadline_past", "截止日期不能早于今天", "The deadline is in the past")
    children = {c.code: c for c in parent.children}
    if not targets:
        raise _invalid("targets_required", "请选择至少一个下级", "Choose at least one child tenant")
    foreign = [code for code in targets if code not in children]
    if foreign:
        raise _invalid(
            "bad_targets",
            f"只能对本级的直接下级发起：{'、'.join(foreign)}",
            f"Targets must be this tenant's children: {', '.join(foreign)}",
        )
    campaign = JointSupervision(
        title=title[:200],
        indicators=indicators,
        period=period,
        instructions=instructions,
        deadline=deadline,
        common_problem_id=problem.id if problem else None,
        created_by=user.username,
    )
    session.add(campaign)
    session.flush()
    for code in targets:
        child = children[code]
        with tenant_scope(child.id):
            task = JointTask(campaign_id=campaign.id)
            session.add(task)
            session.flush()
            _notify_staff(
                session,
                child.id,
                f"joint-task-{task.id}",
                f"{parent.name_zh}发起联合监督：{campaign.title}，请于 {deadline:%Y-%m-%d} 前办理",
                f"{parent.name_en or parent.code} launched joint supervision: {campaign.title}; "
                f"due {deadline:%Y-%m-%d}",
                f"joint-tasks/{task.id}",
            )
    return campaign


def _notify_staff(session, tenant_id: int, key: str, zh: str, en: str, link: str) -> None:
    users = session.scalars(
        sa.select(User.id).where(
            User.tenant_id == tenant_id, User.role.in_(STAFF_ROLES), User.active
        )
    ).all()
    for user_id in users:
        notify(session, user_id, tenant_id, "joint_task", key, zh, en, link)


def tasks_of(session: Session, campaign: JointSupervision) -> list[JointTask]:
    """Every child's task of a campaign the caller has already loaded in its own scope."""
    with system_scope():
        return list(
            session.scalars(
                sa.select(JointTask)
                .where(JointTask.campaign_id == campaign.id)
                .join(Tenant, Tenant.id == JointTask.tenant_id)
                .order_by(Tenant.code)
            )
        )


def progress(session: Session, campaign: JointSupervision) -> dict:
    tasks = tasks_of(session, campaign)
    with system_scope():
        rows = [
            {
                "task_id": t.id,
                "tenant": {"code": t.tenant.code, "name_zh": t.tenant.name_zh},
                "status": t.status,
                "actions": len(t.actions),
                "last_action": t.actions[-1].kind if t.actions else None,
                "summary": t.summary,
                "closed_at": t.closed_at.isoformat() if t.closed_at else None,
            }
            for t in tasks
        ]
    closed = sum(1 for r in rows if r["status"] == "closed")
    return {"tasks": rows, "total": len(rows), "closed": closed, "done": closed == len(rows)}


def campaign_of(session: Session, task: JointTask) -> JointSupervision:
    """The campaign of a task the caller has loaded in the child's scope."""
    with system_scope():
        campaign = session.get(JointSupervision, task.campaign_id)
        session.expunge(campaign)
    return campaign


def record_action(
    session: Session, task: JointTask, user: User, kind: str, note: str, happened_on: date
) -> TaskAction:
    if task.status == "closed":
        raise _invalid("task_closed", "任务已办结", "The task is closed", 409)
    if kind not in ACTION_KINDS:
        raise _invalid("bad_kind", "办理方式无效", f"kind must be one of {', '.join(ACTION_KINDS)}")
    if not (note or "").strip():
        raise _invalid("note_required", "请填写办理情况", "Describe what was done")
    if happened_on > clock.today():
        raise _invalid("future_date", "日期不能晚于今天", "The date is in the future")
    action = TaskAction(
        task_id=task.id,
        kind=kind,
        note=note.strip(),
        happened_on=happened_on,
        recorded_by=user.username,
    )
    session.add(action)
    task.status = "in_progress"
    session.flush()
    return action


def close_task(session: Session, task: JointTask, user: User, summary: str) -> JointTask:
    if task.status == "closed":
        raise _invalid("task_closed", "任务已办结", "The task is closed", 409)
    if not task.actions:
        raise _invalid(
            "no_actions", "请先登记至少一项办理情况", "Record at least one action first", 409
        )
    if not (summary or "").strip():
        raise _invalid("summary_required", "请填写办结说明", "A closing summary is required")
    task.status, task.summary = "closed", summary.strip()
    task.closed_at, task.closed_by = clock.now(), user.username
    session.flush()
    return task


def close_campaign(
    session: Session, campaign: JointSupervision, user: User, conclusion: str
) -> JointSupervision:
    if campaign.status == "closed":
        raise _invalid("campaign_closed", "联合监督已结束", "The campaign is closed", 409)
    if not (conclusion or "").strip():
        raise _invalid("conclusion_required", "请填写结论", "A conclusion is required")
    campaign.status, campaign.conclusion = "closed", conclusion.strip()
    campaign.closed_at = clock.now()
    session.flush()
    return campaign
