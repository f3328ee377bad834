"""Logging in and out, tokens, and loading the user within the URL's tenant."""

from __future__ import annotations

from functools import cache

from flask import g, request
from flask_login import login_user, logout_user
from sqlalchemy import Select, bindparam, select
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


def _login_owner(login, secret_hash: str) -> User | None:
    """The user of the live login (``LoginSession`` or ``ApiToken``) with this hash.

    Read in the URL's tenant first: a member's own login is found there, under the scope
    the database already has, and its tenant is the one already loaded. A login of anyone
    else (an ancestor's user; any login outside tenant URLs) is read across tenants, with
    its tenant and organ; ``visible_here`` then decides what it may see."""
    params = {"hash": secret_hash}
    if g.get("tenant") is not None:
        user = db.session.scalar(_owner(login, here=True), params)
        if user is not None:
            return user
    with system_scope():
        return db.session.scalar(_owner(login, here=False), params)


@cache
def _owner(login, here: bool) -> Select:
    """Built once per kind of login: the user, joined to its live login by hash."""
    secret = login.key_hash if login is LoginSession else login.token_hash
    stmt = (
        select(User)
        .join(login, login.user_id == User.id)
        .where(secret == bindparam("hash"), login.revoked_at.is_(None))
    )
    return stmt if here else stmt.options(*_WITH_TENANT)


def load_by_session_key(key: str) -> User | None:
    user = _login_owner(LoginSession, digest(key))
    if user is None or not user.active:
        return None
    user.login_session_id = key
    return visible_here(user)


def load_by_bearer(header: str) -> User | None:
    if not header.startswith("Bearer "):
        return None
    user = _login_owner(ApiToken, digest(header[7:].strip()))
    if user is None or not user.active:
        g.bad_token = True
        return None
    g.via_token = True
    return visible_here(user)
