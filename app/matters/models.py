"""Supervision matters and opinions, their target organs and documents, and the history of
every move (who, when, from which status to which, with what comment)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.datamart.documents import Document
from app.db import Base, utcnow
from app.matters import opinion_states, states
from app.matters.vocabulary import FORMS, OPINION_KINDS, ORIGINS, SUBJECTS
from tenants.models import Organ
from tenants.scoping import TenantOwned


def _one_of(column: str, codes) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN {tuple(codes)!r}", name=column)


class Matter(TenantOwned, Base):
    """One supervision action of the congress (监督事项): by whom (``subject``), in what
    form, from what origin (``origin_title`` keeps the origin's name as it was when the
    matter was opened), on which organs, when, and on which documents."""

    __tablename__ = "supervision_matters"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    subject: Mapped[str] = mapped_column(sa.String(24))
    form: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16), default=states.PROPOSED)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    origin_kind: Mapped[str] = mapped_column(sa.String(16), default="none")
    origin_ref: Mapped[str | None] = mapped_column(sa.String(64))
    origin_title: Mapped[str] = mapped_column(sa.String(300), default="")
    planned_start: Mapped[date | None] = mapped_column(sa.Date)
    planned_end: Mapped[date | None] = mapped_column(sa.Date)
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    targets: Mapped[list[MatterOrgan]] = relationship(
        back_populates="matter", order_by="MatterOrgan.organ_id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[MatterDocument]] = relationship(
        back_populates="matter", order_by="MatterDocument.document_id", cascade="all, delete-orphan"
    )
    events: Mapped[list[MatterEvent]] = relationship(
        back_populates="matter", order_by="MatterEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        _one_of("subject", SUBJECTS),
        _one_of("form", FORMS),
        _one_of("status", states.STATUSES),
        _one_of("origin_kind", ORIGINS),
        sa.Index("ix_supervision_matters_tenant_status", "tenant_id", "status"),
    )


class MatterOrgan(TenantOwned, Base):
    """A target organ of a matter (of the matter's own tenant)."""

    __tablename__ = "supervision_matter_organs"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supervision_matters.id", ondelete="CASCADE"), index=True
    )
    organ_id: Mapped[int] = mapped_column(sa.ForeignKey("organs.id"), index=True)

    matter: Mapped[Matter] = relationship(back_populates="targets")
    organ: Mapped[Organ] = relationship()

    __table_args__ = (sa.UniqueConstraint("matter_id", "organ_id"),)


class MatterDocument(TenantOwned, Base):
    """A data-mart document the matter rests on or produced (a report, the minutes)."""

    __tablename__ = "supervision_matter_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supervision_matters.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )

    matter: Mapped[Matter] = relationship(back_populates="documents")
    document: Mapped[Document] = relationship()

    __table_args__ = (sa.UniqueConstraint("matter_id", "document_id"),)


class MatterEvent(TenantOwned, Base):
    __tablename__ = "supervision_matter_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supervision_matters.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(24))
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    actor: Mapped[str] = mapped_column(sa.String(80))
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    matter: Mapped[Matter] = relationship(back_populates="events")


class Opinion(TenantOwned, Base):
    """Deliberation opinions (审议意见) or a list of problems issued to one organ, maybe
    under a matter, to be handled by a deadline in working days.

    ``first_deadline`` is the deadline the opinion was issued with (what "answered on
    time" is measured against); ``deadline`` is the current round's. ``plan_text`` and
    ``result_text`` hold the organ's latest plan and result; every earlier one stays in
    the history."""

    __tablename__ = "supervision_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("supervision_matters.id"), index=True
    )
    organ_id: Mapped[int] = mapped_column(sa.ForeignKey("organs.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="deliberation")
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    problems: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(20), default=opinion_states.ISSUED)
    round: Mapped[int] = mapped_column(default=1)
    grade: Mapped[str | None] = mapped_column(sa.String(24))
    plan_text: Mapped[str] = mapped_column(sa.Text, default="")
    result_text: Mapped[str] = mapped_column(sa.Text, default="")
    issued_by: Mapped[str] = mapped_column(sa.String(80))
    issued_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_deadline: Mapped[date] = mapped_column(sa.Date)
    deadline: Mapped[date] = mapped_column(sa.Date)
    escalated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    organ: Mapped[Organ] = relationship()
    matter: Mapped[Matter | None] = relationship()
    events: Mapped[list[OpinionEvent]] = relationship(
        back_populates="opinion", order_by="OpinionEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        _one_of("kind", OPINION_KINDS),
        _one_of("status", opinion_states.STATUSES),
        sa.Index(
            "ix_supervision_opinions_tenant_status_deadline", "tenant_id", "status", "deadline"
        ),
    )


class OpinionEvent(TenantOwned, Base):
    __tablename__ = "supervision_opinion_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supervision_opinions.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int] = mapped_column(default=1)
    action: Mapped[str] = mapped_column(sa.String(32))
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    actor: Mapped[str] = mapped_column(sa.String(80))
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    opinion: Mapped[Opinion] = relationship(back_populates="events")
