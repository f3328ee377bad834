"""Sessions, CSRF tokens, API tokens and the current user."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from app.api import bp
from app.api.schemas import LoginSchema, MeSchema, TokenCreateSchema, TokenSchema, parse
from app.auth.models import ApiToken
from app.auth.service import authenticate, create_token, end_session, start_session
from app.auth.throttle import login_throttled, mark_failed
from app.db import db, utcnow
from app.errors import ApiError, error_body


@bp.get("/auth/csrf")
def csrf_token():
    return jsonify(csrf_token=generate_csrf())


@bp.post("/auth/login")
@login_throttled
def login():
    body = parse(LoginSchema(), request.get_json(silent=True))
    user = authenticate(body["username"], body["password"])
    if user is None:
        failed = jsonify(
            error_body(401, "bad_credentials", "用户名或密码错误", "Wrong username or password")
        )
        failed.status_code = 401
        return mark_failed(failed)
    start_session(user)
    return jsonify(user=MeSchema().dump(user), csrf_token=generate_csrf())


@bp.post("/auth/logout")
@login_required
def logout():
    end_session(current_user)
    return jsonify(ok=True)


@bp.post("/auth/tokens")
@login_required
def new_token():
    body = parse(TokenCreateSchema(), request.get_json(silent=True))
    token, secret = create_token(current_user, body["name"])
    return jsonify(token=TokenSchema().dump(token), secret=secret), 201


@bp.get("/auth/tokens")
@login_required
def my_tokens():
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id)
    )
    return jsonify(tokens=TokenSchema(many=True).dump(rows))


@bp.delete("/auth/tokens/<int:token_id>")
@login_required
def revoke_token(token_id: int):
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id)
    )
    if token is None:
        raise ApiError(404, "not_found", "未找到该令牌", "No such token")
    token.revoked_at = token.revoked_at or utcnow()
    db.session.commit()
    return jsonify(token=TokenSchema().dump(token))


@bp.get("/me")
@login_required
def me():
    return jsonify(MeSchema().dump(current_user))
