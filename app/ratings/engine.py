"""Rating set-wise: load the values a change touches in a few queries, rate them group
by group (peers = the same indicator, period and organ family under the same parent),
and write ratings and judgements back in bulk upserts.

One import changes one organ's figures, but the peer rule rates every sibling against
the median of all of them, so the siblings' ratings of the touched indicators and
periods are recomputed too — and nothing else in the country.

A large scope on PostgreSQL (a full rebuild, the demo) is rated by the database itself:
:mod:`app.ratings.in_database` computes the same rows in one statement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from psycopg.errors import UniqueViolation
from sqlalchemy.orm import Session

from app import clock
from app.datamart.models import IndicatorValue
from app.datamart.periods import deadline_of, previous_periods
from app.db import dialect_insert
from app.indicators.dictionary import IndicatorSpec
from app.indicators.service import spec_of, version_named
from app.ratings import in_database, rules
from app.ratings.models import INPUTS, Judgement, Rating, TenantSettings, inputs_of
from tenants.models import Organ, Tenant, organ_family

TREND_PERIODS = 3
GRACE_DAYS = 15  # as SUBMISSION_GRACE_DAYS: figures are due 15 days after their period
CHUNK = 5000
SQL_MIN_VALUES = 20_000  # from this many values in scope, PostgreSQL rates them itself
METHODS = ("python", "sql")


@dataclass(frozen=True)
class Scope:
    """What to rate: these tenants (a set of siblings, or everyone), optionally only some
    indicators and periods."""

    tenant_ids: frozenset[int] | None = None
    codes: frozenset[str] | None = None
    periods: frozenset[str] | None = None


@dataclass
class Report:
    rated: int = 0
    colours: dict = field(default_factory=lambda: defaultdict(int))
    keys: list = field(default_factory=list)  # (tenant_id, organ_id, code, period, colour)


def _history_periods(periods: Iterable[str]) -> set[str]:
    wanted = set()
    for period in periods:
        wanted.add(period)
        wanted.update(previous_periods(period, TREND_PERIODS))
    return wanted


def _load(session: Session, scope: Scope) -> list[tuple]:
    """(tenant, parent, organ, family, code, period, revision, value) of the current
    values in scope, plus the earlier periods the trend rule needs."""
    stmt = (
        sa.select(
            IndicatorValue.tenant_id,
            Tenant.parent_id,
            IndicatorValue.organ_id,
            Organ.kind,
            IndicatorValue.indicator_code,
            IndicatorValue.period,
            IndicatorValue.revision,
            IndicatorValue.value,
        )
        .join(Organ, Organ.id == IndicatorValue.organ_id)
        .join(Tenant, Tenant.id == IndicatorValue.tenant_id)
        .where(IndicatorValue.is_current)
    )
    if scope.tenant_ids is not None:
        stmt = stmt.where(IndicatorValue.tenant_id.in_(scope.tenant_ids))
    if scope.codes is not None:
        stmt = stmt.where(IndicatorValue.indicator_code.in_(scope.codes))
    if scope.periods is not None:
        stmt = stmt.where(IndicatorValue.period.in_(_history_periods(scope.periods)))
    return session.execute(stmt).all()


def rate(session: Session, scope: Scope, *, method: str | None = None) -> Report:
    """Rate every current value in scope; call in system scope (peers span tenants).

    ``method``: "python" loads the values and rates them with :mod:`rules`; "sql" has
    PostgreSQL compute the same rows in one statement (:mod:`in_database`); by default
    "sql" on PostgreSQL from ``SQL_MIN_VALUES`` values in scope, else "python".
    """
    if method is None:
        method = _method(session, scope)
    if method not in METHODS:
        raise ValueError(f"unknown rating method {method!r}")
    version = version_named(None, session)
    specs = {row.code: spec_of(row) for row in version.indicators}
    if method == "sql":
        report = _rate_in_database(session, scope, specs, version.version)
        if report is not None:
            return report
        # a period that is neither a month nor a year: left to the rules in Python
    rows = _load(session, scope)
    by_key = {(r[2], r[4], r[5]): r[7] for r in rows}  # (organ, code, period) -> value
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for r in rows:
        if scope.periods is None or r[5] in scope.periods:
            groups[(r[1], organ_family(r[3]), r[4], r[5])].append(r)
    report, now, out = Report(), clock.now(), []
    _add_missing(session, scope, groups, specs, now)
    for (_, _, code, _), members in groups.items():
        spec = specs.get(code)
        if spec is None:
            continue
        stats = rules.peer_stats([m[7] for m in members])
        for m in members:
            out.append(_rating_row(spec, m, stats, by_key, version.version, now, report))
    _upsert_ratings(session, out)
    return report


def _method(session: Session, scope: Scope) -> str:
    """ "sql" on PostgreSQL when at least ``SQL_MIN_VALUES`` values are in scope (counted
    up to that many), else "python"."""
    if session.get_bind().dialect.name != "postgresql":
        return "python"
    probe = sa.select(IndicatorValue.id).where(IndicatorValue.is_current)
    if scope.tenant_ids is not None:
        probe = probe.where(IndicatorValue.tenant_id.in_(scope.tenant_ids))
    if scope.codes is not None:
        probe = probe.where(IndicatorValue.indicator_code.in_(scope.codes))
    if scope.periods is not None:
        probe = probe.where(IndicatorValue.period.in_(scope.periods))
    count = session.scalar(
        sa.select(sa.func.count()).select_from(probe.limit(SQL_MIN_VALUES).subquery())
    )
    return "sql" if count >= SQL_MIN_VALUES else "python"


class _LeftToPython(Exception):
    """The statement met a period it does not know; its work is rolled back."""


# For the one statement, in its transaction only: hash joins rather than nested loops
# whatever the planner's row estimates (under row-level security it guesses a few rows
# for any table), memory to sort and hash ~10^6 rows without disk, and no JIT
# (compiling the expressions costs more than it saves).
STATEMENT_SETTINGS = {
    "enable_nestloop": "off",
    "work_mem": "64MB",
    "jit": "off",
}


def _rate_in_database(session: Session, scope: Scope, specs: dict, version: int) -> Report | None:
    """The "sql" method: one statement rates and upserts (PostgreSQL only). None (and
    nothing written) if the scope holds a period that is neither a month nor a year."""
    if session.get_bind().dialect.name != "postgresql":
        raise ValueError('the "sql" rating method needs PostgreSQL')
    now = clock.now()
    due_month, due_year = in_database.last_due(now, GRACE_DAYS)
    params = {
        **in_database.spec_params(specs.values()),
        "tenant_ids": sorted(scope.tenant_ids or ()),
        "codes": sorted(scope.codes or ()),
        "history": sorted(_history_periods(scope.periods or ())),
        "periods": sorted(scope.periods or ()),
        "due_month": due_month,
        "due_year": due_year,
        "version": version,
        "now": now,
    }
    flags = {
        "tenants": scope.tenant_ids is not None,
        "codes": scope.codes is not None,
        "history": scope.periods is not None,
        "periods": scope.periods is not None,
    }
    try:
        try:
            return _run_statement(session, in_database.build_statement(**flags), params)
        except UniqueViolation:
            # Another transaction rated one of these values since ours began: upsert all.
            sql = in_database.build_statement(**flags, split=False)
            return _run_statement(session, sql, params)
    except _LeftToPython:
        return None


def _run_statement(session: Session, sql: str, params: dict) -> Report:
    """Run the statement in a savepoint (rolled back if it fails or meets a period it does
    not know) and report what it wrote."""
    report = Report()
    with session.begin_nested():
        cursor = session.connection().connection.driver_connection.cursor()
        with statement_settings(cursor, STATEMENT_SETTINGS):
            rows = cursor.execute(sql, params, binary=True).fetchall()
        for tenant_id, organ_id, code, period, colour in rows:
            if colour is None:
                raise _LeftToPython(period)
            report.rated += 1
            report.colours[colour] += 1
            report.keys.append((tenant_id, organ_id, code, period, colour))
    return report


@contextmanager
def statement_settings(cursor, settings: dict):
    """These settings for the statements run inside, then the transaction's own again
    (run it in a savepoint: a failure rolls the settings back with it)."""
    names = list(settings)
    before = cursor.execute(
        "SELECT " + ", ".join("current_setting(%s)" for _ in names), names
    ).fetchone()
    _set_local(cursor, settings)
    yield
    _set_local(cursor, dict(zip(names, before, strict=True)))


def _set_local(cursor, settings: dict) -> None:
    for name, value in settings.items():
        cursor.execute("SELECT set_config(%s, %s, true)", (name, value))


def _add_missing(session: Session, scope: Scope, groups: dict, specs: dict, now) -> None:
    """A sibling that reported nothing for a period whose deadline has passed is rated
    grey: a missing submission, counted in its judgement (the peers' stats ignore it)."""
    stmt = (
        sa.select(Organ.tenant_id, Tenant.parent_id, Organ.id, Organ.kind, Tenant.level)
        .join(Tenant, Tenant.id == Organ.tenant_id)
        .where(Organ.active)
    )
    if scope.tenant_ids is not None:
        stmt = stmt.where(Organ.tenant_id.in_(scope.tenant_ids))
    organs: dict[tuple, list[tuple]] = defaultdict(list)
    for tenant_id, parent, organ_id, kind, level in session.execute(stmt):
        organs[(parent, organ_family(kind))].append((tenant_id, organ_id, kind, level))
    for (parent, family, code, period), members in groups.items():
        spec = specs.get(code)
        if spec is None or deadline_of(period, GRACE_DAYS) > now:
            continue
        present = {m[2] for m in members}
        for tenant_id, organ_id, kind, level in organs[(parent, family)]:
            if organ_id not in present and spec.applies_to(level, family):
                members.append((tenant_id, parent, organ_id, kind, code, period, None, None))


def _rating_row(spec: IndicatorSpec, m: tuple, stats, by_key, version: int, now, report):
    tenant_id, _, organ_id, _, code, period, revision, value = m
    history = [by_key.get((organ_id, code, p)) for p in previous_periods(period, TREND_PERIODS)]
    result = rules.rate(spec, value, history=[*history, value], stats=stats)
    report.rated += 1
    report.colours[result.colour] += 1
    report.keys.append((tenant_id, organ_id, code, period, result.colour))
    return {
        "tenant_id": tenant_id,
        "organ_id": organ_id,
        "indicator_code": code,
        "period": period,
        "revision": revision,
        "value": value,
        "colour": result.colour,
        **inputs_of(result, value, stats, history),
        "dictionary_version": version,
        "computed_at": now,
    }


UPDATED = ("revision", "value", "colour", *INPUTS, "dictionary_version", "computed_at")
COLUMNS = ("tenant_id", "organ_id", "indicator_code", "period", *UPDATED)


def _upsert_ratings(session: Session, rows: list[dict]) -> None:
    """One row per (tenant, organ, indicator, period): a recomputation updates it in place,
    so the tickets that point at it keep pointing at the current rating."""
    if session.get_bind().dialect.name == "postgresql" and len(rows) > CHUNK:
        _copy_upsert(session, rows)
        return
    stmt = dialect_insert(session)(Rating.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "organ_id", "indicator_code", "period"],
        set_={name: stmt.excluded[name] for name in UPDATED},
    )
    # executemany (batched by the driver), not one giant VALUES list to compile
    for start in range(0, len(rows), CHUNK):
        session.execute(stmt, rows[start : start + CHUNK])


def settings_for(session: Session, tenant_ids: Iterable[int]) -> dict[int, TenantSettings]:
    found = {
        s.tenant_id: s
        for s in session.scalars(
            sa.select(TenantSettings).where(TenantSettings.tenant_id.in_(list(tenant_ids)))
        )
    }
    return {
        tid: found.get(tid)
        or TenantSettings(
            tenant_id=tid,
            reminder_yellows=2,
            warning_reds=1,
            yellow_days=10,
            red_days=5,
            due_soon_days=2,
        )
        for tid in tenant_ids
    }


def verdict(reds: int, yellows: int, settings: TenantSettings) -> str:
    """Warning when reds reach the tenant's threshold (default: any red); reminder when
    yellows (or reds below that threshold) reach the reminder threshold; else normal."""
    if reds >= settings.warning_reds:
        return "warning"
    if reds + yellows >= settings.reminder_yellows:
        return "reminder"
    return "normal"


def judge(session: Session, pairs: set[tuple[int, int, str]]) -> int:
    """Recompute the judgement of each (tenant, organ, period) from its ratings."""
    if not pairs:
        return 0
    tenants = {tenant for tenant, _, _ in pairs}  # the index leads with the tenant
    organs = {organ for _, organ, _ in pairs}
    periods = {period for _, _, period in pairs}
    rows = session.execute(
        sa.select(
            Rating.tenant_id, Rating.organ_id, Rating.period, Rating.indicator_code, Rating.colour
        ).where(
            Rating.tenant_id.in_(tenants), Rating.organ_id.in_(organs), Rating.period.in_(periods)
        )
    ).all()
    per: dict[tuple, list] = defaultdict(list)
    for tenant_id, organ_id, period, code, colour in rows:
        if (tenant_id, organ_id, period) in pairs:
            per[(tenant_id, organ_id, period)].append((code, colour))
    settings = settings_for(session, {t for t, _, _ in per})
    now = clock.now()
    out = [_judgement_row(key, marks, settings[key[0]], now) for key, marks in per.items()]
    stmt = dialect_insert(session)(Judgement.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "organ_id", "period"],
        set_={
            n: stmt.excluded[n]
            for n in ("verdict", "reds", "yellows", "greys", "indicators", "computed_at")
        },
    )
    for start in range(0, len(out), CHUNK):
        session.execute(stmt, out[start : start + CHUNK])
    return len(out)


def _judgement_row(key, marks, settings, now) -> dict:
    tenant_id, organ_id, period = key
    count = defaultdict(int)
    for _, colour in marks:
        count[colour] += 1
    flagged = sorted(
        ({"code": c, "colour": col} for c, col in marks if col != "green"),
        key=lambda m: ({"red": 0, "yellow": 1, "grey": 2}[m["colour"]], m["code"]),
    )
    return {
        "tenant_id": tenant_id,
        "organ_id": organ_id,
        "period": period,
        "verdict": verdict(count["red"], count["yellow"], settings),
        "reds": count["red"],
        "yellows": count["yellow"],
        "greys": count["grey"],
        "indicators": flagged,
        "computed_at": now,
    }


def _copy_upsert(session: Session, rows: list[dict]) -> None:
    """Large sets on PostgreSQL: COPY into a temporary table, then one INSERT ... ON
    CONFLICT from it (an order of magnitude faster than batched INSERTs)."""
    cursor = session.connection().connection.driver_connection.cursor()
    columns = ", ".join(COLUMNS)
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS rating_load "
        "(LIKE ratings INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    with cursor.copy(f"COPY rating_load ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in COLUMNS])
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in UPDATED)
    cursor.execute(
        f"INSERT INTO ratings ({columns}) SELECT {columns} FROM rating_load "
        f"ON CONFLICT (tenant_id, organ_id, indicator_code, period) DO UPDATE SET {updates}"
    )
    cursor.execute("TRUNCATE rating_load")
