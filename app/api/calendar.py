"""The calendar (工作日历): what falls due in a window across every kind of item that
registered a source (:mod:`app.workload`), and everything one organ owes the congress —
the pages' figures as JSON. An organ user sees its own organ's items only; another organ's
list answers 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request
from flask_login import current_user

from app import clock
from app.api import tenant_bp
from app.api.matter_schemas import CalendarQuerySchema, DueItemSchema
from app.api.schemas import parse
from app.auth.access import ANCESTORS_READ, allow, is_own_organ_user, own_organ_only
from app.db import db
from app.errors import ApiError
from app.workload import due_items
from app.workload import sources as _sources  # noqa: F401  (registers its sources)
from app.workload.calendar import OWED_HORIZON, calendar_window
from tenants.models import Organ
from tenants.resolution import current_tenant

READERS = ("admin", "staff", "deputy", "viewer", "organ")


@tenant_bp.get("/calendar")
@allow(*READERS, ancestors=ANCESTORS_READ)
def calendar():
    """Items due between ``start`` and ``end`` (default: from the first day of this week
    or month to the last day of this week or month) and every overdue one due by ``end``,
    overdue first, then by due date."""
    query = parse(CalendarQuerySchema(), request.args.to_dict())
    today = clock.today()
    start, end = calendar_window(today)
    start, end = query["start"] or start, query["end"] or end
    if end < start:
        raise ApiError(422, "invalid", "结束日期早于开始日期", "The end is before the start")
    organ_id = current_user.organ_id if is_own_organ_user() else None
    items = due_items(db.session, current_tenant.id, organ_id=organ_id, start=start, end=end)
    return jsonify(
        today=today.isoformat(),
        start=start.isoformat(),
        end=end.isoformat(),
        items=DueItemSchema(many=True).dump(items),
    )


@tenant_bp.get("/organs/<int:organ_id>/owed")
@allow(*READERS, ancestors=ANCESTORS_READ)
def organ_owed(organ_id: int):
    """Everything the organ owes the congress that has a deadline, overdue first."""
    organ = db.session.scalar(
        own_organ_only(sa.select(Organ), Organ.id).where(Organ.id == organ_id)
    )
    if organ is None:
        raise ApiError(404, "not_found", "未找到该机关", "No such organ")
    today = clock.today()
    items = due_items(
        db.session, current_tenant.id, organ_id=organ.id, start=today, end=today + OWED_HORIZON
    )
    return jsonify(
        today=today.isoformat(),
        organ={"id": organ.id, "name_zh": organ.name_zh, "name_en": organ.name_en},
        items=DueItemSchema(many=True).dump(items),
    )
