"""The judicial-supervision platform: ``create_app`` builds everything, one ``init_app``
per part; importing this package connects to nothing."""

from __future__ import annotations

import logging

from flask import Flask

from config import Config, check_production


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment, ``config`` overriding single settings."""
    app = Flask(__name__, instance_relative_config=False)
    app.json.ensure_ascii = False  # Chinese stays readable in the API's JSON
    app.config.update(Config.from_env())
    app.config.update(config or {})
    check_production(app.config)
    _check_xml_safety()
    if app.config["APP_ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True  # behind TLS, whatever the proxy says
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    _init_parts(app)
    _register_blueprints(app)
    _register_commands(app)
    if app.config["APP_ENV"] == "production":
        from app.safety import check_runtime_role

        check_runtime_role(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return app


def _check_xml_safety() -> None:
    """Uploaded workbooks are XML: refuse to start unless openpyxl parses it through
    defusedxml (no entity expansion, no external references)."""
    from app.datamart.files import assert_defusedxml

    assert_defusedxml()


def _init_parts(app: Flask) -> None:
    from app import audit, errors, i18n
    from app import auth as auth_part
    from app.extensions import babel, csrf, db, limiter
    from app.i18n import select_locale
    from tenants import resolution
    from workers import queue

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    i18n.init_app(app)
    errors.init_app(app)
    resolution.init_app(app)
    auth_part.init_app(app)
    queue.init_app(app)
    audit.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app.api import bp as api_bp
    from app.api import tenant_bp as tenant_api_bp
    from app.api.openapi import bp as openapi_bp
    from app.auth import bp as auth_bp
    from app.ops import bp as ops_bp
    from app.web import bp as web_bp
    from app.web import tenant_bp as web_tenant_bp

    for bp in (api_bp, tenant_api_bp, openapi_bp, auth_bp, ops_bp, web_bp, web_tenant_bp):
        app.register_blueprint(bp)


def _register_commands(app: Flask) -> None:
    from app.dashboards.cli import dashboards_cli
    from app.dbcli import db_cli
    from app.demo.cli import demo_cli
    from app.indicators.cli import indicators_cli
    from app.ratings.cli import ratings_cli
    from federation.cli import federation_cli
    from tenants.cli import tenants_cli, users_cli
    from workers.cli import jobs_cli, worker_command

    for command in (
        db_cli,
        dashboards_cli,
        demo_cli,
        indicators_cli,
        ratings_cli,
        federation_cli,
        tenants_cli,
        users_cli,
        jobs_cli,
        worker_command,
    ):
        app.cli.add_command(command)
