"""The audit log: every write to the database leaves a row (who, tenant, what, when)."""

from __future__ import annotations

from flask import Flask


def init_app(_app: Flask) -> None:
    from app.audit import recorder
    from tenants import scoping

    scoping.install()
    recorder.install()
