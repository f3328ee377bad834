"""People, their login sessions and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow
from tenants.models import Organ, Tenant
from tenants.scoping import TenantOwned

# role: (Chinese label, English label)
ROLES = {
    "admin": ("人大管理员", "Congress administrator"),
    "staff": ("人大工作人员", "Congress staff"),
    "deputy": ("人大代表", "Deputy"),
    "viewer": ("只读用户", "Viewer"),
    "organ": ("司法机关用户", "Organ user"),
    "evaluator": ("第三方评估机构", "Third-party evaluator"),
}
CONGRESS_ROLES = ("admin", "staff", "deputy", "viewer")


class User(TenantOwned, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    role: Mapped[str] = mapped_column(sa.String(16))
    organ_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organs.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    # Where notifications are e-mailed (when mail is enabled), unless the user opted out.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    email_notifications: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    tenant: Mapped[Tenant] = relationship()
    organ: Mapped[Organ | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(f"role IN {tuple(ROLES)!r}", name="role"),
        # An organ user is bound to exactly one organ; nobody else is.
        sa.CheckConstraint("(role = 'organ') = (organ_id IS NOT NULL)", name="organ_binding"),
    )

    # Flask-Login's protocol; the id it stores is the login session's, set at login.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return getattr(self, "login_session_id", None) or ""

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """High-entropy secrets need no slow hash: SHA-256 lets us look them up by value."""
    return hashlib.sha256(secret.encode()).hexdigest()


class LoginSession(TenantOwned, Base):
    """A server-side login: the cookie carries only its id, and logout revokes it, so a
    replayed cookie is refused."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")

    user: Mapped[User] = relationship()


class ApiToken(TenantOwned, Base):
    """A machine client's bearer token, stored hashed and revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
