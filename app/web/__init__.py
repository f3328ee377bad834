"""Server-rendered pages: ``bp`` for shared pages, ``tenant_bp`` for ``/t/<code>/...``."""

from __future__ import annotations

from flask import Blueprint

from tenants.resolution import tenant_blueprint

bp = Blueprint("web", __name__)
tenant_bp = tenant_blueprint("web_tenant", __name__, url_prefix="")

from app.web import views  # noqa: E402,F401
