"""What each organ owes the congress and when (issue 7, item 6): every kind of item with a
deadline — tickets, opinions, key concerns, deputies' opinions, matters — registers one
*source* here, and the calendar and workload pages ask all of them.

A source is ``source(session, tenant_id, *, organ_id=None, start, end) -> list[DueItem]``:
the items of the tenant (of one organ when ``organ_id`` is given) still open and due on or
before ``end`` (overdue ones included whatever ``start`` is), or due between ``start`` and
``end``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class DueItem:
    kind: str  # "ticket", "opinion", "concern", "deputy_opinion", "matter", ...
    kind_label: tuple[str, str]  # (中文, English)
    id: int
    title: str
    organ_id: int | None
    organ_name: str | None
    status: str
    due: date
    url: str  # the page of the item in its tenant
    overdue: bool = False


Source = Callable[..., list[DueItem]]
SOURCES: dict[str, Source] = {}


def register(kind: str) -> Callable[[Source], Source]:
    """Decorator: ``@register("opinion") def opinions_due(session, tenant_id, *, ...)``."""

    def add(source: Source) -> Source:
        SOURCES[kind] = source
        return source

    return add


def due_items(
    session: Session, tenant_id: int, *, organ_id: int | None = None, start: date, end: date
) -> list[DueItem]:
    """Every registered source's items, overdue first, then by due date."""
    items = [
        item
        for source in SOURCES.values()
        for item in source(session, tenant_id, organ_id=organ_id, start=start, end=end)
    ]
    return sorted(items, key=lambda i: (not i.overdue, i.due, i.kind, i.id))
