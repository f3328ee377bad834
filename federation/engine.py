"""Roll-ups in the database: one GROUP BY gives each tenant's own parts per indicator and
period; the parts fold up the tree in one pass (deepest tenants first); each parent's
roll-up is written with its children's parts and coverage, and rated like a value
(peers: the roll-ups of its siblings; trend: its own earlier periods).

Incremental: after a district's import only its ancestors' roll-ups of the touched
indicators and periods are recomputed (and their siblings re-rated, since the peer median
moved); ``rebuild`` recomputes everything for repair — on PostgreSQL in one statement
(:mod:`federation.in_database`, the same rows to the last bit). Both are upserts, and
both remove the roll-ups nothing below reports to any more: running twice, or after a
kill, leaves the same rows, the rows a rebuild from scratch writes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.datamart.models import IndicatorValue
from app.datamart.periods import previous_periods
from app.db import dialect_insert
from app.indicators.dictionary import IndicatorSpec
from app.indicators.service import spec_of, version_named
from app.ratings import rules
from app.ratings.engine import TREND_PERIODS
from app.ratings.models import INPUTS, inputs_of
from federation import in_database
from federation.models import Rollup
from federation.rollup import NOTHING, Parts, value_of
from tenants.models import Organ, Tenant, organ_family

CHUNK = 2000
COPY_MIN_ROWS = 2000  # from this many rows, PostgreSQL loads them with COPY


@dataclass(frozen=True, slots=True)
class Node:
    id: int
    code: str
    name_zh: str
    name_en: str
    level: str
    parent_id: int | None
    path: str
    depth: int


@dataclass
class Tree:
    """Every tenant, its children, and which indicators some organ of its subtree reports
    (a child that should report an indicator and did not is *missing* from coverage)."""

    nodes: dict[int, Node]
    children: dict[int, list[int]]
    reports: dict[int, set[str]] = field(default_factory=dict)

    def ancestors(self, tenant_id: int) -> list[int]:
        """Parent first, root last."""
        out, node = [], self.nodes[tenant_id]
        while node.parent_id is not None:
            out.append(node.parent_id)
            node = self.nodes[node.parent_id]
        return out

    def subtree(self, tenant_id: int) -> list[int]:
        out, stack = [], [tenant_id]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(self.children.get(current, ()))
        return out

    def parents(self) -> list[int]:
        return [t for t, kids in self.children.items() if kids]


def load_tree(session: Session, specs: Iterable[IndicatorSpec]) -> Tree:
    nodes = {
        row.id: Node(*row)
        for row in session.execute(
            sa.select(
                Tenant.id,
                Tenant.code,
                Tenant.name_zh,
                Tenant.name_en,
                Tenant.level,
                Tenant.parent_id,
                Tenant.path,
                Tenant.depth,
            )
        )
    }
    children: dict[int, list[int]] = defaultdict(list)
    for node in sorted(nodes.values(), key=lambda n: n.code):
        if node.parent_id is not None:
            children[node.parent_id].append(node.id)
    specs = list(specs)
    own: dict[int, set[str]] = defaultdict(set)
    kinds = session.execute(
        sa.select(Organ.tenant_id, Organ.kind).where(Organ.active).distinct()
    ).all()
    for tenant_id, kind in kinds:
        level = nodes[tenant_id].level
        own[tenant_id].update(s.code for s in specs if s.applies_to(level, organ_family(kind)))
    reports: dict[int, set[str]] = {}
    for node in sorted(nodes.values(), key=lambda n: -n.depth):
        reports[node.id] = set(own.get(node.id, ()))
        for child in children.get(node.id, ()):
            reports[node.id] |= reports[child]
    return Tree(nodes, dict(children), reports)


def own_sums(
    session: Session,
    specs: dict[str, IndicatorSpec],
    under: str | None,
    codes: Iterable[str] | None,
    periods: Iterable[str] | None,
) -> dict[int, dict[tuple[str, str], Parts]]:
    """Each tenant's own organs' parts per (indicator, period): one GROUP BY over the
    current revisions, limited to the tenants whose path starts with ``under``.

    The database picks each indicator's sums by its roll-up rule (those
    ``federation.rollup.parts_of`` takes from one value: Σnumerator and Σdenominator of a
    ratio, Σvalue·weight and Σweight of a weighted mean, Σvalue of a sum) and returns
    only the groups to which some value contributes: three numbers a group."""
    v = IndicatorValue
    ratio = v.numerator.is_not(None) & (v.denominator > 0)
    weighted = v.value.is_not(None) & (v.denominator > 0)
    by_rule = {
        rule: sorted(c for c, spec in specs.items() if spec.rollup == rule)
        for rule in ("sum", "weighted_mean")
    }

    def rule_of(summed, weighted_mean, ratio_of_sums):
        return sa.case(
            (v.indicator_code.in_(by_rule["sum"]), summed),
            (v.indicator_code.in_(by_rule["weighted_mean"]), weighted_mean),
            else_=ratio_of_sums,
        )

    n = rule_of(
        sa.func.count(v.value), sa.func.count().filter(weighted), sa.func.count().filter(ratio)
    )
    num = rule_of(
        sa.func.sum(v.value),
        sa.func.sum(v.value * v.denominator).filter(weighted),
        sa.func.sum(v.numerator).filter(ratio),
    )
    den = rule_of(
        sa.literal(0.0, sa.Float),
        sa.func.sum(v.denominator).filter(weighted),
        sa.func.sum(v.denominator).filter(ratio),
    )
    wanted = set(specs) if codes is None else set(specs) & set(codes)
    stmt = sa.select(v.tenant_id, v.indicator_code, v.period, n, num, den).where(
        v.is_current, v.indicator_code.in_(sorted(wanted))
    )
    if under is not None:
        stmt = stmt.join(Tenant, Tenant.id == v.tenant_id).where(Tenant.path.startswith(under))
    if periods is not None:
        stmt = stmt.where(v.period.in_(sorted(periods)))
    stmt = stmt.group_by(v.tenant_id, v.indicator_code, v.period).having(n > 0)
    out: dict[int, dict[tuple[str, str], Parts]] = defaultdict(dict)
    for tenant_id, code, period, count, total, weight in session.execute(stmt):
        out[tenant_id][(code, period)] = Parts(count, float(total), float(weight or 0.0))
    return out


def fold(tree: Tree, own: dict[int, dict], root: int | None) -> dict[int, dict]:
    """Each tenant's total, deepest first: its children's totals added up in their code
    order, then its own organs' sums (the order the database adds them in too, so that
    both ways give the same floats to the last bit)."""
    ids = tree.subtree(root) if root is not None else list(tree.nodes)
    totals: dict[int, dict] = {}
    for tenant_id in sorted(ids, key=lambda t: -tree.nodes[t].depth):
        acc: dict = {}
        for child in tree.children.get(tenant_id, ()):
            for key, parts in totals[child].items():
                acc[key] = acc.get(key, NOTHING) + parts
        for key, parts in own.get(tenant_id, {}).items():
            acc[key] = acc.get(key, NOTHING) + parts
        totals[tenant_id] = acc
    return totals


def rollup_rows(
    tree: Tree,
    specs: dict[str, IndicatorSpec],
    own: dict[int, dict],
    totals: dict[int, dict],
    parent_id: int,
    keys: Iterable[tuple[str, str]] | None,
    version: int,
    now,
) -> list[dict]:
    """The rows of one parent: every (indicator, period) some child reported."""
    kids = tree.children.get(parent_id, [])
    if keys is None:
        keys = {key for child in kids for key in totals.get(child, {})}
    rows = []
    for code, period in sorted(keys):
        spec = specs.get(code)
        if spec is None:
            continue
        parts, missing, summed = ([], [], [], []), [], NOTHING
        for child in kids:
            got = totals.get(child, {}).get((code, period))
            if got:
                for column, number in zip(parts, (child, got.n, got.num, got.den), strict=True):
                    column.append(number)
                summed = summed + got
            elif code in tree.reports.get(child, ()):
                missing.append(child)
        if not parts[0]:
            continue
        mine = own.get(parent_id, {}).get((code, period), NOTHING)
        rows.append(
            {
                "tenant_id": parent_id,
                "indicator_code": code,
                "period": period,
                "numerator": summed.num,
                "denominator": summed.den if spec.rollup != "sum" else None,
                "value": value_of(spec, summed),
                "n_values": summed.n,
                # the reporting children's ids, counts, Σnumerators, Σdenominators
                "parts": [*parts[:3], parts[3] if spec.rollup != "sum" else None],
                "missing": missing,
                "own_numerator": mine.num if mine else None,
                "own_denominator": mine.den if mine and spec.rollup != "sum" else None,
                "own_value": value_of(spec, mine),
                "dictionary_version": version,
                "computed_at": now,
            }
        )
    return rows


RATING_FIELDS = ("colour", *INPUTS)


def rate_rows(rows: list[dict], specs: dict, tree: Tree, known: dict[tuple, float | None]):
    """Rate roll-up rows in place: peers are the roll-ups of the same indicator and
    period under the same grandparent (``known`` holds those not in ``rows`` and the
    earlier periods the trend rule reads)."""
    values = dict(known)
    for row in rows:
        values[(row["tenant_id"], row["indicator_code"], row["period"])] = row["value"]
    peers: dict[tuple, list] = defaultdict(list)
    for (tenant_id, code, period), value in values.items():
        peers[(tree.nodes[tenant_id].parent_id, code, period)].append(value)
    stats_cache: dict[tuple, tuple] = {}
    for row in rows:
        tenant_id, code, period = row["tenant_id"], row["indicator_code"], row["period"]
        group = (tree.nodes[tenant_id].parent_id, code, period)
        if group not in stats_cache:
            stats_cache[group] = rules.peer_stats(
                peers[group] if group[0] is not None else [row["value"]]
            )
        stats, value = stats_cache[group], row["value"]
        history = [
            values.get((tenant_id, code, p)) for p in previous_periods(period, TREND_PERIODS)
        ]
        result = rules.rate(specs[code], value, history=[*history, value], stats=stats)
        row.update(colour=result.colour, **inputs_of(result, value, stats, history))
    return rows


UPDATED = (
    "numerator",
    "denominator",
    "value",
    "n_values",
    "parts",
    "missing",
    "own_numerator",
    "own_denominator",
    "own_value",
    *RATING_FIELDS,
    "dictionary_version",
    "computed_at",
)


COLUMNS = ("tenant_id", "indicator_code", "period", *UPDATED)
JSON_COLUMNS = frozenset({"parts", "missing"})


def upsert(session: Session, rows: list[dict]) -> None:
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql" and len(rows) >= COPY_MIN_ROWS:
        _copy_upsert(session, rows)
        return
    stmt = dialect_insert(session)(Rollup.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "indicator_code", "period"],
        set_={name: stmt.excluded[name] for name in UPDATED},
    )
    for start in range(0, len(rows), CHUNK):
        session.execute(stmt, rows[start : start + CHUNK])


def _copy_upsert(session: Session, rows: list[dict]) -> None:
    """Large sets on PostgreSQL (a rebuild): COPY into a temporary table, then one
    INSERT ... ON CONFLICT from it, as the rating engine writes its ratings."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    cursor = session.connection().connection.driver_connection.cursor()
    columns = ", ".join(COLUMNS)
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS rollup_load "
        "(LIKE rollups INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    with cursor.copy(f"COPY rollup_load ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([dumps(row[c]) if c in JSON_COLUMNS else row[c] for c in COLUMNS])
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in UPDATED)
    cursor.execute(
        f"INSERT INTO rollups ({columns}) SELECT {columns} FROM rollup_load "
        f"ON CONFLICT (tenant_id, indicator_code, period) DO UPDATE SET {updates}"
    )
    cursor.execute("TRUNCATE rollup_load")


@dataclass
class Outcome:
    parents: int = 0
    rows: int = 0
    rerated: int = 0
    colours: dict = field(default_factory=lambda: defaultdict(int))
    tree: Tree | None = None
    root: int | None = None


def _specs(session: Session) -> tuple[dict[str, IndicatorSpec], int]:
    version = version_named(None, session)
    return {row.code: spec_of(row) for row in version.indicators}, version.version


METHODS = ("python", "sql")


def rebuild(
    session: Session, root_code: str | None = None, *, method: str | None = None
) -> Outcome:
    """Recompute every roll-up (of ``root_code``'s subtree, or of the whole tree), and
    remove those no child contributes to any more.

    ``method``: "python" folds and rates here; "sql" has PostgreSQL do the same in one
    statement (:mod:`federation.in_database`); by default "sql" on PostgreSQL."""
    specs, version = _specs(session)
    tree = load_tree(session, specs.values())
    root = None
    if root_code is not None:
        root = next((n.id for n in tree.nodes.values() if n.code == root_code), None)
        if root is None:
            raise LookupError(root_code)
    if method is None:
        method = "sql" if session.get_bind().dialect.name == "postgresql" else "python"
    if method not in METHODS:
        raise ValueError(f"unknown roll-up method {method!r}")
    if method == "sql":
        try:
            outcome = _rebuild_in_database(session, tree, root, specs, version)
        except in_database.LeftToPython:
            pass  # a period that is neither a month nor a year: the Python below
        else:
            outcome.tree, outcome.root = tree, root
            return outcome
    under = tree.nodes[root].path if root is not None else None
    own = own_sums(session, specs, under, None, None)
    totals = fold(tree, own, root)
    targets = [t for t in (tree.subtree(root) if root else tree.nodes) if tree.children.get(t)]
    now = clock.now()
    rows = [
        row
        for parent in targets
        for row in rollup_rows(tree, specs, own, totals, parent, None, version, now)
    ]
    _remove_absent(session, tree.subtree(root) if root is not None else None, None, None, rows)
    known = _stored_values(session, tree, targets, rows, None, None, whole=root is None)
    rate_rows(rows, specs, tree, known)
    upsert(session, rows)
    outcome = _outcome(rows, len(targets))
    outcome.tree, outcome.root = tree, root
    return outcome


def _rebuild_in_database(session, tree: Tree, root: int | None, specs, version) -> Outcome:
    ids = tree.subtree(root) if root is not None else list(tree.nodes)
    parent = tree.nodes[root].parent_id if root is not None else None
    siblings = [t for t in tree.children.get(parent, []) if t != root] if parent else []
    rows, colours = in_database.rebuild(
        session,
        specs,
        version,
        clock.now(),
        under=tree.nodes[root].path if root is not None else "/",
        depths=tuple(sorted({tree.nodes[t].depth for t in ids})),
        siblings=siblings,
    )
    outcome = Outcome(parents=sum(1 for t in ids if tree.children.get(t)), rows=rows)
    outcome.colours.update(colours)
    return outcome


def refresh_chain(
    session: Session, tenant_id: int, codes: Iterable[str], periods: Iterable[str]
) -> Outcome:
    """After ``tenant_id``'s figures changed: recompute its ancestors' roll-ups of these
    indicators and periods, and re-rate their siblings' (the peer median moved).

    Also recomputed: the tenant's own roll-up when it has children (its ``own_*`` are its
    own organs' figures), and the chain's next ``TREND_PERIODS`` periods (their trend rule
    reads the changed period). A roll-up to which no child contributes any more is
    removed, as a rebuild would not write it."""
    specs, version = _specs(session)
    codes = set(codes)
    periods = {q for p in periods for q in (p, *_following(p, TREND_PERIODS))}
    tree = load_tree(session, specs.values())
    chain = tree.ancestors(tenant_id)
    if tree.children.get(tenant_id):
        chain = [tenant_id, *chain]
    if not chain:
        return Outcome(tree=tree)
    top = chain[-1]
    own = own_sums(session, specs, tree.nodes[top].path, codes, periods)
    totals = fold(tree, own, top)
    keys = {(c, p) for c in codes for p in periods}
    now = clock.now()
    rows = [
        row
        for parent in chain
        for row in rollup_rows(tree, specs, own, totals, parent, keys, version, now)
    ]
    _remove_absent(session, chain, codes, periods, rows)
    known = _stored_values(session, tree, chain, rows, codes, periods)
    rate_rows(rows, specs, tree, known)
    upsert(session, rows)
    rerated = _rerate_siblings(session, tree, specs, chain, rows, known, keys)
    outcome = _outcome(rows, len(chain))
    outcome.rerated, outcome.tree = rerated, tree
    return outcome


def _stored_values(session, tree, targets, rows, codes, periods, whole=False) -> dict:
    """Values of stored roll-ups the rating needs beside ``rows``: the targets' siblings
    for the same indicators and periods, and every target's earlier periods."""
    if whole:
        return {}
    group_ids = set()
    for target in targets:
        parent = tree.nodes[target].parent_id
        group_ids.update(tree.children.get(parent, []) if parent else [target])
    wanted_periods = set()
    for period in periods or {r["period"] for r in rows}:
        wanted_periods.add(period)
        wanted_periods.update(previous_periods(period, TREND_PERIODS))
    stmt = sa.select(Rollup.tenant_id, Rollup.indicator_code, Rollup.period, Rollup.value).where(
        Rollup.tenant_id.in_(group_ids), Rollup.period.in_(sorted(wanted_periods))
    )
    if codes is not None:
        stmt = stmt.where(Rollup.indicator_code.in_(sorted(codes)))
    return {(t, c, p): v for t, c, p, v in session.execute(stmt)}


def _following(period: str, count: int) -> list[str]:
    """The ``count`` periods after ``period`` (a month's months, a year's years)."""
    out = []
    for _ in range(count):
        if len(period) == 4:
            period = str(int(period) + 1)
        else:
            year, month = int(period[:4]), int(period[5:7])
            period = f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"
        out.append(period)
    return out


def _remove_absent(session, tenant_ids, codes, periods, rows) -> int:
    """Delete the stored roll-ups of these tenants (and indicators and periods; all when
    None) that ``rows`` no longer has: nothing below reports them any more."""
    fresh = {(r["tenant_id"], r["indicator_code"], r["period"]) for r in rows}
    stmt = sa.select(Rollup.id, Rollup.tenant_id, Rollup.indicator_code, Rollup.period)
    if tenant_ids is not None:
        stmt = stmt.where(Rollup.tenant_id.in_(sorted(tenant_ids)))
    if codes is not None:
        stmt = stmt.where(Rollup.indicator_code.in_(sorted(codes)))
    if periods is not None:
        stmt = stmt.where(Rollup.period.in_(sorted(periods)))
    stale = [row[0] for row in session.execute(stmt) if tuple(row[1:]) not in fresh]
    for start in range(0, len(stale), CHUNK):
        session.execute(sa.delete(Rollup).where(Rollup.id.in_(stale[start : start + CHUNK])))
    return len(stale)


def _rerate_siblings(session, tree, specs, chain, rows, known, keys) -> int:
    """Siblings of the chain whose peer group changed (``keys``: the indicators and
    periods recomputed): rate again from stored rows."""
    fresh = {(r["tenant_id"], r["indicator_code"], r["period"]) for r in rows}
    siblings = set()
    for target in chain:
        parent = tree.nodes[target].parent_id
        if parent is not None:
            siblings.update(t for t in tree.children.get(parent, []) if t not in chain)
    stale = [
        {"tenant_id": t, "indicator_code": c, "period": p, "value": v}
        for (t, c, p), v in known.items()
        if t in siblings and (c, p) in keys and (t, c, p) not in fresh
    ]
    if not stale:
        return 0
    rated = rate_rows(stale, specs, tree, known | _values(rows))
    table = Rollup.__table__
    stmt = (
        table.update()
        .where(
            table.c.tenant_id == sa.bindparam("b_tenant"),
            table.c.indicator_code == sa.bindparam("b_code"),
            table.c.period == sa.bindparam("b_period"),
        )
        .values({name: sa.bindparam(name) for name in RATING_FIELDS})
    )
    session.execute(
        stmt,
        [
            {
                "b_tenant": r["tenant_id"],
                "b_code": r["indicator_code"],
                "b_period": r["period"],
                **{name: r[name] for name in RATING_FIELDS},
            }
            for r in rated
        ],
    )
    return len(rated)


def _values(rows: list[dict]) -> dict:
    return {(r["tenant_id"], r["indicator_code"], r["period"]): r["value"] for r in rows}


def _outcome(rows: list[dict], parents: int) -> Outcome:
    outcome = Outcome(parents=parents, rows=len(rows))
    for row in rows:
        outcome.colours[row["colour"]] += 1
    return outcome
