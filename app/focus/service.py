"""Data collision on a congress's own data: its organs' ratings (难点 red periods, 弱点
the peer rule's z-scores), its data mart's petitions, deputies' motions and internet hot
topics (热点), against its active topics. Everything is read in the congress's scope;
the peer comparison is already inside its ratings, made by the rating job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analysis.collision import (
    DEFAULT_RULES,
    CollisionRules,
    ColourRecord,
    DocumentRecord,
    PeerRecord,
    TopicFinding,
    collide,
)
from app.analysis.periods import last_periods, month_index, shift_month
from app.datamart.documents import Document
from app.datamart.periods import MONTH
from app.focus.models import Topic
from app.focus.topics import tenant_topics
from app.indicators.service import version_named
from app.ratings.models import Rating
from app.ratings.rules import MIN_PEERS, Z_FACTOR
from tenants.models import Organ

GRANULARITIES = ("month", "quarter", "year")


@dataclass(frozen=True)
class CitedDocument:
    """What the evidence shows of a document: enough to mask it and link to it."""

    id: int
    category: str
    title: str
    date: date
    persons: tuple[str, ...]


@dataclass(frozen=True)
class FocusReport:
    as_of: str
    rules: CollisionRules
    findings: list[TopicFinding]
    topics: dict[str, Topic]  # code -> the congress's row
    organs: dict[int, Organ]
    documents: dict[int, CitedDocument]


def latest_rated_month(session: Session) -> str | None:
    """The congress's most recent month with ratings: what a collision is drawn for."""
    periods = session.scalars(
        sa.select(Rating.period).distinct().order_by(Rating.period.desc()).limit(24)
    )
    return next((p for p in periods if MONTH.match(p)), None)


def window_periods(as_of: str, window: int) -> list[str]:
    """The last ``window`` months, quarters and years ending with the one holding ``as_of``."""
    return [p for g in GRANULARITIES for p in last_periods(as_of, g, window)]


def focus_report(
    session: Session, as_of: str, rules: CollisionRules = DEFAULT_RULES
) -> FocusReport:
    """Collide the current congress's active topics as of the month ``as_of``."""
    month_index(as_of)  # validates
    rows = tenant_topics(session, active_only=True)
    topics = [row.as_topic() for row in rows]
    codes = {code for topic in topics for code in topic.indicators}
    names, directions = _dictionary(session)
    periods = window_periods(as_of, rules.window)
    colours, peers = rating_records(session, codes, periods, directions)
    cited = documents_in_window(session, as_of, rules)
    findings = collide(
        as_of,
        topics=topics,
        colours=colours,
        documents=[_record(d, text) for d, text in cited],
        peers=peers,
        rules=rules,
        names=names,
    )
    organs = {o.id: o for o in session.scalars(sa.select(Organ))}
    return FocusReport(
        as_of,
        rules,
        findings,
        {row.code: row for row in rows},
        organs,
        {d.id: d for d, _ in cited},
    )


def _dictionary(session: Session) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """The current dictionary's names {code: (zh, en)} and directions {code: up|down|neutral}."""
    version = version_named(None, session)
    rows = version.indicators if version else []
    return (
        {row.code: (row.name_zh, row.name_en) for row in rows},
        {row.code: row.direction for row in rows},
    )


def rating_records(
    session: Session, codes: Iterable[str], periods: list[str], directions: dict[str, str]
) -> tuple[list[ColourRecord], list[PeerRecord]]:
    """Every rating of these indicators in these periods as a colour, and as a comparison
    with peers where the peer rule was evaluated (``directions``: {code: up|down|neutral})."""
    codes = sorted(set(codes))
    if not codes:
        return [], []
    rows = session.execute(
        sa.select(
            Rating.id,
            Rating.organ_id,
            Rating.indicator_code,
            Rating.period,
            Rating.colour,
            Rating.value,
            Rating.median,
            Rating.mad,
            Rating.peers,
        ).where(Rating.indicator_code.in_(codes), Rating.period.in_(periods))
    ).all()
    colours, peers = [], []
    for rating_id, organ_id, code, period, colour, value, centre, spread, n in rows:
        colours.append(ColourRecord(code, period, colour, organ_id, rating_id))
        z = worse_side_z(value, centre, spread, n, directions.get(code, "neutral"))
        if z is not None:
            peers.append(PeerRecord(code, period, z=z, organ=organ_id, ref=rating_id))
    return colours, peers


def worse_side_z(
    value: float | None, centre: float | None, spread: float | None, n: int | None, direction: str
) -> float | None:
    """The peer rule's modified z-score, positive on the worse side (as ``peer_z``), from
    the rating's stored median and MAD; None when the peer rule was not evaluated (no
    value, too few peers, MAD of 0)."""
    if value is None or value != value or centre is None or not spread or (n or 0) < MIN_PEERS:
        return None
    z = Z_FACTOR * (value - centre) / spread
    if direction == "up":
        return -z
    return z if direction == "down" else abs(z)


def documents_in_window(
    session: Session, as_of: str, rules: CollisionRules
) -> list[tuple[CitedDocument, str]]:
    """The congress's documents of the collided categories dated in the window's months,
    each with its text (unmasked: the collision reads them, the evidence masks them)."""
    first = shift_month(as_of, 1 - rules.window)
    start = date(int(first[:4]), int(first[5:]), 1)
    after = shift_month(as_of, 1)
    end = date(int(after[:4]), int(after[5:]), 1)
    rows = session.scalars(
        sa.select(Document)
        .where(
            Document.category.in_(rules.document_kinds),
            Document.date >= start,
            Document.date < end,
        )
        .order_by(Document.date, Document.id)
    )
    return [
        (CitedDocument(d.id, d.category, d.title, d.date, tuple(d.persons or ())), d.body or "")
        for d in rows
    ]


def _record(document: CitedDocument, text: str) -> DocumentRecord:
    return DocumentRecord(document.id, document.category, document.title, text, document.date)
