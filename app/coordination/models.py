"""Key concerns, deputies' opinions, evaluators' reports, procuratorial recommendations and
public comments, with the history of every move (who, when, from which status to which).

``origin_title`` on the last three is what a supervision matter opened from them records
as its origin's name (:mod:`app.matters.service`).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.coordination import concern_states, deputy_states, recommendation_states
from app.coordination.vocabulary import (
    COMMENT_CHANNELS,
    CONCERN_KINDS,
    DEPUTY_OPINION_KINDS,
    PAGE_KINDS,
    RATINGS,
)
from app.datamart.documents import Document
from app.datamart.models import ImportBatch, StoredFile
from app.db import Base, utcnow
from app.tickets.models import Ticket
from tenants.models import Organ
from tenants.scoping import TenantOwned


def _one_of(column: str, codes) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN {tuple(codes)!r}", name=column)


class KeyConcern(TenantOwned, Base):
    """An item the congress flags for one organ's attention (重点关注), to be answered in
    writing by a deadline in working days. ``kind`` says what it rests on: an indicator
    (``indicator_code`` and ``period``, linked to the organ's lab sheet), an internet hot
    topic (``document_id``, a data-mart document), or words alone. ``response`` is the
    organ's latest written response; every earlier one stays in the history."""

    __tablename__ = "key_concerns"

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(sa.ForeignKey("organs.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    indicator_code: Mapped[str | None] = mapped_column(sa.String(8))
    period: Mapped[str | None] = mapped_column(sa.String(7))
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=concern_states.OPEN)
    response: Mapped[str] = mapped_column(sa.Text, default="")
    responded_at: Mapped[datetime | None]
    flagged_by: Mapped[str] = mapped_column(sa.String(80))
    flagged_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_deadline: Mapped[date] = mapped_column(sa.Date)
    deadline: Mapped[date] = mapped_column(sa.Date)
    # Set when the sweep escalated the current deadline; a follow-up question clears it.
    escalated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    organ: Mapped[Organ] = relationship()
    document: Mapped[Document | None] = relationship()
    events: Mapped[list[ConcernEvent]] = relationship(
        back_populates="concern", order_by="ConcernEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        _one_of("kind", CONCERN_KINDS),
        _one_of("status", concern_states.STATUSES),
        sa.Index("ix_key_concerns_tenant_status_deadline", "tenant_id", "status", "deadline"),
    )


class ConcernEvent(TenantOwned, Base):
    __tablename__ = "key_concern_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(
        sa.ForeignKey("key_concerns.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(16))
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    actor: Mapped[str] = mapped_column(sa.String(80))
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    concern: Mapped[KeyConcern] = relationship(back_populates="events")


class DeputyOpinion(TenantOwned, Base):
    """A deputy's opinion or suggestion on an organ's work, raised from a page whose
    context it keeps (``page_kind``; the organ, indicator, chart and ticket it showed, and
    the page's path), assigned by staff to an organ (``organ_id`` then names the organ that
    must answer) with a deadline in working days, answered, and rated by the deputy.
    ``shared`` puts it before every deputy of the congress, not only its author."""

    __tablename__ = "deputy_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="opinion")
    text: Mapped[str] = mapped_column(sa.Text)
    author_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    author: Mapped[str] = mapped_column(sa.String(80))
    author_name: Mapped[str] = mapped_column(sa.String(80))
    page_kind: Mapped[str] = mapped_column(sa.String(16), default="other")
    page_path: Mapped[str] = mapped_column(sa.String(300), default="")
    organ_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organs.id"), index=True)
    indicator_code: Mapped[str | None] = mapped_column(sa.String(8))
    chart_name: Mapped[str | None] = mapped_column(sa.String(64))
    chart_title: Mapped[str] = mapped_column(sa.String(160), default="")
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=deputy_states.SUBMITTED)
    shared: Mapped[bool] = mapped_column(default=False)
    round: Mapped[int] = mapped_column(default=1)
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    rating: Mapped[str | None] = mapped_column(sa.String(24))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    first_deadline: Mapped[date | None] = mapped_column(sa.Date)
    deadline: Mapped[date | None] = mapped_column(sa.Date)
    # Set when the sweep escalated this round's deadline; a new round clears it.
    escalated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    organ: Mapped[Organ | None] = relationship()
    ticket: Mapped[Ticket | None] = relationship()
    author_user: Mapped[User] = relationship()
    events: Mapped[list[DeputyOpinionEvent]] = relationship(
        back_populates="opinion", order_by="DeputyOpinionEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        _one_of("kind", DEPUTY_OPINION_KINDS),
        _one_of("page_kind", PAGE_KINDS),
        _one_of("status", deputy_states.STATUSES),
        sa.CheckConstraint(f"rating IS NULL OR rating IN {tuple(RATINGS)!r}", name="rating_known"),
        sa.Index("ix_deputy_opinions_tenant_status_deadline", "tenant_id", "status", "deadline"),
    )


class DeputyOpinionEvent(TenantOwned, Base):
    __tablename__ = "deputy_opinion_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("deputy_opinions.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int] = mapped_column(default=1)
    action: Mapped[str] = mapped_column(sa.String(32))
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    actor: Mapped[str] = mapped_column(sa.String(80))
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    opinion: Mapped[DeputyOpinion] = relationship(back_populates="events")


class EvaluatorReport(TenantOwned, Base):
    """A third-party evaluator's report (第三方评估报告), beside the assessment figures it
    uploaded: for a year (or another period), on one organ or on all, with a summary and
    the report file as uploaded. ``batch_id`` names the evaluator's assessment upload the
    report explains, when there is one."""

    __tablename__ = "evaluator_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    period: Mapped[str] = mapped_column(sa.String(7))
    organ_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organs.id"), index=True)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id"), index=True)
    file_name: Mapped[str] = mapped_column(sa.String(200), default="")
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"), index=True)
    uploaded_by: Mapped[str] = mapped_column(sa.String(80))
    uploaded_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    organ: Mapped[Organ | None] = relationship()
    file: Mapped[StoredFile | None] = relationship()
    batch: Mapped[ImportBatch | None] = relationship()

    @property
    def origin_title(self) -> str:
        return f"{self.period} {self.title}"


class ProcuratorialRecommendation(TenantOwned, Base):
    """A procuratorial recommendation (检察建议) issued by one of this congress's
    procuratorates to a unit — one of the congress's organs (``recipient_organ_id``), or a
    body named in words (``recipient_name``) — and whether it was adopted."""

    __tablename__ = "procuratorial_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    issuer_organ_id: Mapped[int] = mapped_column(sa.ForeignKey("organs.id"), index=True)
    recipient_organ_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organs.id"), index=True)
    recipient_name: Mapped[str] = mapped_column(sa.String(120), default="")
    issued_on: Mapped[date] = mapped_column(sa.Date)
    reply_due: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), default=recommendation_states.PENDING)
    reply: Mapped[str] = mapped_column(sa.Text, default="")
    replied_on: Mapped[date | None] = mapped_column(sa.Date)
    replied_by: Mapped[str] = mapped_column(sa.String(80), default="")
    recorded_by: Mapped[str] = mapped_column(sa.String(80))
    recorded_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    issuer: Mapped[Organ] = relationship(foreign_keys=[issuer_organ_id])
    recipient: Mapped[Organ | None] = relationship(foreign_keys=[recipient_organ_id])

    __table_args__ = (
        _one_of("status", recommendation_states.STATUSES),
        sa.UniqueConstraint("tenant_id", "number"),
    )

    @property
    def recipient_label(self) -> str:
        return self.recipient.name_zh if self.recipient else self.recipient_name

    @property
    def origin_title(self) -> str:
        return f"{self.number} {self.title}"


class PublicComment(TenantOwned, Base):
    """A comment from the public received by the congress (社会监督), stored masked: the
    sender's name (``sender``), contact details and the persons named in the text never
    reach the database in clear (:mod:`app.coordination.masking`)."""

    __tablename__ = "public_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    received_on: Mapped[date] = mapped_column(sa.Date)
    organ_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organs.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    sender: Mapped[str] = mapped_column(sa.String(80), default="")
    masked_names: Mapped[int] = mapped_column(default=0)
    recorded_by: Mapped[str] = mapped_column(sa.String(80))
    recorded_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    organ: Mapped[Organ | None] = relationship()

    __table_args__ = (
        _one_of("channel", COMMENT_CHANNELS),
        sa.Index("ix_public_comments_tenant_received", "tenant_id", "received_on"),
    )

    @property
    def origin_title(self) -> str:
        return self.title
