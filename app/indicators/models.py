"""The unified indicator dictionary as stored: shared by every tenant, versioned.

A new version is a new set of rows; old versions stay readable, and every rating names
the version it was computed under.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow


class DictionaryVersion(Base):
    __tablename__ = "dictionary_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    published_on: Mapped[str] = mapped_column(sa.String(10))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[str] = mapped_column(sa.String(80), default="system")
    note_zh: Mapped[str] = mapped_column(sa.Text, default="")
    note_en: Mapped[str] = mapped_column(sa.Text, default="")
    source_sha256: Mapped[str] = mapped_column(sa.String(64))
    is_current: Mapped[bool] = mapped_column(default=False)

    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="version", order_by="Indicator.code"
    )


class Indicator(Base):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("dictionary_versions.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(8))
    name_zh: Mapped[str] = mapped_column(sa.String(80))
    name_en: Mapped[str] = mapped_column(sa.String(160))
    organ_kind: Mapped[str] = mapped_column(sa.String(24))
    dimension_zh: Mapped[str] = mapped_column(sa.String(16))
    dimension_en: Mapped[str] = mapped_column(sa.String(40))
    unit: Mapped[str] = mapped_column(sa.String(8))
    value_kind: Mapped[str] = mapped_column(sa.String(12))
    scale: Mapped[int] = mapped_column(default=1)
    direction: Mapped[str] = mapped_column(sa.String(8))
    rollup: Mapped[str] = mapped_column(sa.String(16))
    levels: Mapped[list] = mapped_column(sa.JSON)
    period: Mapped[str] = mapped_column(sa.String(8))
    source: Mapped[str] = mapped_column(sa.String(16))
    green: Mapped[float | None]
    red: Mapped[float | None]
    peer_rated: Mapped[bool] = mapped_column(default=False)
    min_value: Mapped[float]
    max_value: Mapped[float]
    numerator_zh: Mapped[str] = mapped_column(sa.String(40), default="")
    numerator_en: Mapped[str] = mapped_column(sa.String(80), default="")
    denominator_zh: Mapped[str] = mapped_column(sa.String(40), default="")
    denominator_en: Mapped[str] = mapped_column(sa.String(80), default="")
    description_zh: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")

    version: Mapped[DictionaryVersion] = relationship(back_populates="indicators")

    __table_args__ = (sa.UniqueConstraint("version_id", "code"),)
