"""Languages: Simplified Chinese by default, English when a user chooses it (remembered per user)."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user

from portal.config import ROOT
from portal.extensions import babel


def select_locale() -> str:
    """The signed-in user's language, else the one chosen in this session, else Chinese.

    The browser's Accept-Language is deliberately ignored: the portal is Chinese first, and many
    shared office machines run English browsers.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line, tasks: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang(locale) -> str:
    return {"zh": "zh-CN", "en": "en"}.get(str(locale), str(locale))


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )
    app.jinja_env.globals.update(html_lang=html_lang, get_locale=get_locale)
