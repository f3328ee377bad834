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
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"), index=True)
    note: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")

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


class StoredFile(TenantOwned, Base):
    """An uploaded file, kept as received: content-addressed by SHA-256 under a generated
    name (never the uploader's), with who uploaded it. One row per tenant and content."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    detected_type: Mapped[str] = mapped_column(sa.String(16))
    original_name: Mapped[str] = mapped_column(sa.String(200), default="")
    storage_key: Mapped[str] = mapped_column(sa.String(120))
    uploaded_by: Mapped[str] = mapped_column(sa.String(80))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("tenant_id", "sha256"),)


BATCH_KINDS = ("values", "assessment", "documents")
BATCH_STATES = ("queued", "running", "succeeded", "rejected", "failed", "duplicate")


class ImportBatch(TenantOwned, Base):
    """One upload (or one web-form submission): validated row by row and loaded
    all-or-nothing; a rejected batch stores its errors and no data."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(12), default="queued")
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id"), index=True)
    organ_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organs.id"), index=True)
    submitted_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_ok: Mapped[int] = mapped_column(default=0)
    progress: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    errors: Mapped[list] = mapped_column(sa.JSON, default=list)
    errors_total: Mapped[int] = mapped_column(default=0)
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"))

    file: Mapped[StoredFile] = relationship()
    organ: Mapped[Organ | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {BATCH_KINDS!r}", name="kind"),
        sa.CheckConstraint(f"status IN {BATCH_STATES!r}", name="status"),
        sa.Index("ix_import_batches_tenant_created", "tenant_id", "created_at"),
    )
