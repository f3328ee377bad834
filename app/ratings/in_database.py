"""The rating rules as set-based PostgreSQL, for large scopes.

:mod:`app.ratings.rules` is the definition; this module computes the same verdicts where
the values are, so that rating the whole country costs a few passes over the table
instead of a round trip of every value through Python. What is stored is narrow
(:class:`app.ratings.models.Explained`): the colour and the inputs of the rules, from
which the findings and reasons are rendered when read. For every current value in scope
the statement (:func:`build_statement`) computes:

* the peer statistics of its (parent, organ family, indicator, period) group exactly as
  :func:`rules.peer_stats`: the values sorted into an array, the median the middle one or
  ``(a + b) / 2`` of the two middle ones (not ``percentile_cont``, whose
  ``a + (b − a)·0.5`` differs in the last bit when a and b differ in exponent), the MAD
  the same median of the sorted ``|x − median|`` (:func:`stats_ctes`);
* the trend's history by window functions over the organ's periods of the indicator, a
  gap breaking the run as :func:`periods.previous_periods` does;
* bands, peers, trend and the worst colour with the rules' own float arithmetic
  (:func:`verdict`), and grey for the NaN/missing values and for the siblings that
  submitted nothing for a due period (``engine._add_missing``);
* the writes: new ratings by a plain ``INSERT`` (an upsert costs more per row), the
  existing ones by ``INSERT ... ON CONFLICT DO UPDATE``, returning the keys and colours
  the engine's Report lists.

Periods other than months and years (``previous_periods`` knows no quarters) make the
engine roll the statement back and use the Python method.
``tests/ratings/test_in_database.py`` checks that both methods store identical rows.
:mod:`federation.engine` rates roll-ups with the same :func:`stats_ctes` and
:func:`verdict`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

from app.datamart.periods import MONTH, YEAR, deadline_of, month_of, previous_period
from app.indicators.dictionary import IndicatorSpec
from app.ratings import rules
from app.ratings.models import INPUTS
from tenants.models import ORGAN_KINDS

SPEC_COLUMNS = {
    **{"code": "text", "banded": "bool", "up": "bool", "green": "float8", "red": "float8"},
    **{"trended": "bool", "flag_below": "bool", "flag_above": "bool"},
}


def last_due(now: datetime, grace_days: int) -> tuple[str, str]:
    """The latest month and year whose figures were due by ``now``: a month (year) is due
    iff it is not later than these (``deadline_of(period) <= now``)."""
    month = month_of(now)
    while deadline_of(month, grace_days) > now:
        month = previous_period(month)
    year = str(now.year)
    while deadline_of(year, grace_days) > now:
        year = previous_period(year)
    return month, year


def spec_rows(specs: Iterable[IndicatorSpec]) -> dict[str, list]:
    """What the verdict needs of each indicator, as arrays for ``unnest`` (prefixed
    ``s_``; ``ci`` is the position in code order)."""
    cols: dict[str, list] = {name: [] for name in SPEC_COLUMNS}
    for spec in sorted(specs, key=lambda spec: spec.code):
        row = {
            "code": spec.code,
            "banded": not spec.peer_rated and spec.green is not None and spec.red is not None,
            "up": spec.direction == "up",
            "green": spec.green,
            "red": spec.red,
            "trended": not spec.peer_rated and spec.direction != "neutral",
            "flag_below": spec.direction in ("up", "neutral"),
            "flag_above": spec.direction in ("down", "neutral"),
        }
        for name in SPEC_COLUMNS:
            cols[name].append(row[name])
    return {f"s_{k}": v for k, v in cols.items()}


def spec_params(specs: Iterable[IndicatorSpec]) -> dict:
    """The dictionary as arrays for ``unnest``: the verdict's flags and bounds, which
    indicator each (level, organ family) reports, and the organ kinds' families."""
    specs = list(specs)
    applies: dict[str, list] = {"a_code": [], "a_level": [], "a_family": []}
    families = sorted({family for family, _, _ in ORGAN_KINDS.values()})
    for spec in sorted(specs, key=lambda spec: spec.code):
        for level in spec.levels:
            for family in families:
                if spec.applies_to(level, family):
                    applies["a_code"].append(spec.code)
                    applies["a_level"].append(level)
                    applies["a_family"].append(family)
    kinds = sorted(ORGAN_KINDS)
    return {
        **spec_rows(specs),
        **applies,
        "k_kind": kinds,
        "k_family": [ORGAN_KINDS[k][0] for k in kinds],
        "k_fi": [families.index(ORGAN_KINDS[k][0]) for k in kinds],
    }


def unnest(prefix: str, columns: dict[str, str], ordinal: str | None = None) -> str:
    """A parameter table from arrays (with a 1-based row number named ``ordinal``)."""
    arrays = ", ".join(f"%({prefix}{name})s::{kind}[]" for name, kind in columns.items())
    names = [*columns, ordinal] if ordinal else list(columns)
    extra = " WITH ORDINALITY" if ordinal else ""
    return f"SELECT * FROM unnest({arrays}){extra} AS t({', '.join(names)})"


def period_kind(period: str) -> str:
    """1 for a month ("2025-07"), 2 for a year ("2025"), 3 for anything else (a quarter,
    "2025-Q3": the engine leaves a scope with such periods to Python). Equality tests
    only: comparing texts otherwise goes through the collation, on every row."""
    return (
        f"CASE WHEN length({period}) = 7 AND substr({period}, 6, 1) <> 'Q' THEN 1 "
        f"WHEN length({period}) = 4 THEN 2 ELSE 3 END"
    )


def period_index(period: str) -> str:
    """An integer per period (sorting and grouping on integers is far cheaper than on
    text): consecutive months or years have consecutive indexes, months (12·year + month)
    and years (year − 100000) never within reach of each other; 0 for other periods."""
    return (
        f"CASE WHEN length({period}) = 7 AND substr({period}, 6, 1) <> 'Q' "
        f"THEN left({period}, 4)::int * 12 + right({period}, 2)::int "
        f"WHEN length({period}) = 4 THEN {period}::int - 100000 ELSE 0 END"
    )


def history_window(source: str, series: str) -> str:
    """SQL: the rows of ``source`` (with ``v``, ``pidx`` and ``pkind``) with the trend's
    earlier values h1 (the period before), h2, h3 of the same ``series`` and whether
    those are the three periods just before (``consecutive``)."""
    n = rules.TREND_PERIODS
    return (
        f"SELECT {source}.*, lag(v, 1) OVER w AS h1, lag(v, 2) OVER w AS h2, "
        f"lag(v, 3) OVER w AS h3, coalesce(pidx - lag(pidx, {n}) OVER w = {n}, false) "
        f"AS consecutive FROM {source} WINDOW w AS (PARTITION BY {series}, pkind ORDER BY pidx)"
    )


def stats_ctes(name: str, source: str, keys: str, extra: dict[str, str] | None = None) -> str:
    """The CTE ``name`` (and two before it): per group (``keys``) of ``source``'s rows,
    the peer statistics of their values ``v`` as :func:`rules.peer_stats` computes them
    — ``n``, ``median`` and ``mad`` — the group's ``period`` and the ``extra``
    aggregates (name → SQL)."""
    extra = extra or {}
    aggregates = "".join(f", {sql} AS {column}" for column, sql in extra.items())
    return f"""{name}_sorted AS (
    SELECT {keys}, (array_agg(period))[1] AS period,
           array_agg(v ORDER BY v) FILTER (WHERE v IS NOT NULL) AS arr{aggregates}
    FROM {source} GROUP BY {keys}
),
{name}_centred AS (
    SELECT s.*, coalesce(cardinality(arr), 0) AS n,
           CASE WHEN cardinality(arr) %% 2 = 1 THEN arr[(cardinality(arr) + 1) / 2]
                ELSE (arr[cardinality(arr) / 2] + arr[cardinality(arr) / 2 + 1]) / 2
           END AS median
    FROM {name}_sorted s
),
{name} AS MATERIALIZED (
    SELECT {keys}, period, n, median{"".join(f", {column}" for column in extra)},
           (SELECT CASE WHEN n %% 2 = 1 THEN d[(n + 1) / 2] ELSE (d[n / 2] + d[n / 2 + 1]) / 2
                   END
            FROM (SELECT array_agg(abs(x - median) ORDER BY abs(x - median)) AS d
                  FROM unnest(arr) AS x) AS deviations) AS mad
    FROM {name}_centred OFFSET 0
)"""


def verdict(rows: str, carried: str, spec: str = "s") -> str:
    """SQL: the ``carried`` columns of ``rows`` (which has the value ``v``, the group's
    ``n``, ``median`` and ``mad``, the history ``h1``–``h3`` and ``consecutive``, and the
    spec's columns as ``<spec>.``), its ``colour`` by the rules (grey without a value)
    and the inputs a rating stores (:func:`app.ratings.models.inputs_of`)."""
    eps = f"{rules._EPS!r}::float8"
    z = f"{rules.Z_FACTOR!r}::float8 * abs(v - median) / mad + {eps}"
    bands = (
        "CASE WHEN NOT s.banded OR v IS NULL THEN 0 "
        "WHEN s.up THEN CASE WHEN v >= s.green THEN 0 WHEN v < s.red THEN 2 ELSE 1 END "
        "ELSE CASE WHEN v <= s.green THEN 0 WHEN v > s.red THEN 2 ELSE 1 END END"
    )
    peers = (
        f"CASE WHEN v IS NOT NULL AND n >= {rules.MIN_PEERS} AND mad <> 0 "
        "AND median IS NOT NULL AND ((v < median AND s.flag_below) "
        "OR (v > median AND s.flag_above)) "
        f"THEN CASE WHEN {z} >= {rules.RED_Z!r}::float8 THEN 2 "
        f"WHEN {z} >= {rules.YELLOW_Z!r}::float8 THEN 1 ELSE 0 END ELSE 0 END"
    )
    trending = (
        "coalesce(s.trended AND v IS NOT NULL AND h1 IS NOT NULL AND h2 IS NOT NULL "
        "AND h3 IS NOT NULL AND consecutive, false)"
    )
    worse = (
        "CASE WHEN (s.up AND v < h1 AND h1 < h2 AND h2 < h3) "
        "OR (NOT s.up AND v > h1 AND h1 > h2 AND h2 > h3) THEN 1 ELSE 0 END"
    )
    bands, peers, trending, worse = (
        sql.replace("s.", f"{spec}.") for sql in (bands, peers, trending, worse)
    )
    kept = {
        "median": "CASE WHEN x.v IS NOT NULL THEN x.median END",
        "mad": "CASE WHEN x.v IS NOT NULL THEN x.mad END",
        "peers": "CASE WHEN x.v IS NOT NULL THEN x.n END",
        "history_3": "CASE WHEN x.trending THEN x.h3 END",
        "history_2": "CASE WHEN x.trending THEN x.h2 END",
        "history_1": "CASE WHEN x.trending THEN x.h1 END",
    }
    assert tuple(kept) == INPUTS
    # each rule's colour computed once, below (OFFSET 0 keeps the planner from
    # repeating the expressions wherever the outer query uses them)
    return (
        f"SELECT {carried}, CASE WHEN x.v IS NULL THEN 'grey' "
        "ELSE (ARRAY['green', 'yellow', 'red'])[greatest(x.bc, x.pc, "
        f"CASE WHEN x.trending THEN x.worse ELSE 0 END) + 1] END AS colour, "
        f"{', '.join(f'{sql} AS {name}' for name, sql in kept.items())} "
        f"FROM (SELECT x.*, {bands} AS bc, {peers} AS pc, {trending} AS trending, "
        f"{worse} AS worse FROM {rows} OFFSET 0) x"
    )


@lru_cache(maxsize=16)
def build_statement(
    *, tenants: bool, codes: bool, history: bool, periods: bool, split: bool = True
) -> str:
    """The statement; the flags say which scope filters take part. ``split``: new
    ratings by a plain INSERT and the existing ones by an upsert (a unique violation —
    another transaction rating the same value meanwhile — means: run again without
    ``split``); else all by upsert."""
    value_filters = "".join(
        [
            " AND iv.tenant_id = ANY(%(tenant_ids)s)" if tenants else "",
            " AND iv.indicator_code = ANY(%(codes)s)" if codes else "",
            " AND iv.period = ANY(%(history)s)" if history else "",
        ]
    )
    organ_filter = " AND o.tenant_id = ANY(%(tenant_ids)s)" if tenants else ""
    in_scope = "WHERE h.period = ANY(%(periods)s)" if periods else ""
    if split:
        writes = [("fresh", "NOT known", False), ("renewed", "known", True)]

        def known_join(alias: str, code: str) -> str:
            r = f"r_{alias}"
            return (
                f" LEFT JOIN ratings {r} ON {r}.tenant_id = {alias}.tenant_id"
                f" AND {r}.organ_id = {alias}.organ_id AND {r}.indicator_code = {code}"
                f" AND {r}.period = {alias}.period"
            )

        def known(alias: str) -> str:
            return f"r_{alias}.id IS NOT NULL AS known"
    else:
        writes = [("written", "true", True)]

        def known_join(alias: str, code: str) -> str:
            return ""

        def known(alias: str) -> str:
            return "NULL::bool AS known"

    carried = "x.tenant_id, x.ci, x.organ_id, x.code, x.period, x.pidx, x.pkind, x.revision, x.raw"
    rated = (  # with the spec's columns (carried from src: no join on a guessed size)
        "(SELECT c.*, g.n, g.median, g.mad FROM cur c JOIN grp g ON g.gp = c.gp "
        "AND g.fi = c.fi AND g.ci = c.ci AND g.pidx = c.pidx) x"
    )
    written = ",\n".join(_write(name, where, upsert) for name, where, upsert in writes)
    return f"""
WITH spec AS ({unnest("s_", SPEC_COLUMNS, "ci")}),
applies AS ({unnest("a_", {"code": "text", "level": "text", "family": "text"})}),
kinds AS ({unnest("k_", {"kind": "text", "family": "text", "fi": "int"})}),
-- integers stand for the texts that are sorted on: ci the indicator, fi the organ
-- family, pidx the period (gp: the parent, 0 for none)
src AS (
    SELECT iv.tenant_id, coalesce(t.parent_id, 0) AS gp, iv.organ_id, k.fi, s.ci,
           s.banded, s.up, s.green, s.red, s.trended, s.flag_below, s.flag_above,
           iv.indicator_code AS code, iv.period, iv.revision,
           iv.value AS raw, CASE WHEN iv.value = 'NaN' THEN NULL ELSE iv.value END AS v,
           {period_kind("iv.period")} AS pkind, {period_index("iv.period")} AS pidx,
           o.active AND a.code IS NOT NULL AS due  -- an organ whose silence is missed
    FROM indicator_values iv
    JOIN organs o ON o.id = iv.organ_id
    JOIN tenants t ON t.id = iv.tenant_id
    JOIN kinds k ON k.kind = o.kind
    JOIN spec s ON s.code = iv.indicator_code
    LEFT JOIN applies a ON a.code = iv.indicator_code AND a.level = t.level
                       AND a.family = k.family
    WHERE iv.is_current{value_filters}
),
-- the trend's history: the organ's earlier values of the indicator (same kind of period)
cur AS MATERIALIZED (SELECT * FROM ({history_window("src", "organ_id, ci")}) h {in_scope}),
-- the peer groups' statistics (same parent, organ family, indicator and period)
{stats_ctes("grp", "cur", "gp, fi, ci, pidx, pkind", {"due": "count(*) FILTER (WHERE due)"})},
-- how many organs of each group should report (active, the indicator applies to them)
due AS (
    SELECT coalesce(t.parent_id, 0) AS gp, k.fi, s.ci, count(*) AS n
    FROM organs o
    JOIN tenants t ON t.id = o.tenant_id
    JOIN kinds k ON k.kind = o.kind
    JOIN applies a ON a.level = t.level AND a.family = k.family
    JOIN spec s ON s.code = a.code
    WHERE o.active{organ_filter}
    GROUP BY 1, 2, 3
),
base AS MATERIALIZED (
    SELECT j.*, {known("j")}
    FROM ({verdict(rated, carried, spec="x")}) j{known_join("j", "j.code")}
),
-- the siblings that submitted nothing for a due period (rules: a missing submission)
missing AS MATERIALIZED (
    SELECT m.*, {known("m")}
    FROM (SELECT o.tenant_id, o.id AS organ_id, s.code, g.period
          FROM grp g
          JOIN due d ON d.gp = g.gp AND d.fi = g.fi AND d.ci = g.ci AND g.due < d.n
          JOIN spec s ON s.ci = g.ci
          JOIN kinds k ON k.fi = g.fi
          JOIN organs o ON o.kind = k.kind AND o.active{organ_filter}
          JOIN tenants t ON t.id = o.tenant_id AND coalesce(t.parent_id, 0) = g.gp
          JOIN applies a ON a.code = s.code AND a.level = t.level AND a.family = k.family
          WHERE CASE g.pkind WHEN 1 THEN g.period <= %(due_month)s
                             WHEN 2 THEN g.period <= %(due_year)s END
            AND NOT EXISTS (SELECT 1 FROM base c WHERE c.organ_id = o.id AND c.ci = g.ci
                            AND c.pidx = g.pidx)) m{known_join("m", "m.code")}
),
{written}
{" UNION ALL ".join(f"SELECT * FROM {name}" for name, _, _ in writes)}
UNION ALL  -- a period the statement cannot compute the trend of: handed back
SELECT tenant_id, organ_id, code, period, NULL FROM base WHERE pkind = 3
"""


COLUMNS = ("revision", "value", "colour", *INPUTS, "dictionary_version", "computed_at")


def _write(name: str, where: str, upsert: bool) -> str:
    """The CTE ``name`` writing the rated values and the grey missing submissions that
    satisfy ``where`` into ratings: a plain INSERT, or an upsert."""
    conflict = (
        "ON CONFLICT (tenant_id, organ_id, indicator_code, period) DO UPDATE SET "
        + ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS)
        if upsert
        else ""
    )
    nulls = ", ".join("NULL" for _ in INPUTS)
    return f"""{name} AS (
    INSERT INTO ratings (tenant_id, organ_id, indicator_code, period, {", ".join(COLUMNS)})
    SELECT tenant_id, organ_id, code, period, revision, raw, colour, {", ".join(INPUTS)},
           %(version)s, %(now)s
    FROM base WHERE pkind < 3 AND {where}
    UNION ALL
    SELECT tenant_id, organ_id, code, period, NULL, NULL, 'grey', {nulls}, %(version)s, %(now)s
    FROM missing WHERE {where}
    {conflict}
    RETURNING tenant_id, organ_id, indicator_code, period, colour
)"""


def known_period(period: str) -> bool:
    """A month or a year: the periods the statement computes the trend of."""
    return bool(MONTH.match(period) or YEAR.match(period))
