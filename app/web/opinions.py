"""监督意见办理 pages: the opinions issued to the organs (an organ sees its own, beside its
tickets), one opinion with its history, the organ's plan and result forms and the staff's
evaluation form. The rules are the API's (:mod:`app.api.matters`)."""

from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.auth.access import ANCESTORS_READ, allow, is_own_organ_user, own_organ_only
from app.db import db
from app.i18n import select_locale
from app.matters import opinion_states, opinions
from app.matters.models import Opinion
from app.matters.states import TransitionError
from app.matters.vocabulary import GRADES, OPINION_KINDS
from app.web import bp, tenant_bp
from tenants.scoping import tenant_scope

READERS = ("admin", "staff", "deputy", "viewer", "organ")
EVALUATORS = ("staff", "admin")
MAX_TEXT = 20000
LISTED = 500


@bp.app_context_processor
def opinion_labels():
    """Opinion labels in the page's language, and the number of opinions awaiting an organ
    user's organ (for the navigation's badge)."""
    english = select_locale() == "en"

    def pick(table: dict, code: str | None) -> str:
        zh, en = table.get(code, (code or "", code or ""))
        return en if english else zh

    return {
        "opinion_status": lambda code: pick(opinion_states.STATUS_LABELS, code),
        "opinion_action": lambda code: pick(opinion_states.ACTION_LABELS, code),
        "opinion_kind": lambda code: pick(OPINION_KINDS, code),
        "opinion_grade": lambda code: pick(GRADES, code),
        "awaiting_opinion_count": _awaiting_count(),
    }


def _awaiting_count() -> int | None:
    if not (current_user.is_authenticated and current_user.role == "organ"):
        return None
    try:
        with tenant_scope(current_user.tenant_id):
            return db.session.scalar(
                sa.select(sa.func.count(Opinion.id)).where(
                    Opinion.organ_id == current_user.organ_id,
                    Opinion.status.in_(opinion_states.AWAITING_ORGAN),
                )
            )
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return None


def open_opinions_of_my_organ() -> list[Opinion]:
    """For the organ's inbox: its opinions still open, by deadline."""
    return db.session.scalars(
        own_organ_only(sa.select(Opinion), Opinion.organ_id)
        .where(Opinion.status.in_(opinion_states.OPEN_STATUSES))
        .order_by(Opinion.deadline, Opinion.id)
    ).all()


def _opinion(opinion_id: int) -> Opinion:
    item = db.session.scalar(
        own_organ_only(sa.select(Opinion), Opinion.organ_id).where(Opinion.id == opinion_id)
    )
    if item is None:
        abort(404)
    return item


@tenant_bp.get("/opinions")
@allow(*READERS, ancestors=ANCESTORS_READ)
def opinions_page():
    """The opinions visible to the caller, those still open first, by deadline."""
    rows = db.session.scalars(
        own_organ_only(sa.select(Opinion), Opinion.organ_id)
        .order_by(
            sa.case((Opinion.status.in_(opinion_states.OPEN_STATUSES), 0), else_=1),
            Opinion.deadline,
            Opinion.id,
        )
        .limit(LISTED)
    ).all()
    return render_template("supervision/opinions.html", opinions=rows, today=clock.today())


@tenant_bp.get("/opinions/<int:opinion_id>")
@allow(*READERS, ancestors=ANCESTORS_READ)
def opinion_page(opinion_id: int):
    item = _opinion(opinion_id)
    here = current_user.tenant_id == item.tenant_id
    actions = opinion_states.allowed_actions(item.status, current_user.role) if here else ()
    return render_template(
        "supervision/opinion.html",
        opinion=item,
        today=clock.today(),
        may_plan=is_own_organ_user() and opinion_states.SUBMIT_PLAN in actions,
        may_result=is_own_organ_user() and opinion_states.SUBMIT_RESULT in actions,
        may_evaluate=opinion_states.EVALUATE_SATISFIED in actions,
        grades=GRADES,
        max_text=MAX_TEXT,
    )


def _back(opinion_id: int):
    return redirect(url_for("web_tenant.opinion_page", opinion_id=opinion_id))


def _done(opinion: Opinion, step, done: str):
    try:
        step()
    except TransitionError as err:
        db.session.rollback()
        flash(err.message_en if select_locale() == "en" else err.message_zh, "error")
        return _back(opinion.id)
    db.session.commit()
    flash(done, "info")
    return _back(opinion.id)


def _text(field: str) -> str | None:
    text = (request.form.get(field) or "").strip()
    if not text or len(text) > MAX_TEXT:
        flash(_("请填写内容(不超过 %(n)s 字)", n=MAX_TEXT), "error")
        return None
    return text


def _submit(opinion_id: int, action: str):
    item = _opinion(opinion_id)
    text = _text("text")
    if text is None:
        return _back(item.id)
    step = partial(opinions.submit, db.session, item, action, current_user, text)
    return _done(item, step, _("已报送"))


@tenant_bp.post("/opinions/<int:opinion_id>/plan")
@allow("organ")
def submit_opinion_plan(opinion_id: int):
    return _submit(opinion_id, opinion_states.SUBMIT_PLAN)


@tenant_bp.post("/opinions/<int:opinion_id>/result")
@allow("organ")
def submit_opinion_result(opinion_id: int):
    return _submit(opinion_id, opinion_states.SUBMIT_RESULT)


@tenant_bp.post("/opinions/<int:opinion_id>/evaluate")
@allow(*EVALUATORS)
def evaluate_opinion_page(opinion_id: int):
    item = _opinion(opinion_id)
    grade = request.form.get("grade", "")
    comment = (request.form.get("comment") or "").strip()
    if grade not in GRADES or len(comment) > MAX_TEXT:
        flash(_("请选择评价等级"), "error")
        return _back(item.id)
    step = partial(opinions.evaluate, db.session, item, grade, current_user, comment)
    return _done(item, step, _("已评价"))
