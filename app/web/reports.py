"""两院微报告: the micro-report page, with the organ and year to choose and the Word file
to download (the API's ``format=docx``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user

from app import clock
from app.api.reports import page_context, requested_report
from app.auth.access import ANCESTORS_READ, allow, is_own_organ_user
from app.datamart.models import IndicatorValue
from app.db import db
from app.ratings.models import Rating
from app.reports import service
from app.reports.micro import REPORTED_FAMILIES
from app.web import bp, tenant_bp
from tenants.models import Organ, organ_family
from tenants.scoping import tenant_scope

READERS = ("admin", "staff", "deputy", "viewer", "organ")
YEARS_LISTED = 6


@bp.app_context_processor
def micro_report_nav() -> dict:
    """Whether the navigation offers the micro-report: to the congress's roles, and to
    the users of a court, tribunal or procuratorate."""
    if not current_user.is_authenticated or current_user.role not in READERS:
        return {"shows_micro_report": False}
    if current_user.role != "organ":
        return {"shows_micro_report": True}
    try:
        with tenant_scope(current_user.tenant_id):
            kind = db.session.scalar(sa.select(Organ.kind).where(Organ.id == current_user.organ_id))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()  # an error page after a failed transaction still renders
        return {"shows_micro_report": False}
    return {"shows_micro_report": kind is not None and organ_family(kind) in REPORTED_FAMILIES}


@tenant_bp.get("/reports/micro")
@allow(*READERS, ancestors=ANCESTORS_READ)
def micro_report_page():
    """The report on ``organ`` for ``year`` (default: the tenant's court, its last year
    of data); an organ user sees its own organ's only."""
    report, _format = requested_report()
    return render_template(
        "reports/micro.html",
        organs=_organs(),
        years=_years(report.organ.id, report.year),
        rebuilt=_rated_at(report.organ.id, report.year),
        **page_context(report),
    )


def _rated_at(organ_id: int, year: str):
    """When the ratings the report reads were last computed: the rating job recomputes
    them after every import, and the report is put together from them on each request."""
    return db.session.scalar(
        sa.select(sa.func.max(Rating.computed_at)).where(
            Rating.organ_id == organ_id,
            sa.or_(Rating.period == year, Rating.period.like(f"{year}-%")),
        )
    )


def _organs() -> list[Organ]:
    if is_own_organ_user():
        return [db.session.get(Organ, current_user.organ_id)]
    organs = db.session.scalars(sa.select(Organ).where(Organ.active).order_by(Organ.id))
    return [o for o in organs if service.reportable(o)]


def _years(organ_id: int, shown: str) -> list[str]:
    """The years the organ has data for (the last few), newest first, and the one shown."""
    first = db.session.scalar(
        sa.select(sa.func.min(IndicatorValue.period)).where(IndicatorValue.organ_id == organ_id)
    )
    newest = max(clock.today().year, int(shown))
    oldest = max(int(first[:4]) if first else newest, newest - YEARS_LISTED + 1)
    years = [str(y) for y in range(newest, min(oldest, int(shown)) - 1, -1)]
    return years
