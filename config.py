"""Settings from environment variables, with defaults that serve the demo.

The defaults are the embedded mode: SQLite under ``instance/``, no Redis (jobs run
inline), an insecure development secret. ``APP_ENV=production`` refuses those defaults.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


class ConfigError(RuntimeError):
    """A setting that makes the app unsafe or unable to start."""


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    APP_ENV = "development"
    SECRET_KEY = "dev-insecure-secret-change-me"
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{BASE_DIR / 'instance' / 'judsup.sqlite3'}"
    # The owner connection runs migrations and provisioning; the app itself connects as
    # a role that owns nothing, so PostgreSQL row-level security applies to it.
    DATABASE_OWNER_URL: str | None = None
    DATABASE_APP_ROLE = "judsup_app"
    REDIS_URL: str | None = None
    RQ_QUEUES = ("imports", "ratings", "federation", "dashboards", "default")
    DEMO_PASSWORD = "demo-pass-2024"
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    # Figures are due this many days after their period ends; later ones are marked late.
    SUBMISSION_GRACE_DAYS = 15
    # Yellow and red values of the last N ended months open response tickets.
    TICKET_WINDOW_MONTHS = 3
    # The sweep (overdue escalation, due-soon reminders) runs in RQ every N minutes.
    SWEEP_EVERY_MINUTES = 60
    FILE_STORE_DIR = str(BASE_DIR / "instance" / "files")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 0
    WTF_CSRF_CHECK_DEFAULT = False  # checked in one before_request, bearer clients excepted
    WTF_CSRF_TIME_LIMIT = None
    LOGIN_LIMIT_PER_USERNAME = "10 per minute"
    LOGIN_LIMIT_PER_ADDRESS = "30 per minute"
    RATELIMIT_HEADERS_ENABLED = True
    # Argon2id cost; tests lower it, production keeps the library's defaults.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # E-mail notifications through an SMTP server: off unless MAIL_ENABLED is set.
    MAIL_ENABLED = False
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS after connecting
    MAIL_USE_SSL = False  # TLS from the start (SMTPS, usually port 465)
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "监督平台 <noreply@localhost>"
    MAIL_TIMEOUT = 10
    # Where the app is reached from outside: links in e-mails start with it.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    TESTING = False

    @classmethod
    def from_env(cls) -> dict:
        """Collect the settings as a dict, environment winning over class defaults."""
        conf = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        env = os.environ
        conf["APP_ENV"] = env.get("APP_ENV", conf["APP_ENV"])
        if "SECRET_KEY" in env:
            conf["SECRET_KEY"] = env["SECRET_KEY"]
        elif conf["APP_ENV"] == "production":
            conf["SECRET_KEY"] = None
        conf["SQLALCHEMY_DATABASE_URI"] = env.get("DATABASE_URL", conf["SQLALCHEMY_DATABASE_URI"])
        conf["DATABASE_OWNER_URL"] = env.get("DATABASE_OWNER_URL") or None
        conf["DATABASE_APP_ROLE"] = env.get("DATABASE_APP_ROLE", conf["DATABASE_APP_ROLE"])
        conf["REDIS_URL"] = env.get("REDIS_URL") or None
        conf["DEMO_PASSWORD"] = env.get("DEMO_PASSWORD", conf["DEMO_PASSWORD"])
        conf["SESSION_COOKIE_SECURE"] = _env_bool(
            "SESSION_COOKIE_SECURE", conf["APP_ENV"] == "production"
        )
        conf["FILE_STORE_DIR"] = env.get("FILE_STORE_DIR", conf["FILE_STORE_DIR"])
        if "MAX_CONTENT_LENGTH" in env:
            conf["MAX_CONTENT_LENGTH"] = int(env["MAX_CONTENT_LENGTH"])
        conf.update(_mail_from_env(conf))
        return conf


def _mail_from_env(conf: dict) -> dict:
    env = os.environ
    mail = {
        "MAIL_ENABLED": _env_bool("MAIL_ENABLED", conf["MAIL_ENABLED"]),
        "MAIL_SERVER": env.get("MAIL_SERVER", conf["MAIL_SERVER"]),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", conf["MAIL_USE_TLS"]),
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL", conf["MAIL_USE_SSL"]),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or conf["MAIL_USERNAME"],
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or conf["MAIL_PASSWORD"],
        "MAIL_SENDER": env.get("MAIL_SENDER", conf["MAIL_SENDER"]),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", conf["PUBLIC_BASE_URL"]).rstrip("/"),
    }
    for name in ("MAIL_PORT", "MAIL_TIMEOUT"):
        mail[name] = int(env[name]) if env.get(name) else conf[name]
    return mail


def check_production(conf: dict) -> None:
    """Refuse settings that are fine for a demo and dangerous in production."""
    if conf.get("APP_ENV") != "production":
        return
    if not conf.get("SECRET_KEY") or conf["SECRET_KEY"] == Config.SECRET_KEY:
        raise ConfigError(
            "生产模式必须设置 SECRET_KEY 环境变量 / "
            "APP_ENV=production requires the SECRET_KEY environment variable"
        )
    if str(conf.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        raise ConfigError(
            "生产模式不能使用 SQLite,请把 DATABASE_URL 设为 PostgreSQL / "
            "APP_ENV=production cannot run on SQLite; set DATABASE_URL to PostgreSQL"
        )
