"""Server-rendered pages: ``bp`` for shared pages, ``tenant_bp`` for ``/t/<code>/...``."""

from __future__ import annotations

from flask import Blueprint

from tenants.resolution import tenant_blueprint

bp = Blueprint("web", __name__)
tenant_bp = tenant_blueprint("web_tenant", __name__, url_prefix="")


@bp.app_context_processor
def labels():
    """Chinese labels (translated through the catalog) for codes the pages show."""
    from flask_babel import gettext as _

    statuses = {
        "queued": _("排队中"),
        "running": _("导入中"),
        "succeeded": _("已导入"),
        "rejected": _("已拒绝"),
        "failed": _("失败"),
        "duplicate": _("重复文件"),
    }
    return {"status_label": lambda code: statuses.get(code, code)}


@bp.app_template_filter("figure")
def figure(value) -> str:
    """A number as a person writes it: 80857 not 80857.0, 97.8 not 97.80000001."""
    if value is None or value == "":
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.6g}"


from app.web import (  # noqa: E402,F401
    analysis,
    coordination,
    dashboards,
    datamart,
    federation,
    focus,
    matters,
    opinions,
    reports,
    submissions,
    supervision,
    views,
    workload,
)
