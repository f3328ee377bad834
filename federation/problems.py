"""Common problems in the database: gather each child's yellow and red signals (its own
organs' ratings and its roll-up's rating), detect per (parent, indicator, period) with
``federation.common.detect``, and upsert; a problem that is no longer common is removed
(a campaign launched from it keeps its own copy of the evidence)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.datamart.periods import previous_periods
from app.db import dialect_insert
from app.indicators.service import specs_of_version
from app.ratings.models import INPUTS, Rating, explain
from federation.common import PERSIST_N, Signal, detect, worse
from federation.engine import Tree
from federation.models import CommonProblem, Rollup
from tenants.models import Organ

FLAGGED = ("yellow", "red")


def affected_periods(periods: Iterable[str]) -> set[str]:
    """A change in P can make P and the next n − 1 periods (their windows) common."""
    out = set()
    for period in periods:
        current = period
        out.add(current)
        for _ in range(PERSIST_N - 1):
            current = following(current)
            out.add(current)
    return out


def following(period: str) -> str:
    if len(period) == 4:
        return str(int(period) + 1)
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"


def _windows(periods: Iterable[str]) -> dict[str, list[str]]:
    return {p: [*previous_periods(p, PERSIST_N - 1), p] for p in periods}


def signals_of(
    session: Session, tree: Tree, child_ids: set[int], codes, periods, colours=FLAGGED
) -> dict[tuple[int, str], dict[tuple[str, str], Signal]]:
    """(parent, indicator) → (child code, period) → the child's worst signal.

    This is the one definition of a child's colour for an indicator: the worst of its own
    organs' ratings and its own roll-up's colour. Common problems read only the yellow and
    red ones; ``colours=None`` keeps every colour (green and grey too), for a heat map.
    """
    out: dict[tuple[int, str], dict] = defaultdict(dict)
    organ_rows = sa.select(
        Rating.tenant_id,
        Rating.indicator_code,
        Rating.period,
        Rating.colour,
        Organ.name_zh,
        *_explained(Rating),
    ).join(Organ, Organ.id == Rating.organ_id)
    rollup_rows = sa.select(
        Rollup.tenant_id,
        Rollup.indicator_code,
        Rollup.period,
        Rollup.colour,
        sa.literal("").label("name"),
        *_explained(Rollup),
    )
    for source, stmt, model in (("organ", organ_rows, Rating), ("rollup", rollup_rows, Rollup)):
        coloured = model.colour.in_(colours) if colours else model.colour.is_not(None)
        stmt = stmt.where(model.tenant_id.in_(sorted(child_ids)), coloured)
        if codes is not None:
            stmt = stmt.where(model.indicator_code.in_(sorted(codes)))
        if periods is not None:
            stmt = stmt.where(model.period.in_(sorted(periods)))
        for tenant_id, code, period, colour, name, version, value, *inputs in session.execute(stmt):
            node = tree.nodes[tenant_id]
            detail = name if source == "organ" else f"{node.name_zh}下级汇总"
            spec = specs_of_version(session, version).get(code)
            why = _reasons(spec, value, inputs)
            signal = Signal(colour, value, source, detail, explain=why)
            key = (node.code, period)
            bucket = out[(node.parent_id, code)]
            bucket[key] = worse(bucket.get(key), signal)
    return out


def _explained(model) -> list:
    """The columns a stored rating is explained from: version, value, the rules' inputs."""
    return [model.dictionary_version, model.value, *(getattr(model, n) for n in INPUTS)]


def _reasons(spec, value, inputs):
    """The reasons of a stored rating, rendered when a problem's evidence cites them."""

    def reasons() -> tuple[str, str]:
        if spec is None:
            return "", ""
        result = explain(spec, value, *inputs)
        return result.reason_zh, result.reason_en

    return reasons


def refresh(
    session: Session,
    tree: Tree,
    parent_ids: Iterable[int],
    codes: Iterable[str] | None = None,
    periods: Iterable[str] | None = None,
) -> int:
    """Detect again for these parents (and indicators and periods; all when None)."""
    parent_ids = [p for p in parent_ids if tree.children.get(p)]
    if not parent_ids:
        return 0
    codes = set(codes) if codes is not None else None
    child_ids = {c for p in parent_ids for c in tree.children[p]}
    windows = _windows(periods) if periods is not None else None
    needed = {p for w in windows.values() for p in w} if windows else None
    signals = signals_of(session, tree, child_ids, codes, needed)
    if windows is None:
        windows = _windows({period for bucket in signals.values() for _, period in bucket})
    now, rows, seen = clock.now(), [], set()
    for parent in parent_ids:
        kids = {tree.nodes[c].code: tree.nodes[c].name_zh for c in tree.children[parent]}
        for (owner, code), bucket in signals.items():
            if owner != parent:
                continue
            for period, window in windows.items():
                problem = detect(period, window, kids, bucket)
                if problem is None:
                    continue
                seen.add((parent, code, period))
                rows.append(
                    {
                        "tenant_id": parent,
                        "indicator_code": code,
                        **{k: getattr(problem, k) for k in _FIELDS},
                        "computed_at": now,
                    }
                )
    _upsert(session, rows)
    _remove_stale(session, parent_ids, codes, set(windows), seen)
    return len(rows)


_FIELDS = (
    "period",
    "n_children",
    "threshold",
    "n_flagged",
    "n_red",
    "concurrent",
    "persistent",
    "suggested_form",
    "evidence",
    "reason_zh",
    "reason_en",
)


def _upsert(session: Session, rows: list[dict]) -> None:
    if not rows:
        return
    stmt = dialect_insert(session)(CommonProblem.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "indicator_code", "period"],
        set_={n: stmt.excluded[n] for n in (*_FIELDS, "computed_at") if n != "period"},
    )
    for start in range(0, len(rows), 2000):
        session.execute(stmt, rows[start : start + 2000])


def _remove_stale(session, parent_ids, codes, periods, seen) -> None:
    stmt = sa.select(
        CommonProblem.id,
        CommonProblem.tenant_id,
        CommonProblem.indicator_code,
        CommonProblem.period,
    ).where(CommonProblem.tenant_id.in_(parent_ids), CommonProblem.period.in_(sorted(periods)))
    if codes is not None:
        stmt = stmt.where(CommonProblem.indicator_code.in_(sorted(codes)))
    stale = [row.id for row in session.execute(stmt) if tuple(row[1:]) not in seen]
    if stale:
        session.execute(sa.delete(CommonProblem).where(CommonProblem.id.in_(stale)))
