"""The data factory's analyses: the trend table of an organ's indicator (month on month,
year on year, moving average, seasonally adjusted) and the pairs of indicators of the
congress's organs that move together or in opposite directions (with n, r and p; never
presented as cause). An organ user sees its own organ only; another answers 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request
from flask_login import current_user

from app.api import tenant_bp
from app.api.analysis_schemas import (
    AnalysisTrendQuerySchema,
    CorrelationQuerySchema,
    CorrelationScanSchema,
    OrganTrendSchema,
)
from app.api.schemas import parse
from app.auth.access import ANCESTORS_READ, allow, is_own_organ_user
from app.datamart import analysis
from app.db import db
from app.errors import ApiError
from tenants.models import Organ

READERS = ("admin", "staff", "deputy", "viewer", "organ")


def chosen_organ(organ_id: int | None) -> Organ:
    """The organ asked for, if the caller may see it: an organ user only its own (another
    answers 404, like one of another tenant); with none named, the own organ or the
    congress's first organ reporting monthly figures."""
    if is_own_organ_user():
        if organ_id not in (None, current_user.organ_id):
            raise ApiError(404, "not_found", "未找到该机关", "No such organ")
        organ_id = current_user.organ_id
    if organ_id is None:
        organ = analysis.default_organ(db.session)
    else:
        organ = db.session.scalar(sa.select(Organ).where(Organ.id == organ_id))
    if organ is None:
        raise ApiError(404, "not_found", "未找到该机关", "No such organ")
    return organ


def visible_organ_ids() -> list[int]:
    """The organs whose values the caller's correlations read."""
    if is_own_organ_user():
        return [current_user.organ_id]
    return list(db.session.scalars(sa.select(Organ.id).where(Organ.active)))


def organ_trend(query: dict) -> analysis.OrganTrend:
    organ = chosen_organ(query.get("organ_id"))
    try:
        return analysis.organ_trend(
            db.session,
            organ,
            query.get("indicator"),
            months=query["months"],
            window=query["window"],
        )
    except analysis.NotMonthly as err:
        raise ApiError(
            422,
            "not_monthly",
            "趋势分析只针对按月报送的指标",
            "Trend analysis is made of indicators reported monthly",
        ) from err


@tenant_bp.get("/analysis/trend")
@allow(*READERS, ancestors=ANCESTORS_READ)
def analysis_trend():
    """An organ's indicator month by month: the value, month on month (环比), year on
    year (同比), the moving average over ``window`` months and the seasonal comparison
    with the same month of the earlier years; the last ``months`` months."""
    query = parse(AnalysisTrendQuerySchema(), request.args.to_dict())
    return jsonify(OrganTrendSchema().dump(organ_trend(query)))


@tenant_bp.get("/analysis/correlations")
@allow(*READERS, ancestors=ANCESTORS_READ)
def analysis_correlations():
    """The pairs of indicators that moved together (同向变动) or in opposite directions
    (反向变动) at the same organ in the same months ``period_from``…``period_to``: n,
    Pearson's and Spearman's r and p, the q-value over all pairs tested; pairs with too
    few observations are counted, not reported. Co-movement, never cause."""
    query = parse(CorrelationQuerySchema(), request.args.to_dict())
    scan = analysis.correlations(
        db.session, visible_organ_ids(), query.get("period_from"), query.get("period_to")
    )
    return jsonify(CorrelationScanSchema().dump(scan))
