"""Rating set-wise: load the values a change touches in a few queries, rate them group
by group (peers = the same indicator, period and organ family under the same parent),
and write ratings and judgements back in bulk upserts.

One import changes one organ's figures, but the peer rule rates every sibling against
the median of all of them, so the siblings' ratings of the touched indicators and
periods are recomputed too — and nothing else in the country.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.datamart.models import IndicatorValue
from app.datamart.periods import deadline_of, previous_periods
from app.db import dialect_insert
from app.indicators.dictionary import IndicatorSpec
from app.indicators.service import spec_of, version_named
from app.ratings import rules
from app.ratings.models import Judgement, Rating, TenantSettings
from tenants.models import Organ, Tenant, organ_family

TREND_PERIODS = 3
GRACE_DAYS = 15  # as SUBMISSION_GRACE_DAYS: figures are due 15 days after their period
CHUNK = 5000


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
    """(tenant, parent, organ, family, code, period, value id, revision, value) of the
    current values in scope, plus the earlier periods the trend rule needs."""
    stmt = (
        sa.select(
            IndicatorValue.tenant_id,
            Tenant.parent_id,
            IndicatorValue.organ_id,
            Organ.kind,
            IndicatorValue.indicator_code,
            IndicatorValue.period,
            IndicatorValue.id,
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


def rate(session: Session, scope: Scope) -> Report:
    """Rate every current value in scope; call in system scope (peers span tenants)."""
    version = version_named(None, session)
    specs = {row.code: spec_of(row) for row in version.indicators}
    rows = _load(session, scope)
    by_key = {(r[2], r[4], r[5]): r[8] for r in rows}  # (organ, code, period) -> value
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
        stats = rules.peer_stats([m[8] for m in members])
        for m in members:
            out.append(_rating_row(spec, m, stats, by_key, version.version, now, report))
    _upsert_ratings(session, out)
    return report


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
                members.append((tenant_id, parent, organ_id, kind, code, period, None, None, None))


def _rating_row(spec: IndicatorSpec, m: tuple, stats, by_key, version: int, now, report):
    tenant_id, _, organ_id, _, code, period, value_id, revision, value = m
    history = [by_key.get((organ_id, code, p)) for p in previous_periods(period, TREND_PERIODS)]
    result = rules.rate(spec, value, history=[*history, value], stats=stats)
    report.rated += 1
    report.colours[result.colour] += 1
    report.keys.append((tenant_id, organ_id, code, period, result.colour))
    as_dict = result.as_dict()
    return {
        "tenant_id": tenant_id,
        "organ_id": organ_id,
        "indicator_code": code,
        "period": period,
        "value_id": value_id,
        "revision": revision,
        "value": value,
        "colour": result.colour,
        "findings": as_dict["findings"],
        "fired": as_dict["fired"],
        "reason_zh": result.reason_zh,
        "reason_en": result.reason_en,
        "dictionary_version": version,
        "computed_at": now,
    }


UPDATED = (
    "value_id",
    "revision",
    "value",
    "colour",
    "findings",
    "fired",
    "reason_zh",
    "reason_en",
    "dictionary_version",
    "computed_at",
)


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
    organs = {organ for _, organ, _ in pairs}
    periods = {period for _, _, period in pairs}
    rows = session.execute(
        sa.select(
            Rating.tenant_id, Rating.organ_id, Rating.period, Rating.indicator_code, Rating.colour
        ).where(Rating.organ_id.in_(organs), Rating.period.in_(periods))
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
    import json

    cursor = session.connection().connection.driver_connection.cursor()
    columns = ", ".join(COLUMNS)
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS rating_load "
        "(LIKE ratings INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    with cursor.copy(f"COPY rating_load ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[c], ensure_ascii=False) if c in ("findings", "fired") else row[c]
                    for c in COLUMNS
                ]
            )
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in UPDATED)
    cursor.execute(
        f"INSERT INTO ratings ({columns}) SELECT {columns} FROM rating_load "
        f"ON CONFLICT (tenant_id, organ_id, indicator_code, period) DO UPDATE SET {updates}"
    )
    cursor.execute("TRUNCATE rating_load")
