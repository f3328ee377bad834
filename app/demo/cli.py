"""``flask --app wsgi demo seed``: the demo federation and its history."""

from __future__ import annotations

import time

import click
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
        # A national tree is for benchmarks, which rate (and time) it themselves.
        rated = {} if no_rating or scale == "national" else _rate_demo()
    click.echo(
        f"seeded scale={scale} years={years} until={until} seed={seed}: "
        f"{report.tenants} tenants, {report.organs} organs, {report.users} users, "
        f"{report.values} values in {time.perf_counter() - started:.1f}s"
    )
    click.echo(f"rated: {' '.join(f'{k}={v}' for k, v in rated.items())}")
    _print_logins()


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
