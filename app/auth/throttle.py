"""Login throttling per username and per address; only failed attempts count."""

from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

from app.extensions import limiter


def _username_key() -> str:
    body = request.get_json(silent=True) if request.is_json else request.form
    name = str((body or {}).get("username", "")).strip().lower()
    return f"login-user:{name}"


def _failed(response) -> bool:
    return response.status_code in (401, 200) and getattr(response, "login_failed", False)


def login_throttled(view):
    """Ten failures a minute per username (the 11th answers 429), and a wider limit per
    address so one machine cannot walk through many usernames."""
    per_user = limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_USERNAME"],
        key_func=_username_key,
        deduct_when=_failed,
        methods=["POST"],
    )
    per_address = limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
        key_func=lambda: f"login-addr:{get_remote_address()}",
        deduct_when=_failed,
        methods=["POST"],
    )
    return per_address(per_user(view))


def mark_failed(response):
    response.login_failed = True
    return response
