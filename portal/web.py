"""Helpers for thin routes: full page or htmx fragment, pagination, domain errors to flashes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Response, current_app, flash, has_request_context, render_template, request, url_for
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """An htmx request that swaps part of a page (not a boosted navigation or history restore)."""
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(template: str, block: str | None = None, **context):
    """Render the whole page, or only ``block`` of it when htmx asked for a fragment."""
    if block and wants_fragment():
        return render_block(template, block, **context)
    return render_template(template, **context)


@dataclass
class Page:
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


MAX_PAGE = 100_000


def page_args() -> tuple[int, int]:
    """The requested page number (from ``?page=``) and the page size."""
    try:
        number = min(MAX_PAGE, max(1, int(request.args.get("page", 1))))
    except ValueError:
        number = 1
    per_page = current_app.config["PAGE_SIZE"]
    try:
        per_page = min(200, max(1, int(request.args.get("per_page", per_page))))
    except ValueError:
        pass
    return number, per_page


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirects).

    Browsers drop tabs and newlines and read backslashes as slashes, so "/\t/evil.example" would
    leave the site: any control character or backslash, or anything naming a scheme or a host,
    is refused.
    """
    if not target or not target.startswith("/") or "\\" in target:
        return default
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return default
    return target


def public_url(endpoint: str, **values) -> str:
    """An absolute link for mail and print, on the configured PUBLIC_URL (not the request's Host).

    Works in tasks too, where there is no request to build a URL on.
    """
    if has_request_context():
        path = url_for(endpoint, _external=False, **values)
    else:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return public_link(path)


def qr_svg(endpoint: str, **values):
    """The QR code of the absolute check-in link ``endpoint`` (with ``values``) as inline SVG,
    drawn on the server so nothing is loaded from outside: a child's card (``visits.check_in``)
    and a training session's check-in (``training.check_in``) are printed the same way."""
    import segno
    from markupsafe import Markup

    svg = segno.make(public_url(endpoint, **values), error="m").svg_inline(scale=4, border=2)
    return Markup(svg)  # noqa: S704 - segno's own markup of a URL we built


def public_link(path: str) -> str:
    """A site path such as "/visits/overdue?region=…" as an absolute link on PUBLIC_URL."""
    return current_app.config["PUBLIC_URL"] + path


def show_error(form, error) -> None:
    """Show a rule's refusal next to the form field it names, or above the form."""
    field = getattr(form, error.details.get("field", ""), None)
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "error")


def commit_or_flash(action, done: str | None = None, reraise: tuple = ()) -> bool:
    """Run ``action()`` on the request's session for a button that posts: commit and flash
    ``done``, or, when a rule refuses, roll back and flash why. A refusal by role or region
    (``NotAllowed``, and the types in ``reraise``) is not a message: it propagates (403/404).
    True when it committed."""
    from portal import db
    from portal.errors import DomainError, NotAllowed

    session = db.session()
    try:
        action()
    except (NotAllowed, *reraise):
        raise
    except DomainError as error:
        session.rollback()
        flash(str(error.message), "error")
        return False
    session.commit()
    if done:
        flash(done, "success")
    return True


def verification_page(template: str, code: str, **context):
    """A public page that checks a printed document's verification code: 404 for a code that was
    typed but matches nothing, and never indexed by search engines (it may show a name)."""
    found = any(value is not None for value in context.values())
    response = Response(render(template, code=code, **context), status=404 if code and not found else 200)
    response.headers["X-Robots-Tag"] = "noindex"
    return response
