"""上下联动: a parent congress's overview of its children (heat matrix, ranking, the trend
of its exact roll-up with the children's spread), the common problems with "发起联合监督",
a campaign's page with each child's progress, and a child's task page."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import ANCESTORS_READ, allow
from app.db import db
from app.errors import ApiError
from app.i18n import select_locale
from app.web import tenant_bp
from federation import campaigns, views
from federation.common import FORM_NAMES
from federation.models import ACTION_KINDS, CommonProblem, JointSupervision, JointTask
from tenants.resolution import current_tenant

READERS = ("admin", "staff", "deputy", "viewer")
ACTORS = ("admin", "staff")
ACTION_LABELS = {
    "hearing": ("听取专项工作报告", "work-report hearing"),
    "inquiry": ("专题询问", "inquiry"),
    "opinion": ("向机关转交审议意见", "opinions sent to the organ"),
    "inspection": ("执法检查/视察", "inspection"),
    "other": ("其他", "other"),
}
TASK_STATES = {
    "open": ("待办理", "open"),
    "in_progress": ("办理中", "in progress"),
    "closed": ("已办结", "closed"),
}


def _label(pair) -> str:
    return pair[1] if select_locale() == "en" else pair[0]


def _context() -> dict:
    return {
        "tenant": current_tenant,
        "form_label": lambda f: _label(FORM_NAMES.get(f, (f, f))),
        "action_label": lambda k: _label(ACTION_LABELS.get(k, (k, k))),
        "task_state": lambda s: _label(TASK_STATES.get(s, (s, s))),
        "can_act": current_user.role in ACTORS and current_user.tenant_id == current_tenant.id,
    }


def _children_or_404():
    children = views.children_of(db.session, current_tenant.id)
    if not children:
        abort(404)  # a tenant with no children has no overview, no problems, no campaigns
    return children


@tenant_bp.get("/federation")
@allow(*READERS, ancestors=ANCESTORS_READ)
def federation_overview():
    """The parent's overview: heat matrix, ranking, and one indicator's trend."""
    _children_or_404()
    period = request.args.get("period") or None
    heat = views.heat(db.session, current_tenant.id, period)
    specs = views.dictionary(db.session)
    indicator = request.args.get("indicator")
    if indicator not in specs:
        indicator = heat["indicators"][0]["code"] if heat["indicators"] else next(iter(specs))
    dimension = request.args.get("dimension") or None
    return render_template(
        "federation/overview.html",
        **_context(),
        heat=heat,
        ranking=views.ranking(db.session, current_tenant.id, heat["period"], None, dimension),
        dimensions=sorted({s.dimension_zh for s in specs.values()}),
        dimension=dimension,
        trend=views.trend(db.session, current_tenant.id, indicator),
        distribution=views.distribution(db.session, current_tenant.id, indicator, heat["period"]),
        indicator=indicator,
        specs=specs,
        rebuilt=views.rebuilt_at(db.session, current_tenant.id),
    )


def _problems(period: str | None):
    stmt = sa.select(CommonProblem)
    if period:
        stmt = stmt.where(CommonProblem.period == period)
    else:
        latest = db.session.scalar(sa.select(sa.func.max(CommonProblem.period)))
        stmt = stmt.where(CommonProblem.period == latest)
        period = latest
    rows = db.session.scalars(
        stmt.order_by(CommonProblem.n_red.desc(), CommonProblem.n_flagged.desc())
    ).all()
    return period, rows


@tenant_bp.get("/common-problems")
@allow(*READERS, ancestors=ANCESTORS_READ)
def common_problems_page():
    _children_or_404()
    period, problems = _problems(request.args.get("period") or None)
    return render_template(
        "federation/problems.html",
        **_context(),
        period=period,
        problems=problems,
        specs=views.dictionary(db.session),
    )


@tenant_bp.route("/joint-supervisions/new", methods=["GET", "POST"])
@allow(*ACTORS)
def new_campaign():
    """The launch form; from a common problem it comes filled in."""
    children = _children_or_404()
    problem = None
    if request.values.get("problem"):
        problem = db.get_or_404(CommonProblem, request.values.get("problem", type=int) or 0)
    specs = views.dictionary(db.session)
    if request.method == "POST":
        form = request.form
        try:
            deadline = date.fromisoformat(form.get("deadline", ""))
        except ValueError:
            flash(_("请填写有效的截止日期"), "error")
        else:
            try:
                campaign = campaigns.launch(
                    db.session,
                    current_tenant,
                    current_user,
                    title=form.get("title", ""),
                    indicators=form.getlist("indicators"),
                    targets=form.getlist("targets"),
                    deadline=deadline,
                    instructions=form.get("instructions", ""),
                    period=form.get("period") or None,
                    common_problem_id=problem.id if problem else None,
                    known_codes=set(specs),
                )
            except ApiError as err:
                db.session.rollback()
                flash(err.en if select_locale() == "en" else err.zh, "error")
            else:
                db.session.commit()
                flash(_("已发起联合监督，任务已下达各下级人大"), "success")
                return redirect(url_for("web_tenant.campaign_page", campaign_id=campaign.id))
    flagged = {e["code"] for e in problem.evidence if e.get("colour")} if problem else set()
    return render_template(
        "federation/new_campaign.html",
        **_context(),
        problem=problem,
        children=children,
        flagged=flagged,
        specs=specs,
    )


@tenant_bp.get("/joint-supervisions")
@allow(*READERS, ancestors=ANCESTORS_READ)
def campaigns_page():
    rows = db.session.scalars(
        sa.select(JointSupervision).order_by(JointSupervision.created_at.desc())
    ).all()
    progress = {c.id: campaigns.progress(db.session, c) for c in rows}
    return render_template(
        "federation/campaigns.html", **_context(), campaigns=rows, progress=progress
    )


@tenant_bp.get("/joint-supervisions/<int:campaign_id>")
@allow(*READERS, ancestors=ANCESTORS_READ)
def campaign_page(campaign_id: int):
    campaign = db.get_or_404(JointSupervision, campaign_id)
    return render_template(
        "federation/campaign.html",
        **_context(),
        campaign=campaign,
        progress=campaigns.progress(db.session, campaign),
        specs=views.dictionary(db.session),
    )


@tenant_bp.post("/joint-supervisions/<int:campaign_id>/close")
@allow(*ACTORS)
def close_campaign_form(campaign_id: int):
    campaign = db.get_or_404(JointSupervision, campaign_id)
    _apply(
        lambda: campaigns.close_campaign(
            db.session, campaign, current_user, request.form.get("conclusion", "")
        ),
        _("联合监督已结束"),
    )
    return redirect(url_for("web_tenant.campaign_page", campaign_id=campaign_id))


def _apply(change, done: str) -> None:
    """Run a change of the campaign service; commit and say so, or roll back and show
    its bilingual error."""
    try:
        change()
    except ApiError as err:
        db.session.rollback()
        flash(err.en if select_locale() == "en" else err.zh, "error")
    else:
        db.session.commit()
        flash(done, "success")


@tenant_bp.get("/joint-tasks")
@allow(*READERS, ancestors=ANCESTORS_READ)
def tasks_page():
    tasks = db.session.scalars(sa.select(JointTask).order_by(JointTask.created_at.desc())).all()
    return render_template(
        "federation/tasks.html",
        **_context(),
        tasks=[(t, campaigns.campaign_of(db.session, t)) for t in tasks],
    )


@tenant_bp.get("/joint-tasks/<int:task_id>")
@allow(*READERS, ancestors=ANCESTORS_READ)
def task_page(task_id: int):
    task = db.get_or_404(JointTask, task_id)
    return render_template(
        "federation/task.html",
        **_context(),
        task=task,
        campaign=campaigns.campaign_of(db.session, task),
        kinds=ACTION_KINDS,
        specs=views.dictionary(db.session),
    )


@tenant_bp.post("/joint-tasks/<int:task_id>/actions")
@allow(*ACTORS)
def record_action_form(task_id: int):
    task = db.get_or_404(JointTask, task_id)
    form = request.form

    def record():
        try:
            happened = date.fromisoformat(form.get("happened_on", ""))
        except ValueError as err:
            raise ApiError(422, "bad_date", "请填写有效的日期", "Give a valid date") from err
        campaigns.record_action(
            db.session, task, current_user, form.get("kind", ""), form.get("note", ""), happened
        )

    _apply(record, _("办理情况已登记"))
    return redirect(url_for("web_tenant.task_page", task_id=task_id))


@tenant_bp.post("/joint-tasks/<int:task_id>/close")
@allow(*ACTORS)
def close_task_form(task_id: int):
    task = db.get_or_404(JointTask, task_id)
    _apply(
        lambda: campaigns.close_task(
            db.session, task, current_user, request.form.get("summary", "")
        ),
        _("任务已办结"),
    )
    return redirect(url_for("web_tenant.task_page", task_id=task_id))
