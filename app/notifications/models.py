"""A notification for one user: new tickets, returned answers, due soon, overdue."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow
from tenants.scoping import TenantOwned


class Notification(TenantOwned, Base):
    __tablename__ = "notifications"
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(24))
    text_zh: Mapped[str] = mapped_column(sa.Text)
    text_en: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(200), default="")
    # One notice per (user, subject): the sweep may run twice without repeating itself.
    dedupe_key: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # Set by the mail job once the message went out: a retried job does not send twice.
    emailed_at: Mapped[datetime | None]

    __table_args__ = (
        sa.UniqueConstraint("user_id", "dedupe_key"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
    )
