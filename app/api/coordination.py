"""Key concerns (重点关注回应), deputies' opinions online (代表意见网上交办), and third-party and
social supervision: evaluators' reports, procuratorial recommendations, public comments.

Who may do what: staff and admins flag concerns, assign or decline deputies' opinions and
record public comments; an organ user responds to its own organ's concerns and answers the
deputies' opinions assigned to it; a deputy raises opinions, and withdraws and rates his or
her own; an evaluator files reports beside its assessment uploads; a procuratorate's user
records its recommendations, and the receiving organ (or the procuratorate, or staff) the
reply. The state machines say who may take each step (a deputy cannot assign, an organ
cannot rate); :mod:`app.coordination.visibility` says who sees what. Ancestors see none of
it: these are a congress's dealings with its own organs and people.
"""

from __future__ import annotations

import mimetypes

import sqlalchemy as sa
from flask import jsonify, request, send_file
from flask_login import current_user

from app.api import tenant_bp
from app.api.coordination_schemas import (
    AnswerSchema,
    AssignSchema,
    ConcernCreateSchema,
    ConcernResponseSchema,
    ConcernReviewSchema,
    ConcernSchema,
    DeputyOpinionCreateSchema,
    DeputyOpinionSchema,
    EvaluatorReportSchema,
    PublicCommentCreateSchema,
    PublicCommentSchema,
    RatingSchema,
    ReasonSchema,
    RecommendationCreateSchema,
    RecommendationReplySchema,
    RecommendationSchema,
    ReportCreateSchema,
)
from app.api.documents import safe_name
from app.api.schemas import parse
from app.auth.access import allow
from app.coordination import (
    concern_states,
    concerns,
    deputy_opinions,
    deputy_states,
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
from app.datamart.files import FileRejected, check_size
from app.datamart.models import StoredFile
from app.datamart.storage import path_of, save_upload
from app.db import db
from app.errors import ApiError
from app.statemachine import TransitionError

CONGRESS = ("admin", "staff", "deputy", "viewer")
STAFF = ("staff", "admin")
LISTED = 500


def _user():
    return current_user._get_current_object()


def _reader() -> visibility.Reader:
    return visibility.Reader.of(current_user)


def _body(schema) -> dict:
    return parse(schema, request.get_json(silent=True))


def refused(err: TransitionError) -> ApiError:
    return ApiError(err.http_status, err.code, err.message_zh, err.message_en)


def visible_concern(concern_id: int) -> KeyConcern:
    item = db.session.scalar(visibility.concerns(_reader()).where(KeyConcern.id == concern_id))
    if item is None:
        raise ApiError(404, "not_found", "未找到该重点关注事项", "No such key concern")
    return item


def visible_deputy_opinion(opinion_id: int) -> DeputyOpinion:
    stmt = visibility.deputy_opinions(_reader()).where(DeputyOpinion.id == opinion_id)
    item = db.session.scalar(stmt)
    if item is None:
        raise ApiError(404, "not_found", "未找到该代表意见", "No such deputy's opinion")
    return item


def visible_report(report_id: int) -> EvaluatorReport:
    stmt = visibility.evaluator_reports(_reader()).where(EvaluatorReport.id == report_id)
    item = db.session.scalar(stmt)
    if item is None:
        raise ApiError(404, "not_found", "未找到该评估报告", "No such evaluator's report")
    return item


def visible_recommendation(recommendation_id: int) -> ProcuratorialRecommendation:
    stmt = visibility.recommendations(_reader()).where(
        ProcuratorialRecommendation.id == recommendation_id
    )
    item = db.session.scalar(stmt)
    if item is None:
        raise ApiError(404, "not_found", "未找到该检察建议", "No such recommendation")
    return item


def visible_comment(comment_id: int) -> PublicComment:
    stmt = visibility.public_comments(_reader()).where(PublicComment.id == comment_id)
    item = db.session.scalar(stmt)
    if item is None:
        raise ApiError(404, "not_found", "未找到该群众意见", "No such public comment")
    return item


def _commit(step):
    try:
        step()
    except TransitionError as err:
        raise refused(err) from err
    db.session.commit()


# --- key concerns ------------------------------------------------------------------------


@tenant_bp.post("/concerns")
@allow(*STAFF)
def flag_concern():
    """Flag an item for an organ: ``organ_id``, ``kind`` (indicator — with
    ``indicator_code`` and maybe ``period`` —, hot_topic — with ``document_id`` of an
    internet-hot-topic document —, other), ``title``, ``text``, ``deadline_days``."""
    item = concerns.flag(db.session, _user(), **_body(ConcernCreateSchema()))
    db.session.commit()
    return jsonify(ConcernSchema().dump(item)), 201


@tenant_bp.get("/concerns")
@allow(*CONGRESS, "organ")
def list_concerns():
    """Concerns visible to the caller, those awaiting someone first, by deadline
    (``status``: a status or ``open``; ``organ``: an organ id)."""
    stmt = visibility.concerns(_reader())
    status = request.args.get("status", "")
    if status == "open":
        stmt = stmt.where(KeyConcern.status.in_(concern_states.OPEN_STATUSES))
    elif status:
        stmt = stmt.where(KeyConcern.status == status)
    if request.args.get("organ", "").isdigit():
        stmt = stmt.where(KeyConcern.organ_id == int(request.args["organ"]))
    rows = db.session.scalars(
        stmt.order_by(
            sa.case((KeyConcern.status.in_(concern_states.OPEN_STATUSES), 0), else_=1),
            KeyConcern.deadline,
            KeyConcern.id,
        ).limit(LISTED)
    )
    return jsonify(concerns=ConcernSchema(many=True, exclude=("events",)).dump(rows))


@tenant_bp.get("/concerns/<int:concern_id>")
@allow(*CONGRESS, "organ")
def concern(concern_id: int):
    """One concern with the organ's response and its history."""
    return jsonify(ConcernSchema().dump(visible_concern(concern_id)))


@tenant_bp.post("/concerns/<int:concern_id>/response")
@allow("organ")
def respond_to_concern(concern_id: int):
    """The organ's written response: ``text``."""
    item = visible_concern(concern_id)
    text = _body(ConcernResponseSchema())["text"]
    _commit(lambda: concerns.act(db.session, item, concern_states.RESPOND, _user(), text))
    return jsonify(ConcernSchema().dump(item))


@tenant_bp.post("/concerns/<int:concern_id>/review")
@allow(*STAFF)
def review_concern(concern_id: int):
    """Staff close the concern, or ask a follow-up question (``decision``: close,
    follow_up — which needs a ``comment`` and sets a new deadline of ``deadline_days``)."""
    item = visible_concern(concern_id)
    body = _body(ConcernReviewSchema())
    _commit(
        lambda: concerns.act(
            db.session, item, body["decision"], _user(), body["comment"], body["deadline_days"]
        )
    )
    return jsonify(ConcernSchema().dump(item))


@tenant_bp.post("/concerns/<int:concern_id>/withdraw")
@allow(*STAFF)
def withdraw_concern(concern_id: int):
    """Withdraw a concern the organ has not answered: ``comment`` (the reason)."""
    item = visible_concern(concern_id)
    comment = _body(ReasonSchema())["comment"]
    _commit(lambda: concerns.act(db.session, item, concern_states.WITHDRAW, _user(), comment))
    return jsonify(ConcernSchema().dump(item))


# --- deputies' opinions ------------------------------------------------------------------


@tenant_bp.post("/deputy-opinions")
@allow("deputy")
def raise_deputy_opinion():
    """A deputy's opinion or suggestion: ``text``, ``kind`` (opinion, suggestion) and the
    page's context — ``page_kind`` (dashboard, ticket, lab_sheet, other), ``page_path``,
    ``organ_id``, ``indicator_code``, ``chart_name``, ``ticket_id``."""
    item = deputy_opinions.raise_opinion(db.session, _user(), **_body(DeputyOpinionCreateSchema()))
    db.session.commit()
    return jsonify(DeputyOpinionSchema().dump(item)), 201


@tenant_bp.get("/deputy-opinions")
@allow(*CONGRESS, "organ")
def list_deputy_opinions():
    """Deputies' opinions visible to the caller, newest first (``status``: a status or
    ``open``; ``mine=1``: a deputy's own only)."""
    stmt = visibility.deputy_opinions(_reader())
    status = request.args.get("status", "")
    if status == "open":
        stmt = stmt.where(DeputyOpinion.status.in_(deputy_states.OPEN_STATUSES))
    elif status:
        stmt = stmt.where(DeputyOpinion.status == status)
    if request.args.get("mine") == "1":
        stmt = stmt.where(DeputyOpinion.author_user_id == current_user.id)
    rows = db.session.scalars(stmt.order_by(DeputyOpinion.id.desc()).limit(LISTED))
    return jsonify(opinions=DeputyOpinionSchema(many=True, exclude=("events",)).dump(rows))


@tenant_bp.get("/deputy-opinions/<int:deputy_opinion_id>")
@allow(*CONGRESS, "organ")
def deputy_opinion(deputy_opinion_id: int):
    """One opinion with its context, the organ's answer, the rating and the history."""
    return jsonify(DeputyOpinionSchema().dump(visible_deputy_opinion(deputy_opinion_id)))


def _deputy_step(deputy_opinion_id: int, schema, step):
    item = visible_deputy_opinion(deputy_opinion_id)
    body = _body(schema)
    _commit(lambda: step(item, body))
    return jsonify(DeputyOpinionSchema().dump(item))


@tenant_bp.post("/deputy-opinions/<int:deputy_opinion_id>/assign")
@allow(*STAFF)
def assign_deputy_opinion(deputy_opinion_id: int):
    """Staff assign it: ``organ_id``, ``deadline_days`` (working days), ``shared`` (show it
    to every deputy), ``comment``."""
    return _deputy_step(
        deputy_opinion_id,
        AssignSchema(),
        lambda item, body: deputy_opinions.assign(db.session, item, _user(), **body),
    )


@tenant_bp.post("/deputy-opinions/<int:deputy_opinion_id>/decline")
@allow(*STAFF)
def decline_deputy_opinion(deputy_opinion_id: int):
    """Staff decline to assign it: ``comment`` (why)."""
    return _deputy_step(
        deputy_opinion_id,
        ReasonSchema(),
        lambda item, body: deputy_opinions.decline(db.session, item, _user(), body["comment"]),
    )


@tenant_bp.post("/deputy-opinions/<int:deputy_opinion_id>/withdraw")
@allow("deputy")
def withdraw_deputy_opinion(deputy_opinion_id: int):
    """The deputy who raised it withdraws it before it is assigned: ``comment`` (why)."""
    return _deputy_step(
        deputy_opinion_id,
        ReasonSchema(),
        lambda item, body: deputy_opinions.withdraw(db.session, item, _user(), body["comment"]),
    )


@tenant_bp.post("/deputy-opinions/<int:deputy_opinion_id>/answer")
@allow("organ")
def answer_deputy_opinion(deputy_opinion_id: int):
    """The assigned organ's written answer: ``text``."""
    return _deputy_step(
        deputy_opinion_id,
        AnswerSchema(),
        lambda item, body: deputy_opinions.answer(db.session, item, _user(), body["text"]),
    )


@tenant_bp.post("/deputy-opinions/<int:deputy_opinion_id>/rate")
@allow("deputy")
def rate_deputy_opinion(deputy_opinion_id: int):
    """The deputy who raised it rates the answer: ``rating`` (satisfied,
    basically_satisfied, not_satisfied — which needs a ``comment``)."""
    return _deputy_step(
        deputy_opinion_id,
        RatingSchema(),
        lambda item, body: deputy_opinions.rate(
            db.session, item, _user(), body["rating"], body["comment"]
        ),
    )


# --- evaluators' reports -----------------------------------------------------------------


def store_report_file(upload) -> StoredFile:
    """Keep an uploaded report file (any type, not empty, within the size limit)."""
    try:
        check_size(upload.stream)
    except FileRejected as err:
        raise ApiError(err.status, err.code, err.message_zh, err.message_en) from err
    return save_upload(
        db.session, upload.stream, upload.filename, current_user.username, check_type=False
    )


def add_report(fields: dict, upload) -> EvaluatorReport:
    stored = store_report_file(upload) if upload is not None and upload.filename else None
    return social.add_report(
        db.session,
        _user(),
        stored=stored,
        file_name=safe_name(upload.filename) if stored else "",
        **fields,
    )


@tenant_bp.post("/evaluator-reports")
@allow("evaluator", *STAFF)
def file_report():
    """An evaluator's report: multipart form fields ``title``, ``period`` (2025, 2025-Q3
    or 2025-07), ``summary``, ``organ_id``, ``batch_id`` (the assessment upload it
    explains) and the ``file`` — or the same fields as JSON, without a file."""
    if request.mimetype == "multipart/form-data":
        fields = parse(ReportCreateSchema(), request.form.to_dict())
        item = add_report(fields, request.files.get("file"))
    else:
        item = add_report(_body(ReportCreateSchema()), None)
    db.session.commit()
    return jsonify(EvaluatorReportSchema().dump(item)), 201


@tenant_bp.get("/evaluator-reports")
@allow(*CONGRESS, "evaluator")
def list_reports():
    """Evaluators' reports visible to the caller, newest first."""
    rows = db.session.scalars(
        visibility.evaluator_reports(_reader()).order_by(EvaluatorReport.id.desc()).limit(LISTED)
    )
    return jsonify(reports=EvaluatorReportSchema(many=True).dump(rows))


@tenant_bp.get("/evaluator-reports/<int:evaluator_report_id>")
@allow(*CONGRESS, "evaluator")
def report(evaluator_report_id: int):
    """One evaluator's report (an evaluator: its own only)."""
    return jsonify(EvaluatorReportSchema().dump(visible_report(evaluator_report_id)))


def report_file_response(item: EvaluatorReport):
    if item.file is None:
        raise ApiError(404, "no_file", "该报告没有上传文件", "This report has no file")
    mimetype = mimetypes.guess_type(item.file_name)[0] or "application/octet-stream"
    response = send_file(
        path_of(item.file),
        mimetype=mimetype,
        as_attachment=True,
        download_name=item.file_name or "report",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@tenant_bp.get("/evaluator-reports/<int:evaluator_report_id>/file")
@allow(*CONGRESS, "evaluator")
def report_file(evaluator_report_id: int):
    """The report file as uploaded, under its original name."""
    return report_file_response(visible_report(evaluator_report_id))


# --- procuratorial recommendations -------------------------------------------------------


@tenant_bp.post("/recommendations")
@allow("organ", *STAFF)
def record_recommendation():
    """A procuratorial recommendation: ``number`` (文号), ``title``, ``text``,
    ``issuer_organ_id`` (a procuratorate; an organ user's own), ``recipient_organ_id`` or
    ``recipient_name``, ``issued_on``, ``reply_due`` (default two months after issue)."""
    body = _body(RecommendationCreateSchema())
    item = social.record_recommendation(db.session, _user(), **body)
    db.session.commit()
    return jsonify(RecommendationSchema().dump(item)), 201


@tenant_bp.get("/recommendations")
@allow(*CONGRESS, "organ")
def list_recommendations():
    """Recommendations visible to the caller, newest first, with the adoption figures of
    the congress (for the congress's users)."""
    rows = db.session.scalars(
        visibility.recommendations(_reader())
        .order_by(ProcuratorialRecommendation.issued_on.desc(), ProcuratorialRecommendation.id)
        .limit(LISTED)
    )
    figures = social.adoption_rate(db.session) if current_user.role in CONGRESS else None
    return jsonify(recommendations=RecommendationSchema(many=True).dump(rows), adoption=figures)


@tenant_bp.get("/recommendations/<int:recommendation_id>")
@allow(*CONGRESS, "organ")
def recommendation(recommendation_id: int):
    """One recommendation and its reply (an organ user: its organ's, issued or received)."""
    return jsonify(RecommendationSchema().dump(visible_recommendation(recommendation_id)))


@tenant_bp.post("/recommendations/<int:recommendation_id>/reply")
@allow("organ", *STAFF)
def reply_to_recommendation(recommendation_id: int):
    """Whether it was adopted: ``outcome`` (adopted, partly_adopted, not_adopted — the last
    two with the reason in ``text``)."""
    item = visible_recommendation(recommendation_id)
    body = _body(RecommendationReplySchema())
    _commit(lambda: social.reply_to(db.session, item, _user(), body["outcome"], body["text"]))
    return jsonify(RecommendationSchema().dump(item))


# --- public comments ---------------------------------------------------------------------


@tenant_bp.post("/public-comments")
@allow(*STAFF)
def record_comment():
    """A comment from the public, masked before it is stored: ``channel``, ``received_on``,
    ``title``, ``text``, ``organ_id``, ``sender`` and ``persons`` (the names the text
    mentions, which are masked; phone, ID numbers and e-mail addresses are found alone)."""
    item = social.record_comment(db.session, _user(), **_body(PublicCommentCreateSchema()))
    db.session.commit()
    return jsonify(PublicCommentSchema().dump(item)), 201


@tenant_bp.get("/public-comments")
@allow(*CONGRESS)
def list_comments():
    """Public comments received by the congress, newest first, masked."""
    rows = db.session.scalars(
        visibility.public_comments(_reader())
        .order_by(PublicComment.received_on.desc(), PublicComment.id.desc())
        .limit(LISTED)
    )
    return jsonify(comments=PublicCommentSchema(many=True).dump(rows))


@tenant_bp.get("/public-comments/<int:public_comment_id>")
@allow(*CONGRESS)
def public_comment(public_comment_id: int):
    """One public comment, masked."""
    return jsonify(PublicCommentSchema().dump(visible_comment(public_comment_id)))
