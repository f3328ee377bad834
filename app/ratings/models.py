"""Ratings (one per organ, indicator and period, for the revision in force) and the
judgement of each organ per period."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, object_session

from app.db import Base, utcnow
from app.indicators.service import specs_of_version
from app.ratings import rules
from tenants.scoping import TenantOwned

COLOURS = ("green", "yellow", "red", "grey")
VERDICTS = ("normal", "reminder", "warning")
INPUTS = ("median", "mad", "peers", "history_3", "history_2", "history_1")


class Explained:
    """What a stored rating was computed from besides its value and dictionary version:
    the peer group's median, MAD and size (when there was a value) and the trend rule's
    earlier values, oldest first (when the rule read them). :func:`rules.rate` is a pure
    function of these, so the findings, the fired findings and the reasons are rendered
    from them when read instead of being stored: ~1 KB of JSON and text less per row,
    which is most of the cost of writing 300,000 ratings (see :func:`inputs_of`)."""

    median: Mapped[float | None] = mapped_column()
    mad: Mapped[float | None] = mapped_column()
    peers: Mapped[int | None] = mapped_column()
    history_3: Mapped[float | None] = mapped_column()
    history_2: Mapped[float | None] = mapped_column()
    history_1: Mapped[float | None] = mapped_column()  # the period before

    @property
    def explained(self) -> rules.Rating | None:
        """The rules' verdict from the stored inputs (None for an unknown indicator)."""
        key = (
            self.indicator_code,
            self.dictionary_version,
            self.value,
            *(getattr(self, name) for name in INPUTS),
        )
        cached = self.__dict__.get("_explained")
        if cached is not None and cached[0] == key:
            return cached[1]
        spec = specs_of_version(object_session(self), self.dictionary_version).get(
            self.indicator_code
        )
        result = None if spec is None else explain(spec, self.value, *key[3:])
        self.__dict__["_explained"] = (key, result)
        return result

    @property
    def findings(self) -> list[dict]:
        result = self.explained
        return [f.as_dict() for f in result.findings] if result else []

    @property
    def fired(self) -> list[dict]:
        result = self.explained
        return [f.as_dict() for f in result.fired] if result else []

    @property
    def reason_zh(self) -> str:
        return self.explained.reason_zh if self.explained else ""

    @property
    def reason_en(self) -> str:
        return self.explained.reason_en if self.explained else ""


def explain(spec, value, median, mad, peers, h3, h2, h1) -> rules.Rating:
    """:func:`rules.rate` of a value from its stored inputs."""
    history = () if h1 is None else (h3, h2, h1, value)
    return rules.rate(spec, value, history=history, stats=(median, mad, peers or 0))


def inputs_of(result: rules.Rating, value, stats: rules.PeerStats, history) -> dict:
    """The stored inputs of a rating ``result`` of ``value`` computed with the peer
    ``stats`` and the earlier values ``history`` (oldest first): the statistics when
    there is a value, the history only when the trend rule read it — so that both the
    rules in Python and the statement in the database store the same row."""
    valued = value is not None and value == value
    trended = any(f.rule == "trend" for f in result.findings)
    h3, h2, h1 = history if trended else (None, None, None)
    median, mad, n = stats if valued else (None, None, None)
    return {
        "median": median,
        "mad": mad,
        "peers": n,
        "history_3": h3,
        "history_2": h2,
        "history_1": h1,
    }


class Rating(Explained, TenantOwned, Base):
    """The colour of one value and the inputs of every rule (its findings and reasons
    follow from them, :class:`Explained`), the dictionary version and the value's
    revision it was computed from. Grey is a due period with no value (a missing
    submission).

    Narrow on purpose: a full rating writes a row per value of the country. The tenant
    and the organ are checked by one foreign key (the organ must be the tenant's own),
    and one index serves both the unique key and the lookups, which are a tenant's
    ratings of a period (of an organ)."""

    __tablename__ = "ratings"
    __audited__ = False  # recomputed set-wise; the rating job audits per batch

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column()
    organ_id: Mapped[int] = mapped_column()
    indicator_code: Mapped[str] = mapped_column(sa.String(8))
    period: Mapped[str] = mapped_column(sa.String(7))
    revision: Mapped[int | None]
    value: Mapped[float | None]
    colour: Mapped[str] = mapped_column(sa.String(8))
    dictionary_version: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        # one index: unique per organ, indicator and period, and a tenant's period first
        sa.UniqueConstraint("tenant_id", "period", "organ_id", "indicator_code"),
        sa.CheckConstraint(f"colour IN {COLOURS!r}", name="colour"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "organ_id"], ["organs.tenant_id", "organs.id"], ondelete="RESTRICT"
        ),
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
