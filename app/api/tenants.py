"""The tenant, its organs and its submitted values."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select

from app.api import tenant_bp
from app.api.schemas import OrganSchema, TenantSchema, ValueQuerySchema, ValueSchema, parse
from app.auth.access import ALL_ROLES, ANCESTORS_IF_GRANTED, ANCESTORS_READ, allow
from app.datamart.models import IndicatorValue
from app.db import db
from tenants.models import Organ
from tenants.resolution import current_tenant


@tenant_bp.get("")
@allow(*ALL_ROLES, ancestors=ANCESTORS_READ)
def tenant():
    return jsonify(TenantSchema().dump(current_tenant))


@tenant_bp.get("/organs")
@allow(*ALL_ROLES, ancestors=ANCESTORS_READ)
def organs():
    rows = db.session.scalars(select(Organ).order_by(Organ.id))
    return jsonify(organs=OrganSchema(many=True).dump(rows))


@tenant_bp.get("/organs/<int:organ_id>")
@allow(*ALL_ROLES, ancestors=ANCESTORS_READ)
def organ(organ_id: int):
    return jsonify(OrganSchema().dump(db.get_or_404(Organ, organ_id)))


@tenant_bp.get("/values")
@allow("admin", "staff", "deputy", "viewer", "organ", ancestors=ANCESTORS_IF_GRANTED)
def values():
    """Current revisions of submitted values; an organ user sees only its own organ's."""
    query = parse(ValueQuerySchema(), request.args.to_dict())
    stmt = select(IndicatorValue).where(IndicatorValue.is_current)
    if current_user.role == "organ" and current_user.tenant_id == current_tenant.id:
        stmt = stmt.where(IndicatorValue.organ_id == current_user.organ_id)
    for key, column in (
        ("indicator", IndicatorValue.indicator_code),
        ("organ", IndicatorValue.organ_id),
        ("period", IndicatorValue.period),
    ):
        if key in query:
            stmt = stmt.where(column == query[key])
    stmt = stmt.order_by(
        IndicatorValue.period, IndicatorValue.organ_id, IndicatorValue.indicator_code
    )
    rows = db.session.scalars(stmt.limit(query["limit"]).offset(query["offset"]))
    return jsonify(values=ValueSchema(many=True).dump(rows))
