"""Ratings (one per organ, indicator and period, for the revision in force) and the
judgement of each organ per period."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow
from tenants.scoping import TenantOwned

COLOURS = ("green", "yellow", "red", "grey")
VERDICTS = ("normal", "reminder", "warning")


class Rating(TenantOwned, Base):
    """The colour of one value and why: every rule's finding with its inputs, which of
    them fired, the dictionary version and the value's revision it was computed from.
    Grey is a due period with no value (a missing submission)."""

    __tablename__ = "ratings"
    __audited__ = False  # recomputed set-wise; the rating job audits per batch

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(sa.ForeignKey("organs.id"))
    indicator_code: Mapped[str] = mapped_column(sa.String(8))
    period: Mapped[str] = mapped_column(sa.String(7))
    value_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicator_values.id"))
    revision: Mapped[int | None]
    value: Mapped[float | None]
    colour: Mapped[str] = mapped_column(sa.String(8))
    findings: Mapped[list] = mapped_column(sa.JSON, default=list)
    fired: Mapped[list] = mapped_column(sa.JSON, default=list)
    reason_zh: Mapped[str] = mapped_column(sa.Text, default="")
    reason_en: Mapped[str] = mapped_column(sa.Text, default="")
    dictionary_version: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "organ_id", "indicator_code", "period"),
        sa.Index("ix_ratings_tenant_period_colour", "tenant_id", "period", "colour"),
        sa.CheckConstraint(f"colour IN {COLOURS!r}", name="colour"),
    )


class Judgement(TenantOwned, Base):
    """Normal / reminder / warning for one organ and period, with the indicators behind it."""

    __tablename__ = "judgements"
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(sa.ForeignKey("organs.id"))
    period: Mapped[str] = mapped_column(sa.String(7))
    verdict: Mapped[str] = mapped_column(sa.String(10))
    reds: Mapped[int] = mapped_column(default=0)
    yellows: Mapped[int] = mapped_column(default=0)
    greys: Mapped[int] = mapped_column(default=0)
    indicators: Mapped[list] = mapped_column(sa.JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "organ_id", "period"),
        sa.CheckConstraint(f"verdict IN {VERDICTS!r}", name="verdict"),
    )


class TenantSettings(TenantOwned, Base):
    """What each congress tunes: when yellows make a reminder, and how many working days
    an organ has to answer a yellow or a red."""

    __tablename__ = "tenant_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_yellows: Mapped[int] = mapped_column(default=2)
    warning_reds: Mapped[int] = mapped_column(default=1)
    yellow_days: Mapped[int] = mapped_column(default=10)
    red_days: Mapped[int] = mapped_column(default=5)
    due_soon_days: Mapped[int] = mapped_column(default=2)

    __table_args__ = (sa.UniqueConstraint("tenant_id"),)
