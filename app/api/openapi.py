"""``GET /api/openapi.json``: the API described from the URL map itself, so it cannot
drift from the routes that exist."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify

bp = Blueprint("openapi", __name__)

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_TYPES = {"int": "integer", "float": "number"}


def _path(rule: str) -> tuple[str, list[dict]]:
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": _TYPES.get(conv or "", "string")},
        }
        for conv, name in _PARAM.findall(rule)
    ]
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule), params


def _operation(view, params: list[dict]) -> dict:
    doc = (view.__doc__ or view.__name__.replace("_", " ")).strip()
    access = getattr(view, "access", None)
    op = {
        "summary": doc.splitlines()[0],
        "description": doc,
        "parameters": params,
        "responses": {
            "200": {"description": "OK"},
            "default": {
                "description": "Error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    }
    if access:
        op["x-roles"] = list(access["roles"])
        op["x-ancestors"] = access["ancestors"]
    return op


def build_document() -> dict:
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path, params = _path(rule.rule)
        view = current_app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, params)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "人大司法监督数据平台 API / Judicial Supervision Platform API",
            "version": "1",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                k: {"type": "string"}
                                for k in ("code", "message", "message_zh", "message_en")
                            },
                        }
                    },
                }
            },
        },
        "security": [{"bearer": []}, {"session": []}],
    }


@bp.get("/api/openapi.json")
def openapi():
    return jsonify(build_document())
