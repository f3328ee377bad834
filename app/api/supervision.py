"""Ratings, judgements, lab sheets, response tickets and notifications."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request
from flask_login import current_user, login_required

from app.api import bp, tenant_bp
from app.api.schemas import (
    JudgementSchema,
    NotificationSchema,
    RatingQuerySchema,
    RatingSchema,
    ResponseSchema,
    ReviewSchema,
    TicketSchema,
    parse,
)
from app.auth.access import ANCESTORS_READ, allow, is_own_organ_user, own_organ_only
from app.db import db, utcnow
from app.errors import ApiError
from app.notifications.models import Notification
from app.ratings.labsheet import lab_sheet
from app.ratings.models import Judgement, Rating
from app.tickets import service as tickets
from app.tickets.models import Ticket
from app.tickets.states import OPEN_STATUSES, TransitionError
from tenants.models import Organ
from tenants.resolution import current_tenant

READERS = ("admin", "staff", "deputy", "viewer", "organ")


def _filtered(stmt, model, query: dict):
    for key, column in (
        ("period", model.period),
        ("organ", model.organ_id),
        ("indicator", getattr(model, "indicator_code", None)),
        ("colour", getattr(model, "colour", None)),
    ):
        if key in query and column is not None:
            stmt = stmt.where(column == query[key])
    return stmt


@tenant_bp.get("/ratings")
@allow(*READERS, ancestors=ANCESTORS_READ)
def ratings():
    """Colour per value, with every rule's finding and inputs, and why."""
    query = parse(RatingQuerySchema(), request.args.to_dict())
    stmt = own_organ_only(_filtered(sa.select(Rating), Rating, query), Rating.organ_id)
    rows = db.session.scalars(
        stmt.order_by(Rating.period.desc(), Rating.organ_id, Rating.indicator_code).limit(
            query["limit"]
        )
    )
    return jsonify(ratings=RatingSchema(many=True).dump(rows))


@tenant_bp.get("/judgements")
@allow(*READERS, ancestors=ANCESTORS_READ)
def judgements():
    """Normal / reminder / warning per organ and period, with the indicators behind it."""
    query = parse(RatingQuerySchema(), request.args.to_dict())
    stmt = own_organ_only(_filtered(sa.select(Judgement), Judgement, query), Judgement.organ_id)
    rows = db.session.scalars(
        stmt.order_by(Judgement.period.desc(), Judgement.organ_id).limit(query["limit"])
    )
    return jsonify(judgements=JudgementSchema(many=True).dump(rows))


@tenant_bp.get("/organs/<int:organ_id>/lab-sheet")
@allow(*READERS, ancestors=ANCESTORS_READ)
def organ_lab_sheet(organ_id: int):
    """The lab sheet (体检化验单) of an organ for ``period``: value, band, arrows, colour
    and the reason in words for every indicator."""
    organ = _visible_organ(organ_id)
    return jsonify(lab_sheet(db.session, organ, current_tenant, request.args.get("period")))


def _visible_organ(organ_id: int) -> Organ:
    if is_own_organ_user() and organ_id != current_user.organ_id:
        raise ApiError(404, "not_found", "未找到该机关", "No such organ")
    return db.get_or_404(Organ, organ_id)


def _visible_tickets():
    return own_organ_only(sa.select(Ticket), Ticket.organ_id)


def _ticket(ticket_id: int) -> Ticket:
    ticket = db.session.scalar(_visible_tickets().where(Ticket.id == ticket_id))
    if ticket is None:
        raise ApiError(404, "not_found", "未找到该工单", "No such ticket")
    return ticket


@tenant_bp.get("/tickets")
@allow(*READERS, ancestors=ANCESTORS_READ)
def list_tickets():
    """Response tickets visible to the caller (``status``: a state, or ``open`` for all
    still awaiting someone), most urgent first."""
    stmt = _visible_tickets()
    status = request.args.get("status")
    if status == "open":
        stmt = stmt.where(Ticket.status.in_(OPEN_STATUSES))
    elif status:
        stmt = stmt.where(Ticket.status == status)
    rows = db.session.scalars(stmt.order_by(Ticket.deadline, Ticket.id).limit(500))
    return jsonify(tickets=TicketSchema(many=True, exclude=("events",)).dump(rows))


@tenant_bp.get("/tickets/<int:ticket_id>")
@allow(*READERS, ancestors=ANCESTORS_READ)
def ticket(ticket_id: int):
    """One ticket with its history."""
    return jsonify(TicketSchema().dump(_ticket(ticket_id)))


def _act(ticket_id: int, action: str, text: str):
    item = _ticket(ticket_id)
    try:
        tickets.act(db.session, item, action, current_user, text)
    except TransitionError as err:
        raise ApiError(err.http_status, err.code, err.message_zh, err.message_en) from err
    db.session.commit()
    return jsonify(TicketSchema().dump(item))


@tenant_bp.post("/tickets/<int:ticket_id>/responses")
@allow("organ")
def respond(ticket_id: int):
    """The organ answers (explains the figure and what it does about it)."""
    body = parse(ResponseSchema(), request.get_json(silent=True))
    return _act(ticket_id, "answer", body["text"])


@tenant_bp.post("/tickets/<int:ticket_id>/review")
@allow("staff", "admin")
def review(ticket_id: int):
    """Congress staff accept the answer, or return it with a comment."""
    body = parse(ReviewSchema(), request.get_json(silent=True))
    return _act(ticket_id, body["decision"], body.get("comment", ""))


@bp.get("/notifications")
@login_required
def notifications():
    rows = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.read_at.is_not(None), Notification.id.desc())
        .limit(100)
    )
    return jsonify(notifications=NotificationSchema(many=True).dump(rows))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read_notification(notification_id: int):
    item = db.session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id, Notification.user_id == current_user.id
        )
    )
    if item is None:
        raise ApiError(404, "not_found", "未找到该通知", "No such notification")
    item.read_at = item.read_at or utcnow()
    db.session.commit()
    return jsonify(NotificationSchema().dump(item))
