"""数据分析: an organ's indicator month by month (环比, 同比, moving average, seasonally
adjusted) and the pairs of indicators that moved together, with n, r and p and the
reminder that moving together is not causing. Same data and rules as the API's."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request

from app.api.analysis import READERS, organ_trend, visible_organ_ids
from app.api.analysis_schemas import AnalysisTrendQuerySchema, CorrelationQuerySchema
from app.api.schemas import parse
from app.auth.access import ANCESTORS_READ, allow, is_own_organ_user
from app.datamart import analysis
from app.db import db
from app.i18n import select_locale
from app.web import tenant_bp
from tenants.models import Organ
from tenants.resolution import current_tenant


@tenant_bp.get("/analysis")
@allow(*READERS, ancestors=ANCESTORS_READ)
def analysis_page():
    """The trend table of ``organ``'s ``indicator`` and the correlated pairs of
    ``period_from``…``period_to``."""
    args = request.args.to_dict()
    if "organ" in args:
        args["organ_id"] = args.pop("organ")
    query = parse(AnalysisTrendQuerySchema(), args)
    trend = organ_trend(query)
    if trend.spec is not None and trend.spec not in trend.choices and trend.choices:
        # another organ was picked with the previous one's indicator: open on its own
        trend = organ_trend({**query, "indicator": None})
    span = parse(CorrelationQuerySchema(), args)
    scan = analysis.correlations(
        db.session, visible_organ_ids(), span.get("period_from"), span.get("period_to")
    )
    english = select_locale() == "en"
    return render_template(
        "analysis/analysis.html",
        tenant=current_tenant,
        trend=trend,
        scan=scan,
        caveat=analysis.CAVEAT_EN if english else analysis.CAVEAT_ZH,
        organs=[] if is_own_organ_user() else _organs(),
    )


def _organs() -> list[Organ]:
    return list(db.session.scalars(sa.select(Organ).where(Organ.active).order_by(Organ.id)))
