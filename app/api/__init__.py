"""The JSON API under ``/api/v1``: ``bp`` for shared resources, ``tenant_bp`` for those
under ``/api/v1/t/<code>`` (the tenant segment is handled by ``tenants.resolution``)."""

from __future__ import annotations

from flask import Blueprint

from tenants.resolution import tenant_blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
tenant_bp = tenant_blueprint("tenant_api", __name__, url_prefix="/api/v1")

from app.api import (  # noqa: E402,F401
    analysis,
    auth,
    calendar,
    coordination,
    dashboards,
    documents,
    federation,
    focus,
    imports,
    indicators,
    matters,
    portraits,
    reports,
    supervision,
    tenants,
)
