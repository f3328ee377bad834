"""A congress's supervision topics (监督议题): what data collision tags and a portrait
points to. Seeded from :data:`app.analysis.topics.DEFAULT_TOPICS`; congress staff edit
them (keywords as deputies and petitioners write them, indicators that measure them)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.analysis import topics as pure
from app.db import Base, utcnow
from tenants.scoping import TenantOwned


class Topic(TenantOwned, Base):
    """One topic of one congress. ``code`` is fixed once created; an inactive topic is
    kept (with its history in the audit log) but neither collided nor shown on portraits."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    name_zh: Mapped[str] = mapped_column(sa.String(80))
    name_en: Mapped[str] = mapped_column(sa.String(120), default="")
    keywords: Mapped[list] = mapped_column(sa.JSON, default=list)
    indicators: Mapped[list] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    updated_by: Mapped[str] = mapped_column(sa.String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.UniqueConstraint("tenant_id", "code"),)

    def as_topic(self) -> pure.Topic:
        """The plain topic the analyses take."""
        return pure.Topic(
            self.code,
            self.name_zh,
            self.name_en or self.name_zh,
            tuple(self.keywords),
            tuple(self.indicators),
        )

    def __repr__(self) -> str:
        return f"<Topic {self.code} {self.name_zh}>"
