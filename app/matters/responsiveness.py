"""How well each organ answers the congress (亮榜晒绩): over its response tickets, its
supervision opinions, the key concerns flagged for it and the deputies' opinions assigned
to it, the share answered on time, the share accepted at the first review, and the
average days to answer.

The rules, per item (a ticket, an opinion, a concern or a deputy's opinion):

- *answered*: a ticket's first answer; an opinion's first result report (a plan alone is
  not an answer); a concern's first written response; a deputy's opinion's first answer.
- *due*: answered, or still unanswered after its deadline (while it awaited the answer:
  a ticket resolved by the data, or a concern withdrawn, before its deadline was never
  due). Items not yet due count in neither part of the on-time share.
- *on time*: answered on or before the deadline the item was given first (later rounds,
  after "not satisfied" or a follow-up question, do not move it).
- *accepted at first review*: of the items reviewed at least once, those whose first
  review accepted the answer (a ticket accepted; an opinion evaluated, or a deputy's
  opinion rated, satisfied or basically satisfied; a concern closed) rather than
  returned it (returned; not satisfied; a follow-up question asked).
- *days to answer*: calendar days in Beijing from opening (a ticket), issue (an opinion),
  flagging (a concern) or assignment (a deputy's opinion) to the first answer, averaged
  over the answered items.

Shares are fractions (0.5, not 50) rounded to four places; None where nothing counts.

The ranking (:func:`ranked`) puts the best first: the higher on-time share, then the
higher first-review acceptance, then the fewer days to answer; an organ with nothing due
yet goes last. A parent congress sees the same figures per child congress, each child's
items summed over its whole subtree (:func:`children_figures`), never an organ's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.coordination import concern_states, deputy_states
from app.coordination.models import ConcernEvent, DeputyOpinion, DeputyOpinionEvent, KeyConcern
from app.matters import opinion_states
from app.matters.models import Opinion, OpinionEvent
from app.tickets.models import Ticket, TicketEvent
from tenants.models import Tenant
from tenants.scoping import system_scope

KINDS = ("tickets", "opinions", "concerns", "deputy_opinions")
# Per kind, the actions of a first review: whether each accepted the answer.
ACCEPTING = {
    "tickets": {"accept": True, "return": False},
    "opinions": {
        opinion_states.EVALUATE_SATISFIED: True,
        opinion_states.EVALUATE_BASICALLY_SATISFIED: True,
        opinion_states.EVALUATE_NOT_SATISFIED: False,
    },
    "concerns": {concern_states.CLOSE: True, concern_states.FOLLOW_UP_ACTION: False},
    "deputy_opinions": {
        deputy_states.RATE_SATISFIED: True,
        deputy_states.RATE_BASICALLY_SATISFIED: True,
        deputy_states.RATE_NOT_SATISFIED: False,
    },
}


@dataclass(frozen=True)
class Item:
    kind: str  # one of KINDS
    organ_id: int
    opened_on: date
    deadline: date
    answered_on: date | None = None
    first_review_accepted: bool | None = None
    closed_on: date | None = None
    tenant_id: int | None = None


@dataclass
class Figures:
    items: int = 0
    due: int = 0
    on_time: int = 0
    reviewed: int = 0
    accepted_first: int = 0
    answered: int = 0
    days_to_answer: int = 0

    def add(self, item: Item, today: date) -> None:
        self.items += 1
        if item.answered_on is not None:
            self.answered += 1
            self.days_to_answer += (item.answered_on - item.opened_on).days
        if _is_due(item, today):
            self.due += 1
            self.on_time += item.answered_on is not None and item.answered_on <= item.deadline
        if item.first_review_accepted is not None:
            self.reviewed += 1
            self.accepted_first += item.first_review_accepted

    def as_dict(self) -> dict:
        return {
            "items": self.items,
            "due": self.due,
            "on_time": self.on_time,
            "on_time_share": _share(self.on_time, self.due),
            "reviewed": self.reviewed,
            "accepted_first": self.accepted_first,
            "accepted_first_share": _share(self.accepted_first, self.reviewed),
            "answered": self.answered,
            "average_days_to_answer": _share(self.days_to_answer, self.answered, 2),
        }


@dataclass
class OrganFigures:
    all: Figures = field(default_factory=Figures)
    by_kind: dict[str, Figures] = field(default_factory=lambda: {k: Figures() for k in KINDS})

    def as_dict(self) -> dict:
        return {**self.all.as_dict(), **{k: f.as_dict() for k, f in self.by_kind.items()}}


def _is_due(item: Item, today: date) -> bool:
    if item.answered_on is not None:
        return True
    stopped_waiting = min(today, item.closed_on) if item.closed_on else today
    return item.deadline < stopped_waiting


def _share(part: int, whole: int, places: int = 4) -> float | None:
    return round(part / whole, places) if whole else None


def figures(items, today: date) -> dict[int, OrganFigures]:
    """Per organ id, the figures over all its items and per kind."""
    out: dict[int, OrganFigures] = defaultdict(OrganFigures)
    for item in items:
        organ = out[item.organ_id]
        organ.all.add(item, today)
        organ.by_kind[item.kind].add(item, today)
    return out


# --- reading the items of the current tenant --------------------------------------------------


def _day(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.BEIJING).date()


def _below(stmt, owner, under: Tenant | None):
    """``stmt`` narrowed to the items of the congresses below ``under`` (its subtree but
    itself), joined by path rather than by a list of ids: a province has thousands."""
    if under is None:
        return stmt
    return stmt.join(Tenant, Tenant.id == owner.tenant_id).where(
        Tenant.path.startswith(under.path, autoescape=True), Tenant.id != under.id
    )


@dataclass(frozen=True)
class _Kind:
    """Where one kind of item lives: its table and the columns the rules read, its history
    and the action that answers it."""

    name: str
    model: type
    opened: object  # the column of when it reached the organ
    deadline: object  # the deadline it was given first
    event: type
    event_key: object
    answer: str
    assigned_only: bool = False  # a deputy's opinion counts once assigned to an organ


def _kinds() -> tuple[_Kind, ...]:
    return (
        _Kind(
            "tickets",
            Ticket,
            Ticket.opened_at,
            Ticket.deadline,
            TicketEvent,
            TicketEvent.ticket_id,
            "answer",
        ),
        _Kind(
            "opinions",
            Opinion,
            Opinion.issued_at,
            Opinion.first_deadline,
            OpinionEvent,
            OpinionEvent.opinion_id,
            opinion_states.SUBMIT_RESULT,
        ),
        _Kind(
            "concerns",
            KeyConcern,
            KeyConcern.flagged_at,
            KeyConcern.first_deadline,
            ConcernEvent,
            ConcernEvent.concern_id,
            concern_states.RESPOND,
        ),
        _Kind(
            "deputy_opinions",
            DeputyOpinion,
            DeputyOpinion.assigned_at,
            DeputyOpinion.first_deadline,
            DeputyOpinionEvent,
            DeputyOpinionEvent.opinion_id,
            deputy_states.ANSWER,
            assigned_only=True,
        ),
    )


def _firsts(session: Session, kind: _Kind, under) -> tuple[dict, dict]:
    """Per item, the day of its first answer and whether its first review accepted it."""
    event, accepting = kind.event, ACCEPTING[kind.name]
    stmt = sa.select(kind.event_key, event.action, event.at).where(
        event.action.in_([kind.answer, *accepting])
    )
    if under is not None:
        stmt = _below(stmt.join(kind.model, kind.model.id == kind.event_key), kind.model, under)
    answered, reviewed = {}, {}
    for item_id, action, at in session.execute(stmt.order_by(event.id)).all():
        if action == kind.answer:
            answered.setdefault(item_id, _day(at))
        else:
            reviewed.setdefault(item_id, accepting[action])
    return answered, reviewed


def items_of(session: Session, under: Tenant | None = None) -> list[Item]:
    """Every item of every kind of the current tenant; or, in system scope, of every
    congress below ``under``."""
    items = []
    for kind in _kinds():
        answered, reviewed = _firsts(session, kind, under)
        model = kind.model
        stmt = sa.select(
            model.id, model.organ_id, kind.opened, kind.deadline, model.closed_at, model.tenant_id
        )
        if kind.assigned_only:
            stmt = stmt.where(model.organ_id.is_not(None), kind.opened.is_not(None))
        items += [
            Item(
                kind.name,
                organ,
                _day(opened),
                due,
                answered.get(i),
                reviewed.get(i),
                _day(closed),
                t,
            )
            for i, organ, opened, due, closed, t in session.execute(_below(stmt, model, under))
        ]
    return items


# --- ranking, and the parent's view of its children -----------------------------------------


def _best_first(value, higher_is_better: bool = True):
    if value is None:
        return (1, 0)
    return (0, -value if higher_is_better else value)


def ranked(rows: list[dict]) -> list[dict]:
    """Rows of figures (``as_dict`` and more), best first, each given its ``rank``; rows
    that tie on all three figures share a rank."""

    def key(row):
        return (
            _best_first(row["on_time_share"]),
            _best_first(row["accepted_first_share"]),
            _best_first(row["average_days_to_answer"], higher_is_better=False),
        )

    out, previous = [], None
    for position, row in enumerate(sorted(rows, key=key), start=1):
        rank = out[-1]["rank"] if previous is not None and key(row) == previous else position
        out.append({**row, "rank": rank})
        previous = key(row)
    return out


def organ_rows(session: Session, organs, today: date) -> list[dict]:
    """The ranking of ``organs`` (of the current tenant): each with its figures, in all and
    per kind. An inactive organ is listed only while it has items."""
    found = figures(items_of(session), today)
    rows = [
        {
            "organ": {"id": o.id, "kind": o.kind, "name_zh": o.name_zh, "name_en": o.name_en},
            **found[o.id].as_dict(),
        }
        for o in organs
        if o.active or o.id in found
    ]
    return ranked(rows)


def children_figures(session: Session, parent_id: int, today: date) -> list[dict]:
    """The parent's direct children, each with the figures over every ticket and opinion
    of its subtree (the child and the congresses under it), ranked. Reads across tenants
    in system scope: call it only after the caller has been let into the parent."""
    with system_scope():
        parent = session.get(Tenant, parent_id)
        children = session.scalars(
            sa.select(Tenant).where(Tenant.parent_id == parent_id).order_by(Tenant.code)
        ).all()
        if not children:
            return []
        owner = _child_of_each(session, parent, children)
        items = items_of(session, under=parent)
    per_child = {child.id: OrganFigures() for child in children}
    for item in items:
        figures_of = per_child[owner[item.tenant_id]]
        figures_of.all.add(item, today)
        figures_of.by_kind[item.kind].add(item, today)
    rows = [
        {
            "tenant": {"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en},
            **per_child[c.id].as_dict(),
        }
        for c in children
    ]
    return ranked(rows)


def _child_of_each(session: Session, parent: Tenant, children) -> dict[int, int]:
    """Tenant id -> the id of the parent's child whose subtree holds it: the first code
    in its path after the parent's (paths are ``/330000/330100/330106/``)."""
    by_code = {c.code: c.id for c in children}
    rows = session.execute(
        sa.select(Tenant.id, Tenant.path).where(
            Tenant.path.startswith(parent.path, autoescape=True), Tenant.id != parent.id
        )
    ).all()
    return {tenant_id: by_code[path[len(parent.path) :].split("/")[0]] for tenant_id, path in rows}
