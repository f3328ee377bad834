"""Liveness and readiness for the orchestrator."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from app.db import db

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {"database": _check_database()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _check_redis()
    ready = all(v == "ok" for v in checks.values())
    return jsonify(status="ready" if ready else "not_ready", checks=checks), 200 if ready else 503


def _check_database() -> str:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return "ok"
    except sa.exc.SQLAlchemyError as err:
        return f"error: {type(err).__name__}"


def _check_redis() -> str:
    from workers.queue import redis_connection

    try:
        redis_connection().ping()
        return "ok"
    except Exception as err:  # any failure means not ready; the type says which
        return f"error: {type(err).__name__}"
