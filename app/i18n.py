"""Chinese first, with an English switch: ``?lang=en`` sets a cookie the next pages read."""

from __future__ import annotations

from flask import Flask, request

LANG_COOKIE = "lang"


def select_locale() -> str:
    wanted = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    return "en" if wanted == "en" else "zh_CN"


def bilingual(zh: str, en: str) -> str:
    """A message both for people who read Chinese and for those who read English."""
    from flask import has_request_context

    if has_request_context() and select_locale() == "en":
        return en
    return zh


def init_app(app: Flask) -> None:
    @app.after_request
    def remember_language(response):
        lang = request.args.get("lang")
        if lang in ("en", "zh_CN"):
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
        return response

    @app.context_processor
    def language():
        return {"current_lang": select_locale()}
