"""Response tickets: a yellow or red value asks its organ to explain itself by a
deadline (限期反馈说明); every transition is kept in the ticket's history."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow
from tenants.models import Organ
from tenants.scoping import TenantOwned


class Ticket(TenantOwned, Base):
    """Exactly one per (organ, indicator, period): the unique constraint makes opening
    idempotent under retries and concurrent workers."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(sa.ForeignKey("organs.id"), index=True)
    indicator_code: Mapped[str] = mapped_column(sa.String(8))
    period: Mapped[str] = mapped_column(sa.String(7))
    colour: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(10), default="open")
    reason_zh: Mapped[str] = mapped_column(sa.Text, default="")
    reason_en: Mapped[str] = mapped_column(sa.Text, default="")
    rating_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ratings.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[date] = mapped_column(sa.Date)
    escalated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    organ: Mapped[Organ] = relationship()
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "organ_id", "indicator_code", "period"),
        sa.Index("ix_tickets_tenant_status_deadline", "tenant_id", "status", "deadline"),
    )


class TicketEvent(TenantOwned, Base):
    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(20))
    from_status: Mapped[str | None] = mapped_column(sa.String(10))
    to_status: Mapped[str] = mapped_column(sa.String(10))
    actor: Mapped[str] = mapped_column(sa.String(80))
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    attachments: Mapped[list] = mapped_column(sa.JSON, default=list)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
