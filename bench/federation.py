"""Benchmark: roll up the demo (province scale by default) against a bare SQL GROUP BY
computing the same sums over the tenant tree, measured in the same run; then the
incremental update after one district's monthly import.

    python bench/federation.py [--scale province|city] [--years 5]

(a) the baseline: per (ancestor tenant, indicator, period), Σnumerator, Σdenominator,
    Σvalue, Σvalue·weight… over every descendant tenant's current values, in one
    statement joining the tenants on their materialized path;
(b) ``federation.engine.rebuild``: every roll-up, with parts and coverage, rated, written
    (once into an empty table, once more over the stored rows, which leaves the rows
    that do not change alone); on PostgreSQL one statement (``federation.in_database``);
(c) ``federation.jobs.rebuild``: roll-ups and common problems;
(d) ``federation.jobs.rollup_batch`` after one district court's monthly import (loaded and
    rated first, untimed): its chain of roll-ups and its ancestors' common problems. The
    jobs it schedules (dashboards) are deferred, not timed.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import time

import sqlalchemy as sa
from _setup import BenchDatabase

from app.audit.models import AuditEvent
from app.auth.models import User
from app.clock import last_complete_month
from app.datamart import imports
from app.datamart.models import ImportBatch, IndicatorValue
from app.db import db
from app.ratings.engine import Scope, rate
from app.ratings.jobs import rate_and_follow, siblings_of
from federation import engine, jobs
from federation.models import CommonProblem, Rollup
from tenants.models import Tenant
from tenants.scoping import system_scope, tenant_scope
from workers import queue

COLUMNS = (
    "n_ratio",
    "num",
    "den",
    "n_value",
    "sum_value",
    "n_weighted",
    "sum_weighted",
    "sum_weight",
)


def rate_everything() -> int:
    """Common problems read the organs' ratings: rate once, untimed."""
    report = rate(db.session, Scope())
    db.session.commit()
    return report.rated


def tree_sums():
    """(a) One statement: each value summed into every ancestor of its tenant."""
    ancestor, below = sa.orm.aliased(Tenant), sa.orm.aliased(Tenant)
    pairs = (
        sa.select(ancestor.id.label("ancestor_id"), below.id.label("tenant_id"))
        .join(below, below.path.startswith(ancestor.path) & (below.id != ancestor.id))
        .cte("pairs")
    )
    v = IndicatorValue
    ratio = v.numerator.is_not(None) & (v.denominator > 0)
    weighted = v.value.is_not(None) & (v.denominator > 0)
    stmt = (
        sa.select(
            pairs.c.ancestor_id,
            v.indicator_code,
            v.period,
            sa.func.count().filter(ratio).label("n_ratio"),
            sa.func.sum(v.numerator).filter(ratio).label("num"),
            sa.func.sum(v.denominator).filter(ratio).label("den"),
            sa.func.count(v.value).label("n_value"),
            sa.func.sum(v.value).label("sum_value"),
            sa.func.count().filter(weighted).label("n_weighted"),
            sa.func.sum(v.value * v.denominator).filter(weighted).label("sum_weighted"),
            sa.func.sum(v.denominator).filter(weighted).label("sum_weight"),
        )
        .join(pairs, pairs.c.tenant_id == v.tenant_id)
        .where(v.is_current)
        .group_by(pairs.c.ancestor_id, v.indicator_code, v.period)
    )
    started = time.perf_counter()
    groups = db.session.execute(stmt).all()
    return time.perf_counter() - started, groups


def timed(fn):
    started = time.perf_counter()
    result = fn()
    db.session.commit()
    return time.perf_counter() - started, result


def agree(groups, specs) -> tuple[int, int]:
    """(roll-ups checked, mismatches): every stored roll-up against the baseline's sums."""
    from federation.rollup import sums_of

    sums = {(g[0], g[1], g[2]): dict(zip(COLUMNS, g[3:], strict=True)) for g in groups}
    checked = bad = 0
    for r in db.session.execute(
        sa.select(
            Rollup.tenant_id,
            Rollup.indicator_code,
            Rollup.period,
            Rollup.numerator,
            Rollup.denominator,
            Rollup.n_values,
        )
    ):
        spec = specs[r.indicator_code]
        want = sums_of(spec, sums.get((r.tenant_id, r.indicator_code, r.period), {}))
        checked += 1
        same = (
            want.n == r.n_values
            and math.isclose(want.num, r.numerator, rel_tol=1e-9, abs_tol=1e-6)
            and math.isclose(want.den, r.denominator or 0.0, rel_tol=1e-9, abs_tol=1e-6)
        )
        bad += not same
    return checked, bad


def district_import(app) -> tuple[float, dict, int]:
    """One district's court uploads a month; the import and its rating run untimed, then
    ``rollup_batch`` is timed alone: (seconds, its audit record, jobs it deferred)."""
    period = last_complete_month()
    body = (
        f"期间,机关,指标代码,分子,分母\n{period},西湖区人民法院,CT02,90,100\n"
        f"{period},西湖区人民法院,CT09,70,100\n"
    ).encode()
    with system_scope():
        user = db.session.scalar(sa.select(User).where(User.username == "330106-court"))
        tenant_id = user.tenant_id
        db.session.expunge(user)
    imports.AFTER_LOAD.clear()  # rate here, then time the roll-up job by itself
    with tenant_scope(tenant_id):
        batch = imports.submit(
            db.session,
            kind="values",
            stream=io.BytesIO(body),
            filename="bench.csv",
            user=user,
            organ_id=None,
        )
        db.session.commit()
        batch_id = batch.id
    with system_scope():
        state = db.session.get(ImportBatch, batch_id, populate_existing=True)
        if state.status != "succeeded":
            raise SystemExit(f"import {state.status}: {state.errors[:2]}")
        rate_and_follow(
            db.session,
            Scope(
                tenant_ids=siblings_of(db.session, tenant_id),
                codes=frozenset({"CT02", "CT09"}),
                periods=frozenset({period}),
            ),
            None,
        )
        db.session.commit()
    deferred = []
    original, queue.run_inline = queue.run_inline, lambda _app, job: deferred.append(job)
    try:
        with app.app_context():  # as a worker would: its own session
            started = time.perf_counter()
            jobs.rollup_batch(batch_id)
            elapsed = time.perf_counter() - started
    finally:
        queue.run_inline = original
    with system_scope():
        event = db.session.scalar(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "federation.batch")
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
        details = dict(event.detail) if event else {}
    return elapsed, details, len(deferred)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="province", choices=("city", "province"))
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    with BenchDatabase("federation") as bench:
        print(bench.seed("--scale", args.scale, "--years", str(args.years), "--no-rating"))
        # planner statistics, as after any bulk load: without them PostgreSQL (under
        # row-level security) guesses a hundred rows for 300,000 and the baseline's join
        # takes half a minute
        bench.analyze()
        with bench.app.app_context(), system_scope():
            rated = rate_everything()
        bench.analyze()
        with bench.app.app_context(), system_scope():
            baseline, groups = tree_sums()
            first, outcome = timed(lambda: engine.rebuild(db.session))
            again, _ = timed(lambda: engine.rebuild(db.session))
            whole, result = timed(lambda: jobs.rebuild(db.session))
            specs, _ = engine._specs(db.session)
            checked, bad = agree(groups, specs)
            tenants = db.session.scalar(sa.select(sa.func.count()).select_from(Tenant))
            problems = db.session.scalar(sa.select(sa.func.count()).select_from(CommonProblem))
        with bench.app.app_context():
            incremental, details, deferred = district_import(bench.app)
        print(
            f"backend={bench.backend} scale={args.scale} tenants={tenants} values rated={rated:,} "
            f"parents={outcome.parents} roll-ups={outcome.rows:,} common problems={problems}"
        )
        print(
            f"(a) SQL GROUP BY over the tree (baseline):          {baseline:7.2f} s "
            f"({len(groups):,} groups)"
        )
        print(
            f"(b) federation rebuild, empty table:                 {first:7.2f} s "
            f"({first / baseline:.1f}x baseline; goal within 3x)"
        )
        print(
            f"    federation rebuild, over the stored roll-ups:    {again:7.2f} s "
            f"({again / baseline:.1f}x baseline)"
        )
        print(
            f"(c) federation jobs.rebuild (+ common problems):     {whole:7.2f} s "
            f"({whole / baseline:.1f}x baseline; {result['common_problems']} problems)"
        )
        print(
            f"(d) one district import -> rollup_batch:             {incremental:7.2f} s "
            f"(goal < 1 s; {details or 'no audit record'}; {deferred} follow-on jobs deferred)"
        )
        print(f"stored roll-ups equal to the baseline's sums: {checked - bad:,} of {checked:,}")
        if bad or not checked:
            print("FAILED: roll-ups and the baseline disagree")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
