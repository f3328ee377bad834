"""Authentication: Flask-Login wiring, CSRF, throttled login, the login pages."""

from __future__ import annotations

from flask import Blueprint, Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from app.audit.recorder import Actor, reset_actor, set_actor
from app.auth.service import load_by_bearer, load_by_session_key
from app.errors import respond
from app.extensions import csrf, login_manager
from tenants.scoping import enter_tenant, leave

bp = Blueprint("auth", __name__)

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# JSON login cannot be forged cross-site (a JSON body needs a CORS preflight) and has
# no session yet to ride on; every other cookie-authenticated write needs the token.
CSRF_EXEMPT = {"api.login"}


def _unauthorized():
    status = 404 if g.get("foreign_user") else 401
    if g.get("bad_token"):
        return respond(401, "bad_token", "API 令牌无效或已吊销", "API token invalid or revoked")
    return respond(status)


def _check_csrf() -> None:
    if request.method not in UNSAFE or request.endpoint in CSRF_EXEMPT:
        return
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return
    csrf.protect()


def _settle_identity() -> None:
    """Load the user once, then name the actor for the audit log; outside tenant URLs
    the scope is the user's own tenant."""
    user = current_user._get_current_object()  # loaded here, once; then no proxy hops
    if not user.is_authenticated:
        g.audit_token = set_actor(Actor("anonymous", address=request.remote_addr or ""))
        return
    g.audit_token = set_actor(
        Actor(user.username, user.id, user.tenant_id, request.remote_addr or "")
    )
    if g.get("tenant") is None:
        g.home_scope_token = enter_tenant(user.tenant_id)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session (what Flask-Login keeps its key in), with the signing
    serializer built once per set of keys rather than on every request."""

    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializers = {keys: serializer}  # the keys changed: forget the old ones
        return serializer


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.login_view = "auth.login"
    login_manager.user_loader(load_by_session_key)
    login_manager.request_loader(lambda req: load_by_bearer(req.headers.get("Authorization", "")))
    login_manager.unauthorized_handler(_unauthorized)

    app.before_request(_check_csrf)
    app.before_request(_settle_identity)

    @app.teardown_request
    def _forget_identity(_exc):
        if (token := g.pop("home_scope_token", None)) is not None:
            leave(token)
        if (token := g.pop("audit_token", None)) is not None:
            reset_actor(token)


from app.auth import views  # noqa: E402,F401
