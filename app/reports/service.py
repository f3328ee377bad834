"""Loading what a micro-report needs.

The report reads the organ's own values, ratings, judgements, tickets and the count of
the data mart's documents about it, in the current tenant's scope. It compares no year
figure with the sibling organs' (their monthly ratings, made by the rating job, already
were); only the portrait — the lab sheet's, ``portraits.service.organ_portrait`` — scores
peer-rated indicators against the siblings' values, which it reads itself.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app import clock
from app.datamart.documents import Document
from app.datamart.models import IndicatorValue
from app.indicators.dictionary import IndicatorSpec
from app.indicators.service import spec_of, version_named
from app.portraits.service import OrganPortrait, organ_portrait
from app.ratings.models import Judgement, Rating
from app.reports.micro import (
    REPORTED_FAMILIES,
    MicroReport,
    OrganFacts,
    Submitted,
    TicketFacts,
    compose,
)
from app.tickets.models import Ticket
from tenants.models import Organ, Tenant, organ_family


def reportable(organ: Organ) -> bool:
    """Whether a micro-report is written for this organ (courts, tribunals, procuratorates)."""
    return organ_family(organ.kind) in REPORTED_FAMILIES


def default_organ(session: Session) -> Organ | None:
    """The tenant's court (or tribunal), else its procuratorate: what a report with no
    organ named is about."""
    organs = session.scalars(sa.select(Organ).where(Organ.active).order_by(Organ.id)).all()
    ranked = sorted(
        (o for o in organs if reportable(o)),
        key=lambda o: REPORTED_FAMILIES.index(organ_family(o.kind)),
    )
    return ranked[0] if ranked else None


def latest_year(session: Session, organ: Organ) -> str:
    """The last year the organ submitted anything for; the current year if none."""
    period = session.scalar(
        sa.select(sa.func.max(IndicatorValue.period)).where(
            IndicatorValue.organ_id == organ.id, IndicatorValue.is_current
        )
    )
    return period[:4] if period else str(clock.today().year)


def micro_report(
    session: Session, tenant: Tenant, organ: Organ, year: str, today: date | None = None
) -> MicroReport:
    """The micro-report of ``organ`` (of ``tenant``) for ``year``; raises
    ``micro.NotReported`` for an organ that is neither a court nor a procuratorate."""
    periods = [year, *(f"{year}-{m:02d}" for m in range(1, 13))]
    submitted = _submitted(session, organ.id, periods)
    drawn = _portrait(session, tenant, organ, submitted, year)
    facts = OrganFacts(
        organ.id,
        organ.kind,
        organ.name_zh,
        organ.name_en or organ.name_zh,
        tenant.level,
        tenant.name_zh,
        tenant.name_en or tenant.name_zh,
    )
    return compose(
        facts,
        year,
        _specs(session),
        submitted,
        _colours(session, organ.id, periods),
        _verdicts(session, organ.id, periods),
        _tickets(session, organ.id, periods),
        documents=_documents(session, organ.id, year),
        portrait=drawn.portrait if drawn else None,
        portrait_as_of=drawn.period if drawn else None,
        today=today or clock.today(),
    )


def _portrait(
    session: Session, tenant: Tenant, organ: Organ, submitted: list[Submitted], year: str
) -> OrganPortrait | None:
    """The organ's portrait as of the year's last month with data (as the lab sheet draws
    it, peer-rated indicators against the sibling organs); None for a year without any."""
    months = [r.period for r in submitted if r.period.startswith(f"{year}-")]
    return organ_portrait(session, tenant, organ, max(months)) if months else None


def _specs(session: Session) -> list[IndicatorSpec]:
    version = version_named(None, session)
    return [spec_of(row) for row in version.indicators] if version else []


def _submitted(session: Session, organ_id: int, periods: list[str]) -> list[Submitted]:
    rows = session.execute(
        sa.select(
            IndicatorValue.indicator_code,
            IndicatorValue.period,
            IndicatorValue.value,
            IndicatorValue.numerator,
            IndicatorValue.denominator,
        ).where(
            IndicatorValue.organ_id == organ_id,
            IndicatorValue.is_current,
            IndicatorValue.period.in_(periods),
        )
    )
    return [Submitted(*row) for row in rows]


def _colours(session: Session, organ_id: int, periods: list[str]) -> dict[tuple[str, str], str]:
    rows = session.execute(
        sa.select(Rating.indicator_code, Rating.period, Rating.colour).where(
            Rating.organ_id == organ_id, Rating.period.in_(periods)
        )
    )
    return {(code, period): colour for code, period, colour in rows}


def _verdicts(session: Session, organ_id: int, periods: list[str]) -> dict[str, str]:
    rows = session.execute(
        sa.select(Judgement.period, Judgement.verdict).where(
            Judgement.organ_id == organ_id, Judgement.period.in_(periods)
        )
    )
    return dict(rows.all())


def _tickets(session: Session, organ_id: int, periods: list[str]) -> list[TicketFacts]:
    rows = session.scalars(
        sa.select(Ticket)
        .where(Ticket.organ_id == organ_id, Ticket.period.in_(periods))
        .options(selectinload(Ticket.events))
    )
    return [_ticket_facts(t) for t in rows]


def _ticket_facts(ticket: Ticket) -> TicketFacts:
    """The ticket's dates and counts; its events' texts are not read."""
    answers = [e for e in ticket.events if e.action == "answer"]
    return TicketFacts(
        id=ticket.id,
        indicator_code=ticket.indicator_code,
        period=ticket.period,
        colour=ticket.colour,
        status=ticket.status,
        opened_on=_beijing_date(ticket.opened_at),
        deadline=ticket.deadline,
        answered_on=_beijing_date(answers[0].at) if answers else None,
        answers=len(answers),
        returns=sum(e.action == "return" for e in ticket.events),
        escalated=ticket.escalated_at is not None,
    )


def _beijing_date(moment: datetime) -> date:
    """A stored instant (UTC; naive from SQLite) as its date in Beijing."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.BEIJING).date()


def _documents(session: Session, organ_id: int, year: str) -> dict[str, int]:
    """How many of the data mart's documents about the organ are dated in the year, per
    category (counts only: titles and texts may name parties)."""
    first, last = date(int(year), 1, 1), date(int(year), 12, 31)
    rows = session.scalars(
        sa.select(Document.category).where(
            Document.organ_id == organ_id, Document.date >= first, Document.date <= last
        )
    )
    return dict(Counter(rows))
