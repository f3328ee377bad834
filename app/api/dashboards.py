"""Stored dashboards: the list, and one chart's options with an ETag (304 when the
client already has them). Nothing is built here: jobs build, requests read."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from app.api import tenant_bp
from app.auth.access import ANCESTORS_READ, allow
from app.dashboards.queries import READERS, served, visible
from app.db import db
from app.errors import ApiError
from app.i18n import select_locale


def _summary(snapshot) -> dict:
    english = select_locale() == "en"
    return {
        "name": snapshot.name,
        "title": snapshot.title_en if english else snapshot.title_zh,
        "title_zh": snapshot.title_zh,
        "title_en": snapshot.title_en,
        "organ_id": snapshot.organ_id,
        "version": snapshot.version,
        "etag": snapshot.etag,
        "built_at": snapshot.built_at.isoformat(),
        "changed_at": snapshot.changed_at.isoformat(),
    }


@tenant_bp.get("/dashboards")
@allow(*READERS, ancestors=ANCESTORS_READ)
def dashboards():
    """The dashboards this tenant has, with names and when each was last rebuilt."""
    return jsonify(dashboards=[_summary(s) for s in db.session.scalars(visible())])


@tenant_bp.get("/dashboards/<name>")
@allow(*READERS, ancestors=ANCESTORS_READ)
def dashboard(name: str):
    """One chart's stored ECharts options; ETag, and 304 on a matching If-None-Match."""
    snapshot = served(db.session, name)
    if snapshot is None:
        raise ApiError(404, "no_such_dashboard", "没有该图表", "No such dashboard")
    if request.if_none_match.contains(snapshot.etag):
        response = Response(status=304)  # the client has these options: nothing to encode
    else:
        # The options are stored JSON: spliced in as they are, not decoded and re-encoded.
        head = current_app.json.dumps(_summary(snapshot))
        response = Response(
            f'{head[:-1]},"options":{snapshot.options_json}}}', mimetype="application/json"
        )
    response.set_etag(snapshot.etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
