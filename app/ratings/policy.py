"""Which periods still ask an organ to explain itself."""

from __future__ import annotations

from flask import current_app

from app import clock
from app.datamart.periods import month_of, recent_months


def ticket_window_start() -> str:
    """Tickets open for the last ``TICKET_WINDOW_MONTHS`` ended months (default 3): a
    correction to a figure from years ago is rated, but opens no ticket."""
    months = current_app.config.get("TICKET_WINDOW_MONTHS", 3)
    return recent_months(month_of(clock.now()), months)[-1]
