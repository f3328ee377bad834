"""The login and logout pages."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import bp
from app.auth.service import authenticate, end_session, start_session
from app.auth.throttle import login_throttled, mark_failed


def _home_url(user) -> str:
    return url_for("web_tenant.home", code=user.tenant.code)


def _safe_next(target: str | None) -> str | None:
    # Only local paths: an absolute URL here would make the login an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
@login_throttled
def login():
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_home_url(current_user))
        return render_template("auth/login.html", next=request.args.get("next", ""))
    user = authenticate(request.form.get("username", ""), request.form.get("password", ""))
    if user is None:
        flash(_("用户名或密码错误"), "error")
        page = render_template("auth/login.html", username=request.form.get("username", ""))
        return mark_failed(make_response(page, 401))
    start_session(user)
    return redirect(_safe_next(request.form.get("next")) or _home_url(user))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    end_session(current_user)
    flash(_("您已安全退出"), "info")
    return redirect(url_for("auth.login"))
