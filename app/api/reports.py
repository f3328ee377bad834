"""The micro-report (两院微报告) on a court or procuratorate: JSON, an HTML page or a DOCX
file with charts.

The congress's roles and its ancestors read every court's and procuratorate's report; an
organ user reads its own organ's only (another organ answers 404, as if it did not
exist). With no ``organ`` the report is on the tenant's court (an organ user's own organ);
with no ``year``, on the last year the organ reported.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, jsonify, render_template, request
from flask_login import current_user

from app import clock
from app.api import tenant_bp
from app.api.schemas import MicroReportQuerySchema, MicroReportSchema, parse
from app.auth.access import ANCESTORS_READ, allow, is_own_organ_user
from app.db import db
from app.errors import ApiError
from app.i18n import select_locale
from app.reports import charts, service, word
from app.reports.micro import PRIVACY_NOTE_EN, PRIVACY_NOTE_ZH, TIMELINESS_LABELS, MicroReport
from tenants.models import Organ
from tenants.resolution import current_tenant

READERS = ("admin", "staff", "deputy", "viewer", "organ")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
QUERY = ("organ", "year", "format")


def requested_report() -> tuple[MicroReport, str]:
    """The report the query names (``organ``, ``year``) and the wanted ``format``."""
    wanted = {k: v for k, v in request.args.items() if k in QUERY}
    query = parse(MicroReportQuerySchema(), wanted)
    organ = _organ(query.get("organ"))
    year = query.get("year") or service.latest_year(db.session, organ)
    return service.micro_report(db.session, current_tenant, organ, year), query["format"]


def _organ(organ_id: int | None) -> Organ:
    if is_own_organ_user():
        if organ_id not in (None, current_user.organ_id):
            raise ApiError(404, "not_found", "未找到该机关", "No such organ")
        organ_id = current_user.organ_id
    if organ_id is None:
        organ = service.default_organ(db.session)
    else:
        organ = db.session.scalar(sa.select(Organ).where(Organ.id == organ_id))
        if organ is None:
            raise ApiError(404, "not_found", "未找到该机关", "No such organ")
    if organ is None or not service.reportable(organ):
        raise ApiError(
            422,
            "not_reported",
            "两院微报告仅针对法院和检察院",
            "Micro-reports are written for courts and procuratorates only",
        )
    return organ


def drawn_charts(report: MicroReport) -> dict[str, bytes] | None:
    """The report's charts; None when no CJK font is installed (they would show boxes)."""
    try:
        return charts.report_charts(report)
    except charts.FontMissing:
        return None


def page_context(report: MicroReport) -> dict:
    """What the report's templates need: the report, its charts as data URIs (None
    without a CJK font), and the labels."""
    drawn = drawn_charts(report)
    uris = None
    if drawn is not None:
        uris = {
            name: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            for name, png in drawn.items()
        }
    english = select_locale() == "en"
    return {
        "report": report,
        "charts": uris,
        "timeliness_labels": TIMELINESS_LABELS,
        "privacy_note": PRIVACY_NOTE_EN if english else PRIVACY_NOTE_ZH,
    }


@tenant_bp.get("/reports/micro")
@allow(*READERS, ancestors=ANCESTORS_READ)
def micro_report():
    """The micro-report on a court or procuratorate for a year (``organ``, ``year``):
    ``format=json`` (default) the figures, ``html`` a page to print, ``docx`` a Word file
    with charts. Names of parties never appear (ticket answers and documents are left
    out). 422 for an organ that is neither a court nor a procuratorate."""
    report, wanted = requested_report()
    if wanted == "json":
        return jsonify(MicroReportSchema().dump(report))
    if wanted == "html":
        return render_template("reports/micro_document.html", **page_context(report))
    drawn = drawn_charts(report)
    if drawn is None:
        raise ApiError(
            503,
            "font_missing",
            "服务器未安装中文字体(fonts-noto-cjk),无法生成图表",
            "The server has no CJK font (fonts-noto-cjk) to draw the charts",
        )
    return _docx(report, word.micro_docx(report, drawn, clock.today()))


def _docx(report: MicroReport, content: bytes) -> Response:
    name = f"{report.organ.name_zh}{report.year}年度微报告.docx"
    fallback = f"micro-report-{report.organ.id}-{report.year}.docx"
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return Response(content, mimetype=DOCX, headers={"Content-Disposition": disposition})
