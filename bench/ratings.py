"""Benchmark: rate every value of the demo (province scale by default) against a single
SQL GROUP BY over the same values, measured in the same run; then the time from one
district's monthly import committing to its tickets existing.

    python bench/ratings.py [--scale province|city] [--years 5]

The demo is loaded unrated and analyzed (planner statistics, as after any bulk load).
The rating job commits the tickets; the jobs it enqueues after its commit (roll-ups,
then dashboards) run after the tickets exist — in a worker, or here once the timing
stopped — and their time is printed apart.
"""

from __future__ import annotations

import argparse
import io
import sys
import time

import sqlalchemy as sa
from _setup import BenchDatabase

from app.auth.models import User
from app.clock import last_complete_month
from app.datamart import imports
from app.datamart.models import IndicatorValue
from app.db import db
from app.ratings.engine import Scope, rate
from app.ratings.jobs import rate_batch
from app.tickets.models import Ticket
from tenants.scoping import system_scope, tenant_scope
from workers import queue


def group_by_baseline() -> tuple[float, int]:
    started = time.perf_counter()
    groups = db.session.execute(
        sa.select(
            IndicatorValue.tenant_id,
            IndicatorValue.indicator_code,
            IndicatorValue.period,
            sa.func.count(),
            sa.func.avg(IndicatorValue.value),
        )
        .where(IndicatorValue.is_current)
        .group_by(IndicatorValue.tenant_id, IndicatorValue.indicator_code, IndicatorValue.period)
    ).all()
    return time.perf_counter() - started, len(groups)


def full_rating() -> tuple[float, int]:
    started = time.perf_counter()
    report = rate(db.session, Scope())
    db.session.commit()
    return time.perf_counter() - started, report.rated


def district_import(app) -> tuple[float, float, int]:
    """One district's court uploads a month with a red value: (import s, commit → tickets s,
    tickets, s of the jobs enqueued after the rating job's commit)."""
    period = last_complete_month()
    body = (
        f"期间,机关,指标代码,分子,分母\n{period},西湖区人民法院,CT02,90,100\n"
        f"{period},西湖区人民法院,CT09,70,100\n"
    ).encode()
    with system_scope():
        user = db.session.scalar(sa.select(User).where(User.username == "330106-court"))
        tenant_id = user.tenant_id
        db.session.expunge(user)
    imports.AFTER_LOAD.clear()  # run the rating job ourselves, timed
    deferred = []
    with tenant_scope(tenant_id):
        started = time.perf_counter()
        batch = imports.submit(
            db.session,
            kind="values",
            stream=io.BytesIO(body),
            filename="bench.csv",
            user=user,
            organ_id=None,
        )
        db.session.commit()
        loaded = time.perf_counter()
        batch_id = batch.id
    original, queue.run_inline = queue.run_inline, lambda _app, job: deferred.append(job)
    try:
        with app.app_context():  # as a worker would: its own session
            rate_batch(batch_id)
        done = time.perf_counter()
    finally:
        queue.run_inline = original
    for job in deferred:  # what a worker does next: roll-ups, then dashboards
        queue.run_inline(app, job)
    follow_on = time.perf_counter() - done
    with system_scope():
        from app.datamart.models import ImportBatch

        state = db.session.get(ImportBatch, batch_id, populate_existing=True)
        if state.status != "succeeded":
            print(f"import {state.status}: {state.errors[:2]}")
    with system_scope():
        tickets = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Ticket)
            .where(Ticket.period == period, Ticket.indicator_code.in_(("CT02", "CT09")))
        )
    return loaded - started, done - loaded, tickets, follow_on


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="province", choices=("city", "province"))
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    with BenchDatabase("ratings") as bench:
        print(bench.seed("--scale", args.scale, "--years", str(args.years), "--no-rating"))
        bench.analyze()
        with bench.app.app_context(), system_scope():
            baseline, groups = group_by_baseline()
            ours, rated = full_rating()
        with bench.app.app_context():
            load, to_tickets, tickets, follow_on = district_import(bench.app)
        print(f"backend={bench.backend} scale={args.scale} values rated={rated:,}")
        print(
            f"SQL GROUP BY over the same values (baseline): {baseline:7.2f} s ({groups:,} groups)"
        )
        print(
            f"full rating (bands, peers, trend, their inputs, upsert): {ours:7.2f} s "
            f"({ours / baseline:.1f}x baseline; goal within 5x)  {rated / ours:,.0f} values/s"
        )
        print(
            f"one district import: load {load:.2f} s; commit -> tickets {to_tickets:.2f} s "
            f"(goal < 2 s); tickets opened {tickets}"
        )
        print(f"  then the jobs it enqueued (roll-ups, dashboards): {follow_on:.2f} s")
        if tickets < 2:
            print("FAILED: the red values opened no tickets")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
