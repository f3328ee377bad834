"""Flask extensions, created unbound; ``create_app`` binds each with ``init_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from app.db import db


class ViewLimiter(Limiter):
    """Flask-Limiter whose before-request pass runs only when there is something for it.

    A limit declared on a view (the login throttle) is checked by the view's own
    decorator; the pass Flask-Limiter makes before every request applies only default,
    application, blueprint and meta limits (and the in-memory fallback's), of which the
    app declares none, so on every other route it resolved an empty list at some cost.
    Once any such limit is configured, the pass runs for every request again.
    """

    def _check_request_limit(self, callable_name=None, in_middleware=True) -> None:
        if in_middleware and not self._has_request_wide_limits():
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def _has_request_wide_limits(self) -> bool:
        manager = self.limit_manager
        return bool(
            manager._application_limits
            or manager._default_limits
            or manager._blueprint_limits
            or self._meta_limits
            or self._in_memory_fallback
        )


login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = ViewLimiter(key_func=get_remote_address, default_limits=[])

__all__ = ["babel", "csrf", "db", "limiter", "login_manager"]
