"""数据报送 (organs) and 第三方评估 (evaluators): periods and their state, the form, the
template, the upload, and each import's progress and result."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.auth.access import allow
from app.datamart import imports
from app.datamart.files import FileRejected
from app.datamart.models import ImportBatch, IndicatorValue
from app.datamart.periods import deadline_of, month_of, previous_period, recent_months
from app.datamart.templates import specs_for
from app.db import db
from app.web import tenant_bp
from tenants.models import Organ
from tenants.resolution import current_tenant

SUBMITTERS = ("organ", "staff", "admin")
HEADER = ["期间", "机关", "指标代码", "分子", "分母", "数值", "说明"]


def _organ() -> Organ:
    """An organ user's own organ; congress staff choose one with ``?organ=``."""
    if current_user.role == "organ":
        return db.get_or_404(Organ, current_user.organ_id)
    organ_id = request.values.get("organ", type=int)
    if organ_id is None:
        first = db.session.scalar(sa.select(Organ).where(Organ.active).order_by(Organ.id))
        return first if first is not None else abort(404)
    return db.get_or_404(Organ, organ_id)


def period_states(organ: Organ, months: list[str]) -> list[dict]:
    """Per month: how many of the organ's indicators have a current value, whether any
    came late, and whether the deadline has passed (submitted / due / late)."""
    expected = {m: len(specs_for(organ, current_tenant.level, "values", m)) for m in months}
    rows = db.session.execute(
        sa.select(
            IndicatorValue.period,
            sa.func.count(),
            sa.func.max(sa.case((IndicatorValue.is_late, 1), else_=0)),
        )
        .where(
            IndicatorValue.is_current,
            IndicatorValue.organ_id == organ.id,
            IndicatorValue.source == "organ",
            IndicatorValue.period.in_(months),
        )
        .group_by(IndicatorValue.period)
    ).all()
    got = {period: (count, bool(late)) for period, count, late in rows}
    now, grace = clock.now(), current_app.config["SUBMISSION_GRACE_DAYS"]
    states = []
    for month in months:
        count, late = got.get(month, (0, False))
        overdue = now > deadline_of(month, grace)
        state = "submitted" if count >= expected[month] else ("late" if overdue else "due")
        states.append(
            {
                "period": month,
                "count": count,
                "expected": expected[month],
                "state": state,
                "late": late or (state == "late"),
                "deadline": deadline_of(month, grace),
            }
        )
    return states


def _history(organ_id: int | None, kind: str):
    stmt = imports.visible_batches(current_user).where(ImportBatch.kind == kind)
    if organ_id is not None:
        stmt = stmt.where(ImportBatch.organ_id == organ_id)
    return db.session.scalars(stmt.order_by(ImportBatch.id.desc()).limit(20)).all()


@tenant_bp.get("/submissions")
@allow(*SUBMITTERS)
def submissions():
    organ = _organ()
    months = recent_months(month_of(clock.now()), 12)
    organs = (
        db.session.scalars(sa.select(Organ).where(Organ.active).order_by(Organ.id)).all()
        if current_user.role != "organ"
        else [organ]
    )
    return render_template(
        "submissions/index.html",
        organ=organ,
        organs=organs,
        states=period_states(organ, months),
        history=_history(organ.id, "values"),
    )


@tenant_bp.get("/assessments")
@allow("evaluator", "staff", "admin")
def assessments():
    year = clock.now().year
    organs = db.session.scalars(sa.select(Organ).where(Organ.active).order_by(Organ.id)).all()
    return render_template(
        "submissions/assessments.html",
        years=[str(year - n) for n in (1, 2, 3)],
        organs=organs,
        history=_history(None, "assessment"),
    )


def _form_rows(organ: Organ, period: str) -> list[dict]:
    specs = specs_for(organ, current_tenant.level, "values", period)
    wanted = [s.code for s in specs]
    values = dict(
        db.session.execute(
            sa.select(IndicatorValue.indicator_code, IndicatorValue.value).where(
                IndicatorValue.is_current,
                IndicatorValue.organ_id == organ.id,
                IndicatorValue.period == previous_period(period),
                IndicatorValue.indicator_code.in_(wanted),
            )
        ).all()
    )
    current = {
        v.indicator_code: v
        for v in db.session.scalars(
            sa.select(IndicatorValue).where(
                IndicatorValue.is_current,
                IndicatorValue.organ_id == organ.id,
                IndicatorValue.period == period,
                IndicatorValue.indicator_code.in_(wanted),
            )
        )
    }
    return [
        {"spec": s, "previous": values.get(s.code), "current": current.get(s.code)} for s in specs
    ]


@tenant_bp.route("/submissions/<period>", methods=["GET", "POST"])
@allow(*SUBMITTERS)
def submission_form(period: str):
    organ = _organ()
    if period not in recent_months(month_of(clock.now()), 24):
        abort(404)
    rows = _form_rows(organ, period)
    if request.method == "GET":
        return render_template("submissions/form.html", organ=organ, period=period, rows=rows)
    body = _form_as_csv(organ, period, [r["spec"] for r in rows])
    return _submit("values", io.BytesIO(body), f"form-{organ.id}-{period}.csv", organ.id)


def _form_as_csv(organ: Organ, period: str, specs) -> bytes:
    """The form goes through the same pipeline as an upload: as a CSV batch."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for spec in specs:
        cells = [request.form.get(f"{field}_{spec.code}", "").strip() for field in ("n", "d", "v")]
        if any(cells):
            writer.writerow(
                [
                    period,
                    organ.name_zh,
                    spec.code,
                    *cells,
                    request.form.get(f"note_{spec.code}", "").strip(),
                ]
            )
    return out.getvalue().encode("utf-8")


def _submit(kind: str, stream, filename: str, organ_id: int | None):
    try:
        batch = imports.submit(
            db.session,
            kind=kind,
            stream=stream,
            filename=filename,
            user=current_user,
            organ_id=organ_id,
        )
    except FileRejected as err:
        flash(f"{err.message_zh} / {err.message_en}", "error")
        return redirect(request.referrer or url_for("web_tenant.submissions"))
    db.session.commit()
    if batch.status == "duplicate":
        flash(_("该文件此前已成功导入,本次未重复导入"), "info")
    return redirect(url_for("web_tenant.import_page", batch_id=batch.id))


@tenant_bp.post("/imports")
@allow("organ", "evaluator", "staff", "admin")
def upload():
    kind = request.form.get("kind", "assessment" if current_user.role == "evaluator" else "values")
    allowed = {"values": SUBMITTERS, "assessment": ("evaluator", "staff", "admin")}
    if current_user.role not in allowed.get(kind, ()):
        abort(403)
    organ_id = (
        current_user.organ_id
        if current_user.role == "organ"
        else (request.form.get("organ", type=int))
    )
    if organ_id is not None:
        db.get_or_404(Organ, organ_id)
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        flash(_("请选择要上传的文件"), "error")
        return redirect(request.referrer or url_for("web_tenant.submissions"))
    return _submit(kind, upload_file.stream, upload_file.filename, organ_id)


@tenant_bp.get("/imports/<int:batch_id>")
@allow("organ", "evaluator", "staff", "admin", "deputy", "viewer")
def import_page(batch_id: int):
    batch = db.session.scalar(
        imports.visible_batches(current_user).where(ImportBatch.id == batch_id)
    )
    if batch is None:
        abort(404)
    return render_template("submissions/import.html", batch=batch)
