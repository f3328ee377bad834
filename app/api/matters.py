"""Supervision matters (监督事项), supervision opinions and their handling (监督意见办理),
and the organs' responsiveness figures.

Who may do what: staff and admins open matters, move them and issue and evaluate opinions;
only an admin records the standing committee's approval (and a cancellation), which the
state machine enforces (:mod:`app.matters.states`). An organ user sees, and handles, only
the opinions issued to its own organ (another organ's answer 404, like another tenant's);
matters are the congress's own records and organs do not read them. Deputies and viewers
read everything of their congress; ancestors' congress users read too.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request
from flask_login import current_user

from app import clock
from app.api import tenant_bp
from app.api.matter_schemas import (
    EvaluationSchema,
    HandlingSchema,
    MatterCreateSchema,
    MatterSchema,
    MatterTransitionSchema,
    OpinionCreateSchema,
    OpinionSchema,
)
from app.api.schemas import parse
from app.auth.access import ANCESTORS_READ, allow, own_organ_only
from app.db import db
from app.errors import ApiError
from app.matters import opinion_states, opinions, responsiveness
from app.matters import service as matters
from app.matters.models import Matter, Opinion
from app.matters.states import TransitionError
from tenants.models import Organ
from tenants.resolution import current_tenant

CONGRESS_READERS = ("admin", "staff", "deputy", "viewer")
READERS = (*CONGRESS_READERS, "organ")
WRITERS = ("staff", "admin")


def _body(schema):
    return parse(schema, request.get_json(silent=True))


def _user():
    return current_user._get_current_object()


def _refused(err: TransitionError) -> ApiError:
    return ApiError(err.http_status, err.code, err.message_zh, err.message_en)


# --- matters ---------------------------------------------------------------------------------


def _matter(matter_id: int) -> Matter:
    matter = db.session.scalar(sa.select(Matter).where(Matter.id == matter_id))
    if matter is None:
        raise ApiError(404, "not_found", "未找到该监督事项", "No such supervision matter")
    return matter


def _dump_matter(matter: Matter) -> dict:
    rows = db.session.scalars(
        sa.select(Opinion).where(Opinion.matter_id == matter.id).order_by(Opinion.id)
    )
    listed = OpinionSchema(many=True, only=("id", "organ_id", "title", "status", "deadline"))
    return {**MatterSchema().dump(matter), "opinions": listed.dump(rows)}


@tenant_bp.post("/matters")
@allow(*WRITERS)
def open_matter():
    """Propose a supervision matter: ``title``, ``subject``, ``form`` (one the subject uses),
    ``summary``, ``origin {kind, ref, title}``, ``targets`` (organ ids), ``documents``
    (data-mart document ids), ``planned_start``, ``planned_end``."""
    body = _body(MatterCreateSchema())
    matter = matters.open_matter(db.session, _user(), **body)
    db.session.commit()
    return jsonify(_dump_matter(matter)), 201


@tenant_bp.get("/matters")
@allow(*CONGRESS_READERS, ancestors=ANCESTORS_READ)
def list_matters():
    """The congress's matters, newest first (``status``, ``subject`` to filter)."""
    stmt = sa.select(Matter)
    for name in ("status", "subject"):
        if request.args.get(name):
            stmt = stmt.where(getattr(Matter, name) == request.args[name])
    rows = db.session.scalars(stmt.order_by(Matter.id.desc()).limit(500))
    return jsonify(matters=MatterSchema(many=True, exclude=("events",)).dump(rows))


@tenant_bp.get("/matters/<int:matter_id>")
@allow(*CONGRESS_READERS, ancestors=ANCESTORS_READ)
def matter(matter_id: int):
    """One matter with its targets, documents, opinions and history."""
    return jsonify(_dump_matter(_matter(matter_id)))


@tenant_bp.post("/matters/<int:matter_id>/transitions")
@allow(*WRITERS)
def matter_transition(matter_id: int):
    """Move the matter: ``action`` (approve — admins only —, start, issue_opinions,
    receive_feedback, evaluate, close, cancel) with a ``comment``."""
    body = _body(MatterTransitionSchema())
    item = _matter(matter_id)
    try:
        matters.act(db.session, item, body["action"], _user(), body["comment"])
    except TransitionError as err:
        raise _refused(err) from err
    db.session.commit()
    return jsonify(_dump_matter(item))


# --- opinions --------------------------------------------------------------------------------


def _visible_opinions():
    return own_organ_only(sa.select(Opinion), Opinion.organ_id)


def _opinion(opinion_id: int) -> Opinion:
    item = db.session.scalar(_visible_opinions().where(Opinion.id == opinion_id))
    if item is None:
        raise ApiError(404, "not_found", "未找到该监督意见", "No such supervision opinion")
    return item


@tenant_bp.post("/opinions")
@allow(*WRITERS)
def issue_opinion():
    """Issue an opinion to an organ: ``organ_id``, ``kind`` (deliberation, problem_list),
    ``title``, ``text``, ``problems``, ``matter_id``, ``deadline_days`` (working days)."""
    body = _body(OpinionCreateSchema())
    item = opinions.issue(db.session, _user(), **body)
    db.session.commit()
    return jsonify(OpinionSchema().dump(item)), 201


@tenant_bp.get("/opinions")
@allow(*READERS, ancestors=ANCESTORS_READ)
def list_opinions():
    """Opinions visible to the caller, those awaiting someone first, by deadline
    (``status``: a status, or ``open``; ``matter``: a matter id)."""
    stmt = _visible_opinions()
    status = request.args.get("status")
    if status == "open":
        stmt = stmt.where(Opinion.status.in_(opinion_states.OPEN_STATUSES))
    elif status:
        stmt = stmt.where(Opinion.status == status)
    if request.args.get("matter", "").isdigit():
        stmt = stmt.where(Opinion.matter_id == int(request.args["matter"]))
    rows = db.session.scalars(
        stmt.order_by(
            sa.case((Opinion.status.in_(opinion_states.OPEN_STATUSES), 0), else_=1),
            Opinion.deadline,
            Opinion.id,
        ).limit(500)
    )
    return jsonify(opinions=OpinionSchema(many=True, exclude=("events",)).dump(rows))


@tenant_bp.get("/opinions/<int:opinion_id>")
@allow(*READERS, ancestors=ANCESTORS_READ)
def opinion(opinion_id: int):
    """One opinion with its history."""
    return jsonify(OpinionSchema().dump(_opinion(opinion_id)))


def _handle(opinion_id: int, action: str):
    body = _body(HandlingSchema())
    item = _opinion(opinion_id)
    try:
        opinions.submit(db.session, item, action, _user(), body["text"])
    except TransitionError as err:
        raise _refused(err) from err
    db.session.commit()
    return jsonify(OpinionSchema().dump(item))


@tenant_bp.post("/opinions/<int:opinion_id>/plan")
@allow("organ")
def submit_plan(opinion_id: int):
    """The organ's handling plan (办理方案): ``text``."""
    return _handle(opinion_id, opinion_states.SUBMIT_PLAN)


@tenant_bp.post("/opinions/<int:opinion_id>/result")
@allow("organ")
def submit_result(opinion_id: int):
    """The organ's result report (办理结果): ``text``."""
    return _handle(opinion_id, opinion_states.SUBMIT_RESULT)


@tenant_bp.post("/opinions/<int:opinion_id>/evaluate")
@allow(*WRITERS)
def evaluate_opinion(opinion_id: int):
    """Staff evaluate the result: ``grade`` (satisfied, basically_satisfied,
    not_satisfied — which needs a ``comment`` and sends the opinion back to the organ with
    a new deadline of ``rehandle_days`` working days)."""
    body = _body(EvaluationSchema())
    item = _opinion(opinion_id)
    try:
        opinions.evaluate(
            db.session, item, body["grade"], _user(), body["comment"], body["rehandle_days"]
        )
    except TransitionError as err:
        raise _refused(err) from err
    db.session.commit()
    return jsonify(OpinionSchema().dump(item))


# --- responsiveness ----------------------------------------------------------------------------


@tenant_bp.get("/responsiveness")
@allow(*READERS, ancestors=ANCESTORS_READ)
def responsiveness_figures():
    """Per organ, over its tickets, opinions, key concerns and deputies' opinions: share
    answered on time, share accepted at the first review, average days to answer — in all
    and per kind —, ranked best first (an organ user: its own organ only)."""
    today = clock.today()
    organs = db.session.scalars(own_organ_only(sa.select(Organ), Organ.id).order_by(Organ.id))
    return jsonify(
        as_of=today.isoformat(), organs=responsiveness.organ_rows(db.session, organs, today)
    )


@tenant_bp.get("/federation/responsiveness")
@allow(*CONGRESS_READERS, ancestors=ANCESTORS_READ)
def federation_responsiveness():
    """The same figures per direct child congress, each over every item of its subtree,
    ranked best first; no organ's figures, no item."""
    today = clock.today()
    rows = responsiveness.children_figures(db.session, current_tenant.id, today)
    return jsonify(as_of=today.isoformat(), children=rows)
