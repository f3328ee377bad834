"""Errors: JSON ``{"error": {"code", "message", "message_zh", "message_en"}}`` under
``/api``, a page elsewhere. Every message is given in Chinese and in English."""

from __future__ import annotations

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.i18n import select_locale

MESSAGES = {
    400: ("bad_request", "请求有误", "Bad request"),
    401: ("not_authenticated", "请先登录", "Please log in"),
    403: ("forbidden", "您的角色无权执行此操作", "Your role is not allowed to do this"),
    404: ("not_found", "未找到", "Not found"),
    405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    409: ("conflict", "与现有数据冲突", "Conflict with existing data"),
    413: ("too_large", "上传内容过大", "Request too large"),
    422: ("invalid", "数据校验未通过", "Validation failed"),
    429: ("throttled", "请求过于频繁,请稍后再试", "Too many requests, try again later"),
    500: ("server_error", "服务器内部错误", "Internal server error"),
}


class ApiError(Exception):
    """An error a view raises on purpose, with its own code and bilingual message."""

    def __init__(self, status: int, code: str, zh: str, en: str, **extra):
        super().__init__(en)
        self.status, self.code, self.zh, self.en, self.extra = status, code, zh, en, extra


def error_body(
    status: int, code: str | None = None, zh: str | None = None, en: str | None = None, **extra
) -> dict:
    default_code, default_zh, default_en = MESSAGES.get(status, MESSAGES[500])
    zh, en = zh or default_zh, en or default_en
    message = en if select_locale() == "en" else zh
    body = {"code": code or default_code, "message": message, "message_zh": zh, "message_en": en}
    body.update(extra)
    return {"error": body}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def respond(
    status: int, code: str | None = None, zh: str | None = None, en: str | None = None, **extra
):
    body = error_body(status, code, zh, en, **extra)
    if wants_json():
        return jsonify(body), status
    if status == 401:
        # A person at a page is sent to log in, and brought back afterwards.
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return render_template("error.html", status=status, error=body["error"]), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(err: ApiError):
        return respond(err.status, err.code, err.zh, err.en, **err.extra)

    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError):
        return respond(
            400,
            "csrf_failed",
            "CSRF 校验失败,请刷新页面后重试",
            f"CSRF check failed ({err.description}); reload and try again",
        )

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        return respond(err.code or 500)

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        app.logger.exception("unhandled error")
        return respond(500)
