"""Logging in and out, tokens, and loading the user within the URL's tenant."""

from __future__ import annotations

from flask import g, request
from flask_login import login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import ApiToken, LoginSession, User, digest, new_secret
from app.auth.passwords import burn_time, verify_password
from app.db import db, utcnow
from tenants.scoping import system_scope

_WITH_TENANT = (joinedload(User.tenant), joinedload(User.organ))


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or None (in constant-ish time)."""
    with system_scope():
        user = db.session.scalar(
            select(User).options(*_WITH_TENANT).where(User.username == username.strip())
        )
        if user is None or not user.active:
            burn_time(password)
            return None
        ok, rehashed = verify_password(user.password_hash, password)
        if ok and rehashed:
            user.password_hash = rehashed
        return user if ok else None


def start_session(user: User) -> str:
    """Record a server-side login and hand Flask-Login its key."""
    key = new_secret()
    with system_scope():
        db.session.add(
            LoginSession(
                tenant_id=user.tenant_id,
                user_id=user.id,
                key_hash=digest(key),
                address=(request.remote_addr or "")[:64],
                user_agent=(request.user_agent.string or "")[:200],
            )
        )
        user.last_login_at = utcnow()
        db.session.commit()
    user.login_session_id = key
    login_user(user)
    return key


def end_session(user: User) -> None:
    """Revoke the login server-side: the same cookie replayed later is refused."""
    key = getattr(user, "login_session_id", None)
    if key:
        with system_scope():
            live = db.session.scalar(
                select(LoginSession).where(LoginSession.key_hash == digest(key))
            )
            if live is not None and live.revoked_at is None:
                live.revoked_at = utcnow()
            db.session.commit()
    logout_user()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    secret = f"jst_{new_secret()}"
    with system_scope():
        token = ApiToken(
            tenant_id=user.tenant_id,
            user_id=user.id,
            name=name,
            token_hash=digest(secret),
            prefix=secret[:10],
        )
        db.session.add(token)
        db.session.commit()
    return token, secret


def visible_here(user: User | None) -> User | None:
    """A user is loaded within the URL's tenant: its own members, or an ancestor's.

    Anyone else is anonymous here; ``g.foreign_user`` remembers that a valid login was
    presented, so tenant routes answer 404 (as for a missing object), not 401.
    """
    tenant = g.get("tenant")
    if user is None or tenant is None or user.tenant_id == tenant.id:
        return user
    if user.tenant.is_ancestor_of(tenant):
        return user
    g.foreign_user = True
    return None


def load_by_session_key(key: str) -> User | None:
    with system_scope():
        live = db.session.scalar(
            select(LoginSession)
            .options(joinedload(LoginSession.user).options(*_WITH_TENANT))
            .where(LoginSession.key_hash == digest(key), LoginSession.revoked_at.is_(None))
        )
    if live is None or not live.user.active:
        return None
    live.user.login_session_id = key
    return visible_here(live.user)


def load_by_bearer(header: str) -> User | None:
    if not header.startswith("Bearer "):
        return None
    with system_scope():
        token = db.session.scalar(
            select(ApiToken)
            .options(joinedload(ApiToken.user).options(*_WITH_TENANT))
            .where(ApiToken.token_hash == digest(header[7:].strip()), ApiToken.revoked_at.is_(None))
        )
    if token is None or not token.user.active:
        g.bad_token = True
        return None
    g.via_token = True
    return visible_here(token.user)
