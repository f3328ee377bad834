"""监督协同 pages: key concerns and the organs' responses (重点关注回应), deputies' opinions
raised from any page and handled online (代表意见网上交办, with the deputy's 我的意见), and
third-party and social supervision — evaluators' reports, procuratorial recommendations,
public comments — each of which staff can turn into a supervision matter.

The rules are the API's (:mod:`app.api.coordination`): the same services, the same state
machines, the same visibility. A refused step is flashed (in both languages' catalog) and
the user is sent back to the page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from app import clock
from app.api.coordination import (
    add_report,
    report_file_response,
    visible_comment,
    visible_concern,
    visible_deputy_opinion,
    visible_recommendation,
    visible_report,
)
from app.api.coordination_schemas import (
    AnswerSchema,
    AssignSchema,
    ConcernCreateSchema,
    ConcernReviewSchema,
    DeputyOpinionCreateSchema,
    PublicCommentCreateSchema,
    RatingSchema,
    ReasonSchema,
    RecommendationCreateSchema,
    RecommendationReplySchema,
    ReportCreateSchema,
)
from app.auth.access import allow
from app.coordination import (
    concern_states,
    concerns,
    deputy_opinions,
    deputy_states,
    recommendation_states,
    social,
    visibility,
)
from app.coordination import workload as _workload  # noqa: F401  (registers the due items)
from app.coordination.models import (
    DeputyOpinion,
    EvaluatorReport,
    KeyConcern,
    ProcuratorialRecommendation,
    PublicComment,
)
from app.coordination.vocabulary import (
    COMMENT_CHANNELS,
    CONCERN_KINDS,
    DEPUTY_OPINION_KINDS,
    PAGE_KINDS,
    RATINGS,
)
from app.datamart.documents import Document, split_list
from app.datamart.models import ImportBatch
from app.db import db
from app.errors import ApiError
from app.i18n import select_locale
from app.indicators.service import current_indicators
from app.matters.models import Matter
from app.matters.vocabulary import FORMS, SUBJECTS
from app.statemachine import TransitionError
from app.web import bp, tenant_bp
from tenants.models import Organ
from tenants.resolution import current_tenant
from tenants.scoping import tenant_scope

CONGRESS = ("admin", "staff", "deputy", "viewer")
STAFF = ("staff", "admin")
LISTED = 500
MAX_TEXT = 20000
TABLES = {
    "concern_status": concern_states.STATUS_LABELS,
    "concern_action": concern_states.ACTION_LABELS,
    "concern_kind": CONCERN_KINDS,
    "deputy_status": deputy_states.STATUS_LABELS,
    "deputy_action": deputy_states.ACTION_LABELS,
    "deputy_kind": DEPUTY_OPINION_KINDS,
    "page_kind": PAGE_KINDS,
    "rating": RATINGS,
    "recommendation_status": recommendation_states.STATUS_LABELS,
    "channel": COMMENT_CHANNELS,
    "subject": SUBJECTS,
    "form": FORMS,
}


@bp.app_context_processor
def coordination_helpers():
    """``coord(table, code)``: a coordination label in the page's language;
    ``coordination_owed()``: what an organ user's organ owes (for its inbox)."""
    english = select_locale() == "en"

    def coord(table: str, code: str | None) -> str:
        zh, en = TABLES[table].get(code, (code or "", code or ""))
        return en if english else zh

    return {"coord": coord, "coordination_owed": _owed_by_my_organ}


def _owed_by_my_organ() -> dict:
    """An organ user's open concerns, deputies' opinions and recommendations awaiting its
    reply, in its own tenant (whatever page it is on)."""
    empty = {"concerns": [], "deputy_opinions": [], "recommendations": []}
    if not (current_user.is_authenticated and current_user.role == "organ"):
        return empty
    reader = visibility.Reader.of(current_user)
    with tenant_scope(current_user.tenant_id):
        return {
            "concerns": db.session.scalars(
                visibility.concerns(reader)
                .where(KeyConcern.status.in_(concern_states.OPEN_STATUSES))
                .order_by(KeyConcern.deadline, KeyConcern.id)
            ).all(),
            "deputy_opinions": db.session.scalars(
                visibility.deputy_opinions(reader)
                .where(DeputyOpinion.status.in_(deputy_states.AWAITING_ORGAN))
                .order_by(DeputyOpinion.deadline, DeputyOpinion.id)
            ).all(),
            "recommendations": db.session.scalars(
                visibility.recommendations(reader)
                .where(
                    ProcuratorialRecommendation.status == recommendation_states.PENDING,
                    ProcuratorialRecommendation.recipient_organ_id == current_user.organ_id,
                )
                .order_by(ProcuratorialRecommendation.reply_due)
            ).all(),
        }


# --- shared -------------------------------------------------------------------------------


def _reader() -> visibility.Reader:
    return visibility.Reader.of(current_user)


def _message(zh: str, en: str) -> str:
    return en if select_locale() == "en" else zh


def _form(schema, extra: dict | None = None) -> dict | None:
    """The posted form loaded by ``schema`` (blank fields left out), or None with the
    errors flashed."""
    data = {k: v for k, v in request.form.items() if k != "csrf_token" and v.strip() != ""}
    data.update(extra or {})
    try:
        return schema.load(data)
    except ValidationError as err:
        names = ", ".join(sorted(err.messages))
        flash(_message(f"请检查填写的内容:{names}", f"Please check: {names}"), "error")
        return None


def _run(step, back: str, done: str, to=None):
    """Take the step and commit, or flash why it was refused and go back to ``back``; on
    success go to ``to(result)`` when given, else back."""
    try:
        result = step()
    except TransitionError as err:
        db.session.rollback()
        flash(_message(err.message_zh, err.message_en), "error")
        return redirect(back)
    except ApiError as err:
        db.session.rollback()
        if err.status == 404:
            abort(404)
        flash(_message(err.zh, err.en), "error")
        return redirect(back)
    db.session.commit()
    flash(done, "info")
    return redirect(to(result) if to else back)


def _organs() -> list[Organ]:
    return db.session.scalars(sa.select(Organ).where(Organ.active).order_by(Organ.id)).all()


def _in_tenant() -> bool:
    return current_user.tenant_id == current_tenant.id


def _staff_here() -> bool:
    return current_user.role in STAFF and _in_tenant()


# --- 监督协同 (the hub) ---------------------------------------------------------------------


@tenant_bp.get("/coordination")
@allow(*CONGRESS, "organ")
def coordination_page():
    """What is open in each channel, as the user may see it."""
    reader = _reader()

    def count(stmt, model, statuses):
        # counted on the entity's own column, so that the tenant scope applies to it
        return db.session.scalar(
            stmt.where(model.status.in_(statuses))
            .with_only_columns(sa.func.count(model.id))
            .order_by(None)
        )

    counts = {
        "concerns": count(visibility.concerns(reader), KeyConcern, concern_states.OPEN_STATUSES),
        "deputy_opinions": count(
            visibility.deputy_opinions(reader), DeputyOpinion, deputy_states.OPEN_STATUSES
        ),
        "recommendations": count(
            visibility.recommendations(reader),
            ProcuratorialRecommendation,
            (recommendation_states.PENDING,),
        ),
    }
    if current_user.role in CONGRESS:
        counts["reports"] = db.session.scalar(sa.select(sa.func.count(EvaluatorReport.id)))
        counts["comments"] = db.session.scalar(sa.select(sa.func.count(PublicComment.id)))
    return render_template("coordination/index.html", counts=counts)


# --- 重点关注 -------------------------------------------------------------------------------


def _hot_topics() -> list[Document]:
    return db.session.scalars(
        sa.select(Document)
        .where(Document.category == concerns.HOT_TOPICS)
        .order_by(Document.date.desc(), Document.id.desc())
        .limit(100)
    ).all()


@tenant_bp.get("/concerns")
@allow(*CONGRESS, "organ")
def concerns_page():
    """Concerns visible to the user (open first); staff flag new ones here, the form
    filled from the page they came from (``organ``, ``indicator``, ``period``)."""
    rows = db.session.scalars(
        visibility.concerns(_reader())
        .order_by(
            sa.case((KeyConcern.status.in_(concern_states.OPEN_STATUSES), 0), else_=1),
            KeyConcern.deadline,
            KeyConcern.id,
        )
        .limit(LISTED)
    ).all()
    staff = _staff_here()
    _version, indicators = current_indicators() if staff else (None, [])
    return render_template(
        "coordination/concerns.html",
        concerns=rows,
        today=clock.today(),
        may_flag=staff,
        organs=_organs() if staff else [],
        indicators=indicators,
        hot_topics=_hot_topics() if staff else [],
        kinds=CONCERN_KINDS,
        prefill={k: request.args.get(k, "") for k in ("organ", "indicator", "period", "kind")},
    )


@tenant_bp.post("/concerns")
@allow(*STAFF)
def flag_concern_page():
    back = request.referrer or url_for("web_tenant.concerns_page")
    fields = _form(ConcernCreateSchema())
    if fields is None:
        return redirect(back)
    return _run(
        lambda: concerns.flag(db.session, current_user, **fields),
        back,
        _("已列为重点关注,已通知机关"),
        lambda item: url_for("web_tenant.concern_page", concern_id=item.id),
    )


@tenant_bp.get("/concerns/<int:concern_id>")
@allow(*CONGRESS, "organ")
def concern_page(concern_id: int):
    item = visible_concern(concern_id)
    role = current_user.role if _in_tenant() else "viewer"
    actions = concern_states.allowed_actions(item.status, role)
    return render_template(
        "coordination/concern.html",
        concern=item,
        today=clock.today(),
        may_respond=concern_states.RESPOND in actions,
        may_review=concern_states.CLOSE in actions,
        may_withdraw=concern_states.WITHDRAW in actions,
        max_text=MAX_TEXT,
    )


def _concern_back(concern_id: int) -> str:
    return url_for("web_tenant.concern_page", concern_id=concern_id)


@tenant_bp.post("/concerns/<int:concern_id>/respond")
@allow("organ")
def respond_concern_page(concern_id: int):
    item = visible_concern(concern_id)
    back = _concern_back(item.id)
    fields = _form(AnswerSchema())
    if fields is None:
        return redirect(back)
    step = lambda: concerns.act(  # noqa: E731
        db.session, item, concern_states.RESPOND, current_user, fields["text"]
    )
    return _run(step, back, _("书面回应已提交"))


@tenant_bp.post("/concerns/<int:concern_id>/review")
@allow(*STAFF)
def review_concern_page(concern_id: int):
    item = visible_concern(concern_id)
    back = _concern_back(item.id)
    fields = _form(ConcernReviewSchema())
    if fields is None:
        return redirect(back)
    step = lambda: concerns.act(  # noqa: E731
        db.session,
        item,
        fields["decision"],
        current_user,
        fields["comment"],
        fields["deadline_days"],
    )
    done = _("已办结") if fields["decision"] == concern_states.CLOSE else _("已追问,待机关再次回应")
    return _run(step, back, done)


@tenant_bp.post("/concerns/<int:concern_id>/withdraw")
@allow(*STAFF)
def withdraw_concern_page(concern_id: int):
    item = visible_concern(concern_id)
    back = _concern_back(item.id)
    fields = _form(ReasonSchema())
    if fields is None:
        return redirect(back)
    step = lambda: concerns.act(  # noqa: E731
        db.session, item, concern_states.WITHDRAW, current_user, fields["comment"]
    )
    return _run(step, back, _("已撤销"))


# --- 代表意见 -------------------------------------------------------------------------------


@tenant_bp.get("/deputy-opinions")
@allow(*CONGRESS, "organ")
def deputy_opinions_page():
    """A deputy's 我的意见 (and those shared with every deputy); for staff every opinion,
    those awaiting assignment first; for an organ those assigned to it."""
    reader = _reader()
    stmt = visibility.deputy_opinions(reader).order_by(
        sa.case((DeputyOpinion.status == deputy_states.SUBMITTED, 0), else_=1),
        DeputyOpinion.id.desc(),
    )
    rows = db.session.scalars(stmt.limit(LISTED)).all()
    mine = [o for o in rows if o.author_user_id == current_user.id]
    others = [o for o in rows if o.author_user_id != current_user.id]
    return render_template(
        "coordination/deputy_opinions.html",
        mine=mine,
        others=others,
        is_deputy=current_user.role == "deputy",
        today=clock.today(),
    )


def _local_path(path: str) -> str | None:
    """``path`` if it is one of this tenant's pages (a safe place to go back to)."""
    safe = deputy_opinions.safe_path(path)
    parts = urlsplit(safe)
    if safe and not parts.netloc and parts.path.startswith(f"/t/{current_tenant.code}/"):
        return safe
    return None


@tenant_bp.post("/deputy-opinions")
@allow("deputy")
def raise_deputy_opinion_page():
    """The 提意见 form of any page: the opinion, and the page's context."""
    page = _local_path(request.form.get("page_path", ""))
    back = page or url_for("web_tenant.deputy_opinions_page")
    fields = _form(DeputyOpinionCreateSchema(), {"page_path": page or ""})
    if fields is None:
        return redirect(back)
    step = lambda: deputy_opinions.raise_opinion(db.session, current_user, **fields)  # noqa: E731
    return _run(step, back, _("意见已提交,人大工作人员将交办有关机关"))


@tenant_bp.get("/deputy-opinions/<int:deputy_opinion_id>")
@allow(*CONGRESS, "organ")
def deputy_opinion_page(deputy_opinion_id: int):
    item = visible_deputy_opinion(deputy_opinion_id)
    role = current_user.role if _in_tenant() else "viewer"
    actions = deputy_states.allowed_actions(
        item.status, role, is_author=deputy_opinions.is_author(item, current_user)
    )
    return render_template(
        "coordination/deputy_opinion.html",
        opinion=item,
        today=clock.today(),
        may_assign=deputy_states.ASSIGN in actions,
        may_withdraw=deputy_states.WITHDRAW in actions,
        may_answer=deputy_states.ANSWER in actions,
        may_rate=deputy_states.RATE_SATISFIED in actions,
        organs=_organs() if deputy_states.ASSIGN in actions else [],
        ratings=RATINGS,
        max_text=MAX_TEXT,
    )


def _deputy_step(deputy_opinion_id: int, schema, run, done: str):
    item = visible_deputy_opinion(deputy_opinion_id)
    back = url_for("web_tenant.deputy_opinion_page", deputy_opinion_id=item.id)
    fields = _form(schema)
    if fields is None:
        return redirect(back)
    return _run(lambda: run(item, fields), back, done)


@tenant_bp.post("/deputy-opinions/<int:deputy_opinion_id>/assign")
@allow(*STAFF)
def assign_deputy_opinion_page(deputy_opinion_id: int):
    return _deputy_step(
        deputy_opinion_id,
        AssignSchema(),
        lambda item, f: deputy_opinions.assign(db.session, item, current_user, **f),
        _("已交办,已通知机关和代表"),
    )


@tenant_bp.post("/deputy-opinions/<int:deputy_opinion_id>/decline")
@allow(*STAFF)
def decline_deputy_opinion_page(deputy_opinion_id: int):
    return _deputy_step(
        deputy_opinion_id,
        ReasonSchema(),
        lambda item, f: deputy_opinions.decline(db.session, item, current_user, f["comment"]),
        _("已不予交办,已告知代表"),
    )


@tenant_bp.post("/deputy-opinions/<int:deputy_opinion_id>/withdraw")
@allow("deputy")
def withdraw_deputy_opinion_page(deputy_opinion_id: int):
    return _deputy_step(
        deputy_opinion_id,
        ReasonSchema(),
        lambda item, f: deputy_opinions.withdraw(db.session, item, current_user, f["comment"]),
        _("意见已撤回"),
    )


@tenant_bp.post("/deputy-opinions/<int:deputy_opinion_id>/answer")
@allow("organ")
def answer_deputy_opinion_page(deputy_opinion_id: int):
    return _deputy_step(
        deputy_opinion_id,
        AnswerSchema(),
        lambda item, f: deputy_opinions.answer(db.session, item, current_user, f["text"]),
        _("答复已提交,已通知代表"),
    )


@tenant_bp.post("/deputy-opinions/<int:deputy_opinion_id>/rate")
@allow("deputy")
def rate_deputy_opinion_page(deputy_opinion_id: int):
    return _deputy_step(
        deputy_opinion_id,
        RatingSchema(),
        lambda item, f: deputy_opinions.rate(
            db.session, item, current_user, f["rating"], f["comment"]
        ),
        _("评价已提交"),
    )


# --- a supervision matter from third-party or social supervision -------------------------


def _matters_from(kind: str, item_id: int) -> list[Matter]:
    return db.session.scalars(
        sa.select(Matter)
        .where(Matter.origin_kind == kind, Matter.origin_ref == str(item_id))
        .order_by(Matter.id)
    ).all()


def _matter_context(kind: str, item_id: int) -> dict:
    """What an item's page shows of supervision matters: those opened from it, and for
    staff the way to open one (the matters' own form, filled in from this origin)."""
    return {
        "matters": _matters_from(kind, item_id),
        "may_open_matter": _staff_here(),
        "origin_kind": kind,
    }


# --- 第三方评估报告 ---------------------------------------------------------------------------


@tenant_bp.get("/evaluator-reports")
@allow(*CONGRESS, "evaluator")
def evaluator_reports_page():
    rows = db.session.scalars(
        visibility.evaluator_reports(_reader()).order_by(EvaluatorReport.id.desc()).limit(LISTED)
    ).all()
    may_file = current_user.role in ("evaluator", *STAFF) and _in_tenant()
    batches = []
    if may_file:
        stmt = sa.select(ImportBatch).where(
            ImportBatch.kind == "assessment", ImportBatch.status == "succeeded"
        )
        if current_user.role == "evaluator":
            stmt = stmt.where(ImportBatch.submitted_by_user_id == current_user.id)
        batches = db.session.scalars(stmt.order_by(ImportBatch.id.desc()).limit(50)).all()
    return render_template(
        "coordination/evaluator_reports.html",
        reports=rows,
        may_file=may_file,
        organs=_organs() if may_file else [],
        batches=batches,
        year=clock.today().year,
    )


@tenant_bp.post("/evaluator-reports")
@allow("evaluator", *STAFF)
def file_evaluator_report_page():
    back = url_for("web_tenant.evaluator_reports_page")
    fields = _form(ReportCreateSchema())
    if fields is None:
        return redirect(back)
    upload = request.files.get("file")
    return _run(lambda: add_report(fields, upload), back, _("评估报告已上传"))


@tenant_bp.get("/evaluator-reports/<int:evaluator_report_id>")
@allow(*CONGRESS, "evaluator")
def evaluator_report_page(evaluator_report_id: int):
    item = visible_report(evaluator_report_id)
    return render_template(
        "coordination/evaluator_report.html",
        report=item,
        **_matter_context("evaluator_report", item.id),
    )


@tenant_bp.get("/evaluator-reports/<int:evaluator_report_id>/file")
@allow(*CONGRESS, "evaluator")
def evaluator_report_file(evaluator_report_id: int):
    item = visible_report(evaluator_report_id)
    if item.file is None:
        abort(404)
    return report_file_response(item)


# --- 检察建议 -------------------------------------------------------------------------------


def _procuratorates() -> list[Organ]:
    """The procuratorates an organ user may record for: its own, if it is one."""
    found = [o for o in _organs() if o.family == "procuratorate"]
    if current_user.role == "organ":
        return [o for o in found if o.id == current_user.organ_id]
    return found


@tenant_bp.get("/recommendations")
@allow(*CONGRESS, "organ")
def recommendations_page():
    rows = db.session.scalars(
        visibility.recommendations(_reader())
        .order_by(ProcuratorialRecommendation.issued_on.desc(), ProcuratorialRecommendation.id)
        .limit(LISTED)
    ).all()
    issuers = _procuratorates() if current_user.role in ("organ", *STAFF) and _in_tenant() else []
    return render_template(
        "coordination/recommendations.html",
        recommendations=rows,
        issuers=issuers,
        organs=_organs() if issuers else [],
        adoption=social.adoption_rate(db.session) if current_user.role in CONGRESS else None,
        today=clock.today(),
    )


@tenant_bp.post("/recommendations")
@allow("organ", *STAFF)
def record_recommendation_page():
    back = url_for("web_tenant.recommendations_page")
    fields = _form(RecommendationCreateSchema())
    if fields is None:
        return redirect(back)
    step = lambda: social.record_recommendation(db.session, current_user, **fields)  # noqa: E731
    return _run(step, back, _("检察建议已登记"))


@tenant_bp.get("/recommendations/<int:recommendation_id>")
@allow(*CONGRESS, "organ")
def recommendation_page(recommendation_id: int):
    item = visible_recommendation(recommendation_id)
    own = current_user.role == "organ" and current_user.organ_id in (
        item.issuer_organ_id,
        item.recipient_organ_id,
    )
    may_reply = (
        item.status == recommendation_states.PENDING
        and _in_tenant()
        and (own or current_user.role in STAFF)
    )
    return render_template(
        "coordination/recommendation.html",
        recommendation=item,
        may_reply=may_reply,
        outcomes=recommendation_states.OUTCOMES,
        today=clock.today(),
        **_matter_context("recommendation", item.id),
    )


@tenant_bp.post("/recommendations/<int:recommendation_id>/reply")
@allow("organ", *STAFF)
def reply_recommendation_page(recommendation_id: int):
    item = visible_recommendation(recommendation_id)
    back = url_for("web_tenant.recommendation_page", recommendation_id=item.id)
    fields = _form(RecommendationReplySchema())
    if fields is None:
        return redirect(back)
    step = lambda: social.reply_to(  # noqa: E731
        db.session, item, current_user, fields["outcome"], fields["text"]
    )
    return _run(step, back, _("回复情况已登记"))


# --- 群众意见 -------------------------------------------------------------------------------


@tenant_bp.get("/public-comments")
@allow(*CONGRESS)
def public_comments_page():
    rows = db.session.scalars(
        visibility.public_comments(_reader())
        .order_by(PublicComment.received_on.desc(), PublicComment.id.desc())
        .limit(LISTED)
    ).all()
    staff = _staff_here()
    return render_template(
        "coordination/public_comments.html",
        comments=rows,
        may_record=staff,
        organs=_organs() if staff else [],
        channels=COMMENT_CHANNELS,
        today=clock.today(),
    )


@tenant_bp.post("/public-comments")
@allow(*STAFF)
def record_public_comment_page():
    back = url_for("web_tenant.public_comments_page")
    persons = split_list(request.form.get("persons", ""))
    fields = _form(PublicCommentCreateSchema(), {"persons": persons})
    if fields is None:
        return redirect(back)
    step = lambda: social.record_comment(db.session, current_user, **fields)  # noqa: E731
    return _run(step, back, _("群众意见已登记(个人信息已遮蔽)"))


@tenant_bp.get("/public-comments/<int:public_comment_id>")
@allow(*CONGRESS)
def public_comment_page(public_comment_id: int):
    item = visible_comment(public_comment_id)
    return render_template(
        "coordination/public_comment.html",
        comment=item,
        **_matter_context("public_comment", item.id),
    )
