"""The audit log: one row per write, who, in which tenant, what, when."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow
from tenants.scoping import TenantOwned


class AuditEvent(TenantOwned, Base):
    __tablename__ = "audit_events"
    __audited__ = False
    __tenant_optional__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null only for changes to shared data made by the system itself (e.g. the CLI
    # loading the indicator dictionary); row-level security lets only system scope see them.
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id"), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(sa.String(80))
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[str] = mapped_column(sa.String(64), default="")
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
