"""The tenant, its organs and its submitted values."""

from __future__ import annotations

from flask import Response, jsonify, request
from sqlalchemy import select

from app.api import tenant_bp
from app.api.imports import XLSX_MIME
from app.api.schemas import OrganSchema, TenantSchema, ValueQuerySchema, ValueSchema, parse
from app.auth.access import ALL_ROLES, ANCESTORS_IF_GRANTED, ANCESTORS_READ, allow, own_organ_only
from app.datamart.files import write_csv, write_xlsx
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
    rows = db.session.scalars(_values_query(query))
    return jsonify(values=ValueSchema(many=True).dump(rows))


@tenant_bp.get("/values/history")
@allow("admin", "staff", "deputy", "viewer", "organ", ancestors=ANCESTORS_IF_GRANTED)
def value_history():
    """Every revision, superseded ones included, newest period first: who changed what,
    when, from which import batch (filter by ``organ``, ``indicator``, ``period``)."""
    query = parse(ValueQuerySchema(), request.args.to_dict())
    stmt = _matching_values(query, current_only=False).order_by(
        IndicatorValue.period.desc(),
        IndicatorValue.organ_id,
        IndicatorValue.indicator_code,
        IndicatorValue.revision,
    )
    rows = db.session.scalars(stmt.limit(query["limit"]).offset(query["offset"]))
    return jsonify(
        revisions=[
            {
                **ValueSchema().dump(v),
                "is_current": v.is_current,
                "batch_id": v.batch_id,
                "note": v.note,
            }
            for v in rows
        ]
    )


EXPORT_HEADER = [
    "期间 period",
    "机关 organ",
    "指标 indicator",
    "版本 revision",
    "数值 value",
    "分子 numerator",
    "分母 denominator",
    "来源 source",
    "提交人 submitted_by",
    "迟报 late",
    "说明 note",
]


@tenant_bp.get("/values/export.<any(csv, xlsx):fmt>")
@allow("admin", "staff", "deputy", "viewer", "organ", ancestors=ANCESTORS_IF_GRANTED)
def export_values(fmt: str):
    """The same values as a spreadsheet; text cells are neutralised against formula
    injection (a note beginning with = + - @ opens as text, not as a formula)."""
    query = parse(ValueQuerySchema(), request.args.to_dict())
    names = dict(db.session.execute(select(Organ.id, Organ.name_zh)).all())
    rows = [
        [
            v.period,
            names.get(v.organ_id, ""),
            v.indicator_code,
            v.revision,
            v.value,
            v.numerator,
            v.denominator,
            v.source,
            v.submitted_by,
            v.is_late,
            v.note,
        ]
        for v in db.session.scalars(_values_query(query))
    ]
    if fmt == "csv":
        body, mime = write_csv(EXPORT_HEADER, rows), "text/csv; charset=utf-8"
    else:
        body, mime = write_xlsx({"values": (EXPORT_HEADER, rows)}), XLSX_MIME
    name = f"{current_tenant.code}-values.{fmt}"
    return Response(
        body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _values_query(query: dict):
    stmt = _matching_values(query, current_only=True).order_by(
        IndicatorValue.period, IndicatorValue.organ_id, IndicatorValue.indicator_code
    )
    return stmt.limit(query["limit"]).offset(query["offset"])


def _matching_values(query: dict, *, current_only: bool):
    """Values filtered by ``indicator``, ``organ`` and ``period``; an organ user's own only."""
    stmt = select(IndicatorValue)
    if current_only:
        stmt = stmt.where(IndicatorValue.is_current)
    for key, column in (
        ("indicator", IndicatorValue.indicator_code),
        ("organ", IndicatorValue.organ_id),
        ("period", IndicatorValue.period),
    ):
        if key in query:
            stmt = stmt.where(column == query[key])
    return own_organ_only(stmt, IndicatorValue.organ_id)
