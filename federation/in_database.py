"""A full rebuild of the roll-ups as one PostgreSQL statement (``engine.rebuild`` on
PostgreSQL; the Python in :mod:`federation.engine` is the definition, and the incremental
update after an import stays there).

Round-tripping 300,000 values and their 300,000 parts through Python cost ten times the
GROUP BY that computes the same sums; here the database does, in one statement:

* each tenant's own organs' sums per indicator and period by the indicator's roll-up
  rule (``rollup.parts_of``);
* the fold up the tree, deepest level first, exactly as ``engine.fold`` adds: a tenant's
  total is its children's totals added in their code order (``sum(... ORDER BY rank)``,
  the same floats to the last bit), then its own sums; each parent's roll-up is its
  children's part of that: the sums, the parts (the children's ids, counts,
  Σnumerators and Σdenominators), the missing children (those whose subtree has an
  active organ the indicator applies to, and no part), its own organs' sums apart, and
  the value by the dictionary's formula (``rollup.value_of``, the same float
  operations);
* the rating of every roll-up with the rating statement's peer statistics and verdict
  (``app.ratings.in_database``): peers are the roll-ups of the parent's siblings (the
  stored ones of the subtree root's siblings too), the trend its own earlier periods;
* the writes: roll-ups nothing reports to any more are deleted, new ones inserted, the
  stored ones updated — unless nothing in them would change: those are left as they
  are, not rewritten.

``tests/federation/test_in_database.py`` checks that it stores what the Python stores,
to the last bit, and ``tests/federation/test_rollup_property.py`` checks it against the
raw values and against the Python ``refresh_chain`` on random trees.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from psycopg.errors import UniqueViolation
from sqlalchemy.orm import Session

from app.indicators.dictionary import IndicatorSpec
from app.ratings.engine import STATEMENT_SETTINGS, statement_settings
from app.ratings.in_database import (
    SPEC_COLUMNS,
    history_window,
    period_index,
    period_kind,
    spec_params,
    stats_ctes,
    unnest,
    verdict,
)
from app.ratings.models import INPUTS

ROLLUP_COLUMNS = {"rollup": "text", "kind": "text", "scale": "float8"}
WRITTEN = (
    "numerator",
    "denominator",
    "value",
    "n_values",
    "parts",
    "missing",
    "own_numerator",
    "own_denominator",
    "own_value",
    "colour",
    *INPUTS,
    "dictionary_version",
)
JSON = ("parts", "missing")


class LeftToPython(Exception):
    """A period the statement cannot compute a trend for (neither a month nor a year)."""


def rebuild(
    session: Session,
    specs: dict[str, IndicatorSpec],
    version: int,
    now,
    *,
    under: str,
    depths: tuple[int, ...],
    siblings: list[int],
) -> tuple[int, Counter]:
    """Recompute and store every roll-up of the tenants whose path starts with ``under``
    (``depths``: the depths of those tenants; ``siblings``: the subtree root's
    siblings, whose stored roll-ups are its peers). Returns (roll-ups, their colours);
    raises :class:`LeftToPython` (nothing written) for a period it does not know."""
    params = {
        **spec_params(specs.values()),
        **_rollup_rules(specs.values()),
        "under": under,
        "siblings": siblings,
        "version": version,
        "now": now,
    }
    stored = _any_stored(session, under)
    try:
        rows = _run(session, build_statement(min(depths), max(depths), stored=stored), params)
    except UniqueViolation:
        # Another transaction stored one of these roll-ups since ours began: upsert all.
        rows = _run(session, build_statement(min(depths), max(depths), split=False), params)
    colours = Counter({colour: n for colour, n, _ in rows})
    return sum(colours.values()), colours


def _run(session: Session, sql: str, params: dict) -> list:
    """The statement in a savepoint, rolled back if it fails or meets an unknown period."""
    with session.begin_nested():
        cursor = session.connection().connection.driver_connection.cursor()
        with statement_settings(cursor, STATEMENT_SETTINGS):
            rows = cursor.execute(sql, params).fetchall()
        if any(unknown for _, _, unknown in rows):
            raise LeftToPython()
    return rows


def _any_stored(session: Session, under: str) -> bool:
    """Whether any roll-up of the tenants whose path starts with ``under`` is stored:
    without one, the statement only inserts (nothing to compare, update or delete)."""
    cursor = session.connection().connection.driver_connection.cursor()
    row = cursor.execute(
        "SELECT EXISTS (SELECT FROM rollups r JOIN tenants t ON t.id = r.tenant_id "
        "WHERE starts_with(t.path, %(under)s))",
        {"under": under},
    ).fetchone()
    return bool(row[0])


def _rollup_rules(specs) -> dict:
    """Each indicator's roll-up rule, value kind and scale, in code order."""
    ordered = sorted(specs, key=lambda spec: spec.code)
    return {
        "s_rollup": [s.rollup for s in ordered],
        "s_kind": [s.value_kind for s in ordered],
        "s_scale": [float(s.scale) for s in ordered],
    }


def value_of(num: str, den: str) -> str:
    """SQL for ``rollup.value_of`` of sums that something contributed to (``s.``: the
    spec): a count's Σ, an index's Σvalue·weight / Σweight, else the kind's formula."""
    return (
        f"CASE s.rollup WHEN 'sum' THEN {num} "
        f"WHEN 'weighted_mean' THEN CASE WHEN {den} <> 0 THEN {num} / {den} END "
        f"ELSE CASE WHEN s.kind IN ('count', 'index') THEN {num} "
        f"WHEN {den} IS NULL OR {den} = 0 THEN NULL "
        f"WHEN s.kind = 'rate' THEN {num} / {den} * s.scale "
        f"WHEN s.kind = 'change' THEN ({num} / {den} - 1) * s.scale "
        f"ELSE {num} / {den} END END"
    )


def period_text(pidx: str, pkind: str) -> str:
    """SQL: the period an index stands for (``period_index`` backwards): "2025-07", "2025"."""
    return (
        f"CASE {pkind} WHEN 1 THEN ((({pidx}) - 1) / 12)::text || '-' || "
        f"lpad(((({pidx}) - 1) %% 12 + 1)::text, 2, '0') "
        f"WHEN 2 THEN (({pidx}) + 100000)::text END"
    )


# Keys are integers throughout (the indicator's position ci, the period's index pidx, the
# children's code order rank): sorting and grouping 300,000 rows on texts costs several
# times more. Each row carries its tenant's parent and rank, so that no level joins the
# tenants again.
KEY = ("tenant_id", "ci", "pidx", "pkind")
LEVEL_COLUMNS = {
    **{"tenant_id": "int", "ci": "bigint", "pidx": "int", "pkind": "int"},
    **{"parent_id": "int", "rank": "bigint"},
    **{"kids_n": "bigint", "kids_num": "float8", "kids_den": "float8", "reporting": "int[]"},
    **{"ns": "bigint[]", "nums": "float8[]", "dens": "float8[]"},
    **{"own_n": "bigint", "own_num": "float8", "own_den": "float8"},
}


def _kids(level: int) -> str:
    """The children's part of the parents at ``level``: their totals (one level down)
    added in the children's code order — the input sorted by it and no join above, so
    that the aggregates see the rows in that order (and a statement that writes is never
    run in parallel) — and kept as the parts: the children's ids, counts, Σnumerators
    and Σdenominators."""
    return f"""kids_{level} AS (
    SELECT k.*, p.parent_id, p.rank FROM (
        SELECT tenant_id, ci, pidx, pkind, sum(n)::bigint AS n, sum(num) AS num,
               sum(den) AS den, array_agg(id) AS reporting, array_agg(n) AS ns,
               array_agg(num) AS nums, array_agg(den) AS dens
        FROM (SELECT parent_id AS tenant_id, ci, pidx, pkind, tenant_id AS id, n, num, den
              FROM tot_{level + 1} ORDER BY parent_id, ci, pidx, pkind, rank) sorted
        GROUP BY tenant_id, ci, pidx, pkind
    ) k JOIN nodes p ON p.id = k.tenant_id
)"""


def _level(level: int) -> str:
    """The tenants at ``level`` that children report to: their children's part and
    their own organs' sums (a tenant's own sums without a child's part are no roll-up,
    and go up the tree as they are: :func:`_totals`)."""
    on = " AND ".join(f"o.{c} = k.{c}" for c in KEY)
    return f"""level_{level} AS MATERIALIZED (
    SELECT {", ".join(f"k.{c}" for c in (*KEY, "parent_id", "rank"))},
           k.n AS kids_n, k.num AS kids_num, k.den AS kids_den, k.reporting, k.ns, k.nums,
           k.dens, o.n AS own_n, o.num AS own_num, o.den AS own_den
    FROM kids_{level} k LEFT JOIN (SELECT * FROM own WHERE depth = {level}) o ON {on}
)"""


def _totals(level: int) -> str:
    """The totals of the tenants at ``level``: their children's, then their own (as
    ``engine.fold`` adds them); or their own alone, where no child reports (most rows:
    the leaves' — not widened to a roll-up's row, nor materialized again)."""
    added = {
        column: f"CASE WHEN own_n IS NULL THEN kids_{column} ELSE kids_{column} + own_{column} END"
        for column in ("n", "num", "den")
    }
    on = " AND ".join(f"l.{c} = o.{c}" for c in KEY)
    return f"""tot_{level} AS (
    SELECT {", ".join(KEY)}, parent_id, rank,
           {", ".join(f"{sql} AS {column}" for column, sql in added.items())}
    FROM level_{level}
    UNION ALL
    SELECT {", ".join(f"o.{c}" for c in KEY)}, o.parent_id, o.rank, o.n, o.num, o.den
    FROM own o WHERE o.depth = {level} AND NOT EXISTS (SELECT FROM level_{level} l WHERE {on})
)"""


def _fold(top: int, bottom: int) -> tuple[str, str]:
    """The CTEs folding the subtree up, deepest level first, and the query of the
    parents' rows (their children's part and their own sums)."""
    ctes = [
        f"tot_{bottom} AS (SELECT {', '.join(KEY)}, parent_id, rank, n, num, den "
        f"FROM own WHERE depth = {bottom})"
    ]
    for level in range(bottom - 1, top - 1, -1):
        ctes += [_kids(level), _level(level)]
        if level > top:
            ctes.append(_totals(level))
    parents = " UNION ALL ".join(f"SELECT * FROM level_{level}" for level in range(top, bottom))
    if top == bottom:  # a lone tenant: nothing rolls up
        parents = "SELECT " + ", ".join(f"NULL::{t} AS {c}" for c, t in LEVEL_COLUMNS.items())
        parents += " WHERE false"
    return ",\n".join(ctes), parents


@lru_cache(maxsize=16)
def build_statement(top: int, bottom: int, split: bool = True, stored: bool = True) -> str:
    """The statement for a subtree whose tenants are ``top`` to ``bottom`` deep
    (``split``: see :func:`_writes`; ``stored`` false: the subtree holds no stored
    roll-up, so none is looked up, removed or updated — only inserted, and if another
    transaction stored one meanwhile, the insert fails and ``rebuild`` upserts)."""
    folded, parents = _fold(top, bottom)
    writes = _writes(split, stored)
    # grouped (and so sorted) as the level above adds them up: the leaves' totals, most
    # of the rows, go up as they are (:func:`_totals`), and its sort finds them in order
    keys = ", ".join(("parent_id", "ci", "pidx", "pkind", "rank", "tenant_id", "depth"))
    carried = (
        "x.tenant_id, x.code, x.period, x.pkind, x.value, x.n_values, x.num, x.den, "
        "x.parts, x.missing, x.own_num, x.own_den, x.own_value"
    )
    peered = (
        "(SELECT c.*, g.n, g.median, g.mad FROM cur c JOIN grp g ON g.gp = c.gp "
        "AND g.ci = c.ci AND g.pidx = c.pidx AND g.pkind = c.pkind) x JOIN spec s ON s.ci = x.ci"
    )
    rated = f"SELECT v.*, false AS known FROM ({verdict(peered, carried)}) v"
    removed = ""
    if stored:
        rated = f"""
    SELECT v.*, o.id IS NOT NULL AS known
    FROM ({verdict(peered, carried)}) v
    LEFT JOIN rollups o ON o.tenant_id = v.tenant_id AND o.indicator_code = v.code
                       AND o.period = v.period
"""
        removed = """removed AS (
    DELETE FROM rollups r USING nodes n
    WHERE r.tenant_id = n.id AND NOT EXISTS (
        SELECT 1 FROM rated x
        WHERE x.tenant_id = r.tenant_id AND x.code = r.indicator_code AND x.period = r.period)
),
"""
    return f"""
WITH spec AS ({unnest("s_", {**SPEC_COLUMNS, **ROLLUP_COLUMNS}, "ci")}),
applies AS ({unnest("a_", {"code": "text", "level": "text", "family": "text"})}),
kinds AS ({unnest("k_", {"kind": "text", "family": "text", "fi": "int"})}),
nodes AS MATERIALIZED (
    SELECT id, parent_id, depth, level, path, row_number() OVER (ORDER BY code) AS rank
    FROM tenants WHERE starts_with(path, %(under)s)
),
-- what each current value adds to its tenant's sums (federation.rollup.parts_of)
contrib AS (
    SELECT iv.tenant_id, s.ci, {period_index("iv.period")} AS pidx,
           {period_kind("iv.period")} AS pkind, n.depth, n.parent_id, n.rank,
           CASE s.rollup WHEN 'sum' THEN iv.value IS NOT NULL
                WHEN 'weighted_mean' THEN iv.value IS NOT NULL AND iv.denominator > 0
                ELSE iv.numerator IS NOT NULL AND iv.denominator > 0 END AS counted,
           CASE s.rollup WHEN 'sum' THEN iv.value
                WHEN 'weighted_mean' THEN iv.value * iv.denominator
                ELSE iv.numerator END AS num,
           CASE s.rollup WHEN 'sum' THEN 0.0::float8 ELSE iv.denominator END AS den
    FROM indicator_values iv
    JOIN nodes n ON n.id = iv.tenant_id
    JOIN spec s ON s.code = iv.indicator_code
    WHERE iv.is_current
),
own AS MATERIALIZED (
    SELECT {keys}, count(*) AS n, sum(num) AS num, sum(den) AS den
    FROM contrib WHERE counted GROUP BY {keys}
),
{folded},
-- which indicators some active organ of each tenant's subtree reports (engine.load_tree)
closure AS MATERIALIZED (
    SELECT d.id AS tenant_id, a.id AS ancestor
    FROM nodes d JOIN nodes a ON starts_with(d.path, a.path)
),
reports AS (
    SELECT DISTINCT c.ancestor AS tenant_id, s.ci
    FROM organs o
    JOIN nodes d ON d.id = o.tenant_id
    JOIN closure c ON c.tenant_id = d.id
    JOIN kinds k ON k.kind = o.kind
    JOIN applies ap ON ap.level = d.level AND ap.family = k.family
    JOIN spec s ON s.code = ap.code
    WHERE o.active
),
expected AS (
    SELECT c.parent_id AS tenant_id, r.ci, array_agg(c.id ORDER BY c.rank) AS children
    FROM reports r JOIN nodes c ON c.id = r.tenant_id
    WHERE c.parent_id IS NOT NULL
    GROUP BY c.parent_id, r.ci
),
rolled AS MATERIALIZED (
    SELECT r.*, CASE WHEN value = 'NaN' THEN NULL ELSE value END AS v FROM (
    SELECT k.tenant_id, coalesce(k.parent_id, -k.tenant_id) AS gp, k.ci, s.code,
           {period_text("k.pidx", "k.pkind")} AS period, k.pidx, k.pkind,
           k.kids_n AS n_values, k.kids_num AS num,
           CASE WHEN s.rollup <> 'sum' THEN k.kids_den END AS den,
           json_build_array(k.reporting, k.ns, k.nums,
                            CASE WHEN s.rollup <> 'sum' THEN k.dens END) AS parts,
           {value_of("k.kids_num", "k.kids_den")} AS value,
           CASE WHEN e.children IS NULL OR e.children <@ k.reporting THEN '[]'::json
                ELSE (SELECT json_agg(c ORDER BY i) FROM unnest(e.children)
                      WITH ORDINALITY AS u(c, i) WHERE c <> ALL(k.reporting)) END AS missing,
           k.own_num, CASE WHEN s.rollup <> 'sum' THEN k.own_den END AS own_den,
           CASE WHEN k.own_n > 0 THEN {value_of("k.own_num", "k.own_den")} END AS own_value
    FROM ({parents}) k
    JOIN spec s ON s.ci = k.ci
    LEFT JOIN expected e ON e.tenant_id = k.tenant_id AND e.ci = k.ci OFFSET 0) r
),
-- the peers: roll-ups of the parent's siblings (stored ones beside the subtree's root)
peering AS (
    SELECT gp, ci, period, pidx, pkind, v FROM rolled
    UNION ALL
    SELECT t.parent_id, s.ci, r.period, {period_index("r.period")},
           {period_kind("r.period")}, CASE WHEN r.value = 'NaN' THEN NULL ELSE r.value END
    FROM rollups r JOIN tenants t ON t.id = r.tenant_id
    JOIN spec s ON s.code = r.indicator_code
    WHERE r.tenant_id = ANY(%(siblings)s)
),
{stats_ctes("grp", "peering", "gp, ci, pidx, pkind")},
cur AS ({history_window("rolled", "tenant_id, ci")}),
rated AS MATERIALIZED ({rated}),
{removed}{writes}
SELECT colour, count(*), bool_or(pkind = 3) FROM rated GROUP BY colour
"""


def _writes(split: bool, stored: bool = True) -> str:
    """The CTEs writing the rated rows: new ones by a plain INSERT (an upsert costs a
    third more per row) and stored ones by an upsert that leaves a row alone when
    nothing in it would change; or (``split`` false) all by that upsert; or (``stored``
    false: none is stored) all by the plain INSERT."""
    columns = ", ".join(("tenant_id", "indicator_code", "period", *WRITTEN, "computed_at"))
    # JSON as text first: the same text is the same JSON, and parsing both sides to jsonb
    # (a third of the upsert) is left to the rows whose texts differ (written by Python)
    unchanged = " AND ".join(
        f"(r.{c}::text IS NOT DISTINCT FROM EXCLUDED.{c}::text "
        f"OR r.{c}::jsonb IS NOT DISTINCT FROM EXCLUDED.{c}::jsonb)"
        if c in JSON
        else f"r.{c} IS NOT DISTINCT FROM EXCLUDED.{c}"
        for c in WRITTEN
    )
    upsert = (
        "ON CONFLICT (tenant_id, indicator_code, period) DO UPDATE SET "
        + ", ".join(f"{c} = EXCLUDED.{c}" for c in (*WRITTEN, "computed_at"))
        + f" WHERE NOT ({unchanged})"
    )
    writes = [("fresh", "NOT known", ""), ("renewed", "known", upsert)]
    if not split:
        writes = [("written", "true", upsert)]
    elif not stored:
        writes = [("fresh", "true", "")]
    return ",\n".join(
        f"""{name} AS (
    INSERT INTO rollups AS r ({columns})
    SELECT tenant_id, code, period, num, den, value, n_values, parts, missing, own_num,
           own_den, own_value, colour, {", ".join(INPUTS)}, %(version)s, %(now)s
    FROM rated x WHERE pkind < 3 AND {where}
    {conflict}
)"""
        for name, where, conflict in writes
    )
