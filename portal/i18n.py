"""Languages: Simplified Chinese by default, English when a user chooses it (remembered per user)."""

from __future__ import annotations

from contextvars import ContextVar

from flask import Flask, before_render_template, current_app, has_request_context, session, template_rendered
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context
from jinja2_fragments.flask import (
    before_render_template_block,
    before_render_template_blocks,
    template_block_rendered,
    template_blocks_rendered,
)
from markupsafe import Markup

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


# --- rendering a page: the language looked up once, not once per string ---------------------------
#
# Flask-Babel's template ``_()`` looks the translations up through the request context on every
# call, and a lazy label (``_l``) does the same each time it is printed: a list of 50 rows paid that
# a few hundred times a page (issue 22). While a template renders, its translations are pinned here,
# looked up once at the start (so ``force_locale``, as a mail in its reader's language, still
# applies), and the label dicts it is given are printed from plain strings resolved once per
# language.

_pinned: ContextVar = ContextVar("tongxin_translations", default=None)
_RESOLVED: dict[tuple[int, str], tuple[dict, dict]] = {}
_RESOLVED_MAX = 512  # label dicts are module constants: a few dozen; anything else is not kept


def _translations():
    pinned = _pinned.get()
    return pinned if pinned is not None else get_translations()


def resolved_labels(labels: dict) -> dict:
    """``labels`` (values lazy strings) with its values translated into the current language, from
    a cache: the same dict object gives the same translated copy for as long as it lives."""
    key = (id(labels), str(get_locale()))
    found = _RESOLVED.get(key)
    if found is not None and found[0] is labels:  # the same object, not a new one at a reused id
        return found[1]
    resolved = {k: str(v) for k, v in labels.items()}
    if len(_RESOLVED) >= _RESOLVED_MAX:
        _RESOLVED.clear()
    _RESOLVED[key] = (labels, resolved)
    return resolved


@pass_context
def template_gettext(__context, __string, **variables):
    """A template's ``_()``: what Jinja's new-style gettext does (escaped, always %-formatted), in
    one call instead of two ``Context.call`` hops and a translations lookup per string."""
    rv = _translations().ugettext(__string)
    if __context.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


def _is_label_dict(value) -> bool:
    return isinstance(value, dict) and bool(value) and isinstance(next(iter(value.values())), LazyString)


def _pin(_sender, context=None, **_extra) -> None:
    _pinned.set(get_translations())
    if context:
        for key, value in list(context.items()):
            if _is_label_dict(value):
                context[key] = resolved_labels(value)


def _unpin(*_args, **_extra) -> None:
    _pinned.set(None)


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )
    app.jinja_env.globals.update(html_lang=html_lang, get_locale=get_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    for starting in (before_render_template, before_render_template_block, before_render_template_blocks):
        starting.connect(_pin, app, weak=False)
    for ended in (template_rendered, template_block_rendered, template_blocks_rendered):
        ended.connect(_unpin, app, weak=False)
    app.teardown_request(_unpin)  # a render that failed half-way pins nothing past its request
