"""The federation: a parent's roll-ups and common problems, the comparison of its
children, and joint supervision (a campaign of the parent, a task per child).

Access follows ownership. A roll-up, a common problem and a campaign are the parent's:
its congress reads them, its ancestors too, and only its admin and staff launch or close.
A task is the child's: the child's congress (and its ancestors) read it, only the child's
admin and staff act on it. The comparison routes read the children's ratings and roll-ups
in ``federation.views`` — only after ``@allow`` has let the caller into the parent, and
only for the parent's direct children.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request
from flask_login import current_user

from app.api import tenant_bp
from app.api.schemas import (
    CampaignCloseSchema,
    CampaignCreateSchema,
    CampaignSchema,
    CommonProblemSchema,
    JointTaskSchema,
    PeriodQuerySchema,
    RankingQuerySchema,
    RollupQuerySchema,
    TaskActionCreateSchema,
    TaskCampaignSchema,
    TaskCloseSchema,
    TenantRefSchema,
    TrendQuerySchema,
    parse,
)
from app.auth.access import ANCESTORS_READ, allow
from app.db import db
from app.errors import ApiError
from federation import campaigns, views
from federation.models import CommonProblem, JointSupervision, JointTask
from tenants.models import Tenant
from tenants.resolution import current_tenant

READERS = ("admin", "staff", "deputy", "viewer")
WRITERS = ("admin", "staff")


def _query(schema):
    return parse(schema, request.args.to_dict())


def _body(schema):
    return parse(schema, request.get_json(silent=True))


@tenant_bp.get("/rollups")
@allow(*READERS, ancestors=ANCESTORS_READ)
def rollups():
    """The tenant's exact roll-ups: Σnumerator, Σdenominator, value, each child's part,
    coverage (reporting / missing children), its own organs' figures apart, colour and
    why. ``indicator`` for one; ``period`` defaults to the latest one rolled up."""
    query = _query(RollupQuerySchema())
    return jsonify(
        views.rollup_of(db.session, current_tenant.id, query.get("indicator"), query.get("period"))
    )


@tenant_bp.get("/common-problems")
@allow(*READERS, ancestors=ANCESTORS_READ)
def common_problems():
    """Problems shared by several children, with the evidence and the suggested form of
    supervision; ``period`` defaults to the latest period that has any."""
    period = _query(PeriodQuerySchema()).get("period") or views.latest(
        db.session.scalars(sa.select(CommonProblem.period).distinct())
    )
    rows = db.session.scalars(
        sa.select(CommonProblem)
        .where(CommonProblem.period == period)
        .order_by(CommonProblem.n_red.desc(), CommonProblem.n_flagged.desc(), CommonProblem.id)
    )
    return jsonify(period=period, common_problems=CommonProblemSchema(many=True).dump(rows))


# -- joint supervision: the parent's campaigns ------------------------------------------


def _campaign(item: JointSupervision) -> dict:
    return {**CampaignSchema().dump(item), "progress": campaigns.progress(db.session, item)}


@tenant_bp.post("/joint-supervisions")
@allow(*WRITERS)
def launch_joint_supervision():
    """Launch joint supervision across some children: ``title``, ``indicators``,
    ``targets`` (child codes), ``deadline``, ``instructions``, ``period``; from a
    ``common_problem_id`` the indicator, period and flagged children are the defaults."""
    body = _body(CampaignCreateSchema())
    known = set(views.dictionary(db.session))
    item = campaigns.launch(
        db.session,
        current_tenant._get_current_object(),
        current_user._get_current_object(),
        known_codes=known,
        **body,
    )
    db.session.commit()
    return jsonify(_campaign(item)), 201


@tenant_bp.get("/joint-supervisions")
@allow(*READERS, ancestors=ANCESTORS_READ)
def joint_supervisions():
    """The tenant's campaigns, newest first, with each child's progress."""
    rows = db.session.scalars(sa.select(JointSupervision).order_by(JointSupervision.id.desc()))
    return jsonify(joint_supervisions=[_campaign(c) for c in rows])


@tenant_bp.get("/joint-supervisions/<int:campaign_id>")
@allow(*READERS, ancestors=ANCESTORS_READ)
def joint_supervision(campaign_id: int):
    """One campaign and each child's progress (tasks, actions, closed or not)."""
    return jsonify(_campaign(db.get_or_404(JointSupervision, campaign_id)))


@tenant_bp.post("/joint-supervisions/<int:campaign_id>/close")
@allow(*WRITERS)
def close_joint_supervision(campaign_id: int):
    """Close the campaign with a ``conclusion`` (409 if it is closed already)."""
    body = _body(CampaignCloseSchema())
    item = db.get_or_404(JointSupervision, campaign_id)
    campaigns.close_campaign(db.session, item, current_user, body["conclusion"])
    db.session.commit()
    return jsonify(_campaign(item))


# -- joint supervision: the child's tasks -----------------------------------------------


def _task(task: JointTask) -> dict:
    """A task with what its child is told of the campaign, and who launched it."""
    campaign = campaigns.campaign_of(db.session, task)
    parent = db.session.get(Tenant, campaign.tenant_id)
    return {
        **JointTaskSchema().dump(task),
        "campaign": {
            **TaskCampaignSchema().dump(campaign),
            "parent": TenantRefSchema().dump(parent),
        },
    }


@tenant_bp.get("/joint-tasks")
@allow(*READERS, ancestors=ANCESTORS_READ)
def joint_tasks():
    """This congress's tasks in its parents' campaigns (its own, never a sibling's)."""
    rows = db.session.scalars(sa.select(JointTask).order_by(JointTask.id.desc()))
    return jsonify(joint_tasks=[_task(t) for t in rows])


@tenant_bp.get("/joint-tasks/<int:task_id>")
@allow(*READERS, ancestors=ANCESTORS_READ)
def joint_task(task_id: int):
    """One task with its actions and the campaign's title, instructions and deadline."""
    return jsonify(_task(db.get_or_404(JointTask, task_id)))


@tenant_bp.post("/joint-tasks/<int:task_id>/actions")
@allow(*WRITERS)
def record_task_action(task_id: int):
    """Record what was done: ``kind`` (hearing, inquiry, opinion, inspection, other),
    ``note`` and ``happened_on``."""
    body = _body(TaskActionCreateSchema())
    task = db.get_or_404(JointTask, task_id)
    campaigns.record_action(db.session, task, current_user, **body)
    db.session.commit()
    return jsonify(_task(task)), 201


@tenant_bp.post("/joint-tasks/<int:task_id>/close")
@allow(*WRITERS)
def close_joint_task(task_id: int):
    """Close the task with a ``summary`` once something has been recorded."""
    body = _body(TaskCloseSchema())
    task = db.get_or_404(JointTask, task_id)
    campaigns.close_task(db.session, task, current_user, body["summary"])
    db.session.commit()
    return jsonify(_task(task))


# -- the children compared --------------------------------------------------------------


@tenant_bp.get("/federation/ranking")
@allow(*READERS, ancestors=ANCESTORS_READ)
def ranking():
    """The children ranked best first (亮榜晒绩): on an ``indicator`` by their total value,
    or on a ``dimension`` (or, with neither, on every indicator) by the share rated
    green; ``period`` defaults to the latest rolled up."""
    query = _query(RankingQuerySchema())
    return jsonify(
        views.ranking(
            db.session,
            current_tenant.id,
            query.get("period"),
            indicator=query.get("indicator"),
            dimension=query.get("dimension"),
        )
    )


@tenant_bp.get("/federation/heat")
@allow(*READERS, ancestors=ANCESTORS_READ)
def heat():
    """Children × indicators: each child's colour (the worst of its organs' ratings and
    its own roll-up's) and value, the worst first."""
    query = _query(PeriodQuerySchema())
    return jsonify(views.heat(db.session, current_tenant.id, query.get("period")))


@tenant_bp.get("/federation/distribution")
@allow(*READERS, ancestors=ANCESTORS_READ)
def distribution():
    """Each child's value of an ``indicator`` (default: the first one rolled up), their
    minimum, quartiles, median and maximum, and this tenant's exact roll-up marked."""
    query = _query(RollupQuerySchema())
    indicator = query.get("indicator") or views.first_indicator(
        db.session, current_tenant.id, query.get("period")
    )
    return jsonify(
        views.distribution(db.session, current_tenant.id, indicator, query.get("period"))
    )


@tenant_bp.get("/federation/trend")
@allow(*READERS, ancestors=ANCESTORS_READ)
def trend():
    """This tenant's roll-up of an ``indicator`` (default: the first one rolled up) over
    the last ``periods`` periods (24), with the children's minimum, median and maximum."""
    query = _query(TrendQuerySchema())
    indicator = query.get("indicator") or views.first_indicator(db.session, current_tenant.id)
    return jsonify(views.trend(db.session, current_tenant.id, indicator, query["periods"]))


@tenant_bp.get("/federation/children/<child_code>")
@allow(*READERS, ancestors=ANCESTORS_READ)
def child(child_code: str):
    """One direct child drilled into: its roll-ups and its organs' ratings for ``period``
    (never its raw submissions); 404 for anyone but a direct child."""
    query = _query(PeriodQuerySchema())
    found = views.child_of(db.session, current_tenant.id, child_code)
    if found is None:
        raise ApiError(404, "not_found", "未找到该下级", "No such child tenant")
    return jsonify(views.drill_down(db.session, found.id, query.get("period")))
