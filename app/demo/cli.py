"""``flask --app wsgi demo seed``: the demo federation and its history."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from app.audit.recorder import Actor, acting_as
from app.auth.passwords import hash_password
from app.clock import last_complete_month
from app.db import db
from app.demo.seed import SeedRefused, seed_demo
from app.demo.tree import SCALES
from tenants.scoping import system_scope


@click.group("demo")
def demo_cli() -> None:
    """The demo federation."""


@demo_cli.command("seed")
@click.option(
    "--scale",
    type=click.Choice(SCALES),
    default="city",
    show_default=True,
    help="city: Zhejiang > Hangzhou > 13 districts > townships; province: all of "
    "Zhejiang; national: a tree of national size for benchmarks",
)
@click.option(
    "--years",
    type=click.IntRange(1, 10),
    default=None,
    help="years of monthly history [default: 5; 1 for national]",
)
@click.option("--seed", type=int, default=2024, show_default=True)
@click.option(
    "--until",
    default=None,
    help="last month of history, e.g. 2026-10 [default: the last complete month]",
)
@click.option("--if-empty", is_flag=True, help="do nothing (and succeed) if already seeded")
@click.option("--no-rating", is_flag=True, help="load the values only (benchmarks rate them)")
@with_appcontext
def seed(
    scale: str, years: int | None, seed: int, until: str | None, if_empty: bool, no_rating: bool
) -> None:
    """Create the demo federation (deterministic for a given seed)."""
    years = years or (1 if scale == "national" else 5)
    until = until or last_complete_month()
    started = time.perf_counter()
    with system_scope(), acting_as(Actor("demo-seed")):
        try:
            report = seed_demo(
                db.session,
                scale=scale,
                years=years,
                seed=seed,
                until=until,
                password_hash=hash_password(current_app.config["DEMO_PASSWORD"]),
            )
        except SeedRefused as err:
            db.session.rollback()
            if if_empty and "already" in str(err):
                click.echo(f"{err}; nothing to do")
                return
            raise click.ClickException(str(err)) from err
        db.session.commit()
        _analyze()
        # A national tree is for benchmarks, which rate (and time) it themselves.
        rated = {} if no_rating or scale == "national" else _rate_demo()
        # The coordination story needs the rated demo (a deputy raises from a chart).
        coordinated = _coordinate_demo(until) if rated else None
    click.echo(
        f"seeded scale={scale} years={years} until={until} seed={seed}: "
        f"{report.tenants} tenants, {report.organs} organs, {report.users} users, "
        f"{report.values} values, {report.documents} documents "
        f"in {time.perf_counter() - started:.1f}s"
    )
    click.echo(f"rated: {' '.join(f'{k}={v}' for k, v in rated.items())}")
    if coordinated is not None:
        click.echo(f"coordination: {' '.join(f'{k}={v}' for k, v in coordinated.__dict__.items())}")
    _print_logins()


def _analyze() -> None:
    """Planner statistics for what was just loaded: PostgreSQL has none for a new table
    until autovacuum comes by, and plans the rating and roll-up queries on guesses
    meanwhile. Only the tables' owner may: ``DATABASE_OWNER_URL``, else the app's own
    connection (which, as the unprivileged app role, is told to skip the tables)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    url = current_app.config.get("DATABASE_OWNER_URL") or db.session.get_bind().url
    owner = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with owner.connect() as conn:
            conn.execute(sa.text("ANALYZE indicator_values, organs, tenants"))
    finally:
        owner.dispose()


def _rate_demo() -> dict:
    """Rate the whole history, judge every organ, and open tickets for the recent months,
    so the demo opens on colours and an inbox with work in it."""
    from app.dashboards.jobs import rebuild_all as rebuild_dashboards
    from app.ratings.engine import Scope
    from app.ratings.jobs import rate_and_follow
    from app.ratings.policy import ticket_window_start
    from federation.jobs import rebuild

    result = rate_and_follow(db.session, Scope(), ticket_window_start())
    db.session.commit()
    federated = rebuild(db.session)
    db.session.commit()
    charts = rebuild_dashboards(db.session)
    db.session.commit()
    return {**result, **federated, "dashboards": charts}


def _coordinate_demo(until: str):
    """Supervision matters, opinions and the rest of the coordination loop in 萧山区."""
    from app.demo.coordination import seed_coordination

    report = seed_coordination(db.session, until)
    db.session.commit()
    return report


def _print_logins() -> None:
    password = current_app.config["DEMO_PASSWORD"]
    click.echo(
        f"\n演示账号 / demo logins (password: {password})\n"
        "  330000-admin        浙江省人大 管理员 (province admin)\n"
        "  330100-staff        杭州市人大 工作人员 (city staff)\n"
        "  330100-deputy       杭州市人大代表 (deputy)\n"
        "  330106-court        西湖区人民法院 (district court)\n"
        "  330106-evaluator    西湖区第三方评估机构 (evaluator)\n"
        "  scheme: <code>-admin|staff|deputy|viewer|court|procuratorate|public-security|"
        "justice-bureau|evaluator; townships: -tribunal|-police-station|-justice-office"
    )
