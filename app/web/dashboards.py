"""看板: the tenant's stored charts (or one organ's), drawn by ECharts from the app's own
static files. The page reads snapshots; it never builds a chart."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_login import current_user

from app.auth.access import ANCESTORS_READ, allow, is_own_organ_user
from app.dashboards.models import DashboardSnapshot
from app.dashboards.queries import READERS, visible
from app.db import db
from app.web import tenant_bp
from tenants.models import Organ
from tenants.resolution import current_tenant


@tenant_bp.get("/dashboard")
@allow(*READERS, ancestors=ANCESTORS_READ)
def dashboard_page():
    organ_id = request.args.get("organ", type=int)
    if is_own_organ_user():
        organ_id = current_user.organ_id
    organ = db.session.get(Organ, organ_id) if organ_id else None
    if organ_id and organ is None:
        abort(404)
    stmt = visible()
    if organ is None:
        stmt = stmt.where(DashboardSnapshot.organ_id.is_(None))
    else:
        stmt = stmt.where(DashboardSnapshot.organ_id == organ.id)
    snapshots = db.session.scalars(stmt).all()
    built = max((s.built_at for s in snapshots), default=None)
    organs = db.session.scalars(sa.select(Organ).where(Organ.active).order_by(Organ.id)).all()
    return render_template(
        "dashboards/dashboard.html",
        tenant=current_tenant,
        organ=organ,
        organs=[] if is_own_organ_user() else organs,
        snapshots=snapshots,
        built=built,
    )
