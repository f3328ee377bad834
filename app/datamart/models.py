"""Submitted indicator values: one row per (tenant, organ, indicator, period, revision).

A correction is a new revision, never an overwrite; ``is_current`` marks the revision
in force so reads need no max-per-group.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow
from tenants.models import Organ
from tenants.scoping import TenantOwned


class IndicatorValue(TenantOwned, Base):
    __tablename__ = "indicator_values"
    # Bulk loads audit once per batch; auditing each of 100,000 rows says nothing more.
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(sa.ForeignKey("organs.id"))
    indicator_code: Mapped[str] = mapped_column(sa.String(8))
    period: Mapped[str] = mapped_column(sa.String(7))
    revision: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    value: Mapped[float | None]
    numerator: Mapped[float | None]
    denominator: Mapped[float | None]
    source: Mapped[str] = mapped_column(sa.String(16), default="organ")
    submitted_by: Mapped[str] = mapped_column(sa.String(80), default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_late: Mapped[bool] = mapped_column(default=False)

    organ: Mapped[Organ] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "organ_id", "indicator_code", "period", "revision"),
        sa.Index("ix_values_tenant_indicator_period", "tenant_id", "indicator_code", "period"),
        sa.Index(
            "uq_values_current",
            "tenant_id",
            "organ_id",
            "indicator_code",
            "period",
            unique=True,
            postgresql_where=sa.text("is_current"),
            sqlite_where=sa.text("is_current"),
        ),
    )
