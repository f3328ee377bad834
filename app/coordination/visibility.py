"""Who sees what of coordination, as statements narrowed for one user (the tenant scope
narrows every one of them further to the congress in the URL; ancestors see none of it).

- **Key concerns** are the congress's own flags: its admins, staff, deputies and viewers
  read every one (deputies read the organs' responses: that is what they are for); an organ
  user reads only its own organ's.
- **Deputies' opinions** are a deputy's own: a deputy reads those he or she raised, and
  those staff chose to share with every deputy (``shared``, set when assigning: an answer
  of general interest); staff, admins and viewers read all; an organ user reads only those
  assigned to its own organ, and only once assigned (never one still waiting for staff, or
  declined, or withdrawn).
- **Evaluators' reports**: the congress's users read all; an evaluator reads its own.
- **Procuratorial recommendations**: the congress's users read all; an organ user reads
  those its organ issued or received.
- **Public comments** are read by the congress's users only (masked for all alike).

Anything not visible answers 404, exactly like another congress's.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.coordination import deputy_states
from app.coordination.models import (
    DeputyOpinion,
    EvaluatorReport,
    KeyConcern,
    ProcuratorialRecommendation,
    PublicComment,
)

CONGRESS = ("admin", "staff", "deputy", "viewer")


@dataclass(frozen=True)
class Reader:
    user_id: int
    role: str
    organ_id: int | None = None

    @classmethod
    def of(cls, user) -> Reader:
        return cls(user.id, user.role, user.organ_id)


def _nothing(stmt: sa.Select) -> sa.Select:
    return stmt.where(sa.false())


def concerns(reader: Reader) -> sa.Select:
    stmt = sa.select(KeyConcern)
    if reader.role == "organ":
        return stmt.where(KeyConcern.organ_id == reader.organ_id)
    return stmt if reader.role in CONGRESS else _nothing(stmt)


def deputy_opinions(reader: Reader) -> sa.Select:
    stmt = sa.select(DeputyOpinion)
    if reader.role == "deputy":
        return stmt.where(
            sa.or_(DeputyOpinion.author_user_id == reader.user_id, DeputyOpinion.shared)
        )
    if reader.role == "organ":
        return stmt.where(
            DeputyOpinion.organ_id == reader.organ_id,
            DeputyOpinion.status.in_(deputy_states.ORGAN_VISIBLE),
        )
    return stmt if reader.role in CONGRESS else _nothing(stmt)


def evaluator_reports(reader: Reader) -> sa.Select:
    stmt = sa.select(EvaluatorReport)
    if reader.role == "evaluator":
        return stmt.where(EvaluatorReport.uploaded_by_user_id == reader.user_id)
    return stmt if reader.role in CONGRESS else _nothing(stmt)


def recommendations(reader: Reader) -> sa.Select:
    stmt = sa.select(ProcuratorialRecommendation)
    if reader.role == "organ":
        return stmt.where(
            sa.or_(
                ProcuratorialRecommendation.issuer_organ_id == reader.organ_id,
                ProcuratorialRecommendation.recipient_organ_id == reader.organ_id,
            )
        )
    return stmt if reader.role in CONGRESS else _nothing(stmt)


def public_comments(reader: Reader) -> sa.Select:
    stmt = sa.select(PublicComment)
    return stmt if reader.role in CONGRESS else _nothing(stmt)
