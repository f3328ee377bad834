"""A stored dashboard: the chart options a job built, their ETag and version."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow
from tenants.scoping import TenantOwned


class DashboardSnapshot(TenantOwned, Base):
    """One chart of one tenant (``name`` e.g. ``colours`` or ``organ-12-trend``).

    ``etag`` is the SHA-256 of the options; ``version`` goes up only when they change,
    so a client's cached copy stays valid across rebuilds that change nothing."""

    __tablename__ = "dashboard_snapshots"
    __audited__ = False  # rebuilt by jobs from audited inputs

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    title_zh: Mapped[str] = mapped_column(sa.String(120))
    title_en: Mapped[str] = mapped_column(sa.String(160))
    organ_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organs.id", ondelete="CASCADE"))
    options: Mapped[dict] = mapped_column(sa.JSON)
    etag: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int] = mapped_column(default=1)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("tenant_id", "name"),)
