"""Pages: the start page, a tenant's home, the indicator dictionary."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.access import ALL_ROLES, ANCESTORS_READ, allow
from app.auth.models import ROLES
from app.db import db
from app.indicators.service import current_indicators
from app.web import bp, tenant_bp
from tenants.models import LEVEL_NAMES, ORGAN_KINDS, Organ
from tenants.resolution import current_tenant


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("web_tenant.home", code=current_user.tenant.code))
    return redirect(url_for("auth.login"))


@bp.get("/indicators")
@login_required
def indicators():
    version, rows = current_indicators()
    return render_template("web/indicators.html", version=version, indicators=rows)


@tenant_bp.get("/")
@allow(*ALL_ROLES, ancestors=ANCESTORS_READ)
def home():
    organs = db.session.scalars(select(Organ).order_by(Organ.id)).all()
    return render_template(
        "web/tenant_home.html",
        tenant=current_tenant,
        organs=organs,
        children=current_tenant.children,
        level_names=LEVEL_NAMES,
        organ_kinds=ORGAN_KINDS,
        roles=ROLES,
    )
