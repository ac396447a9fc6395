"""Sharing a need into WeChat: a short link per need, its outcome once closed, a card image and a
QR poster to print or post.

Everything drawn here is the need's public form (``portal.needs.board``): the public summary, the
category, the county and town. The short code is the need's number in a short alphabet followed by a
keyed check, so a link cannot be made up for a need by counting, and it says nothing the board's own
address does not. The outcome of a closed need says when it was completed and by whom (an
organization by name, a volunteer only as "a volunteer"), the hours served and the money raised:
no free text of the report, which is not checked for identities as a public summary is.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlmodel import Session

from portal import access
from portal.errors import NotFound
from portal.needs import board
from portal.needs.models import Claim, ClaimStatus, Need, NeedStatus

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud or typed from a poster
CHECK = 4

# Poster sizes in pixels: A5 at 150 dpi (148 × 210 mm), and a phone screen to post in a chat.
SIZES = {"a5": (874, 1240), "phone": (1080, 1920)}
CARD = (1200, 630)  # the Open Graph / WeChat share card

log = logging.getLogger(__name__)


def _check(secret: str, number: str) -> str:
    digest = hmac.new(secret.encode(), f"need-share:{number}".encode(), hashlib.sha256).digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:CHECK])


def code_for(secret: str, need_id: int) -> str:
    """The stable short code of need ``need_id``."""
    digits, n = "", need_id
    while True:
        n, r = divmod(n, len(ALPHABET))
        digits = ALPHABET[r] + digits
        if not n:
            break
    return digits + _check(secret, digits)


def need_of_code(secret: str, code: str) -> int | None:
    """The need id a short code stands for, or None for a code that was never issued."""
    code = (code or "").strip().lower()
    if len(code) <= CHECK or len(code) > 16 or any(c not in ALPHABET for c in code):
        return None
    digits, check = code[:-CHECK], code[-CHECK:]
    if not hmac.compare_digest(check, _check(secret, digits)):
        return None
    number = 0
    for c in digits:
        number = number * len(ALPHABET) + ALPHABET.index(c)
    return number


# --- what the link shows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """The public outcome of a closed need."""

    status: NeedStatus
    closed_at: datetime | None
    by_organization: str  # the organization's name, or "" for volunteers or inside government
    helpers: int  # how many took part
    minutes: int  # approved volunteer hours, in minutes

    @property
    def completed(self) -> bool:
        return self.status in (NeedStatus.verified, NeedStatus.delivered)


def shared_need(session: Session, secret: str, code: str) -> board.PublicNeed:
    """The public form of the need behind a short code: any need that was ever on the board."""
    need_id = need_of_code(secret, code)
    need = board.public_need(session, need_id) if need_id else None
    if need is None:
        raise NotFound(_l("This link does not lead to a need."))
    return need


def outcome_of(session: Session, need: board.PublicNeed) -> Outcome | None:
    """What became of a need that left the board (None while it is open for claims or gifts)."""
    from portal.helpers.models import HoursStatus, Organization, VolunteerHours
    from portal.needs.models import Delivery

    if need.status in (NeedStatus.published,):
        return None
    row = session.get(Need, need.id)
    done = [ClaimStatus.verified, ClaimStatus.delivered]
    claims = session.execute(select(Claim.helper_id, Claim.organization_id)
                             .where(Claim.need_id == need.id, Claim.status.in_(done))).all()
    if need.status == NeedStatus.claimed and row.kind != "money":
        return None  # taken on, not yet done: the page says so without an outcome
    org_ids = {org for _helper, org in claims if org}
    names = [n for n in session.scalars(select(Organization.name).where(Organization.id.in_(org_ids)))] if org_ids else []
    deliveries = select(Delivery.id).where(Delivery.need_id == need.id)
    minutes = session.scalar(select(func.coalesce(func.sum(VolunteerHours.minutes), 0)).where(
        VolunteerHours.delivery_id.in_(deliveries), VolunteerHours.status == HoursStatus.approved)) or 0
    return Outcome(status=need.status, closed_at=row.closed_at, by_organization="、".join(sorted(names)),
                   helpers=len(claims), minutes=int(minutes))


# --- who may download the poster --------------------------------------------------------------------


@dataclass(frozen=True)
class Poster:
    """What the access rule "needs.poster" decides on: the need's village and who claimed it."""

    region_code: str
    claimer_ids: frozenset[int]


def poster_target(session: Session, need_id: int) -> Poster:
    need = session.get(Need, need_id)
    claimers = session.scalars(select(Claim.helper_id).where(Claim.need_id == need_id,
                                                             Claim.status != ClaimStatus.withdrawn))
    return Poster(need.region_code, frozenset(claimers))


def require_poster(session: Session, user, need_id: int) -> None:
    access.require(user, "needs.poster", poster_target(session, need_id))


# --- images -----------------------------------------------------------------------------------------------


def _font(path: str, size: int):
    from PIL import ImageFont

    try:
        return ImageFont.truetype(path, size)
    except OSError:  # the CJK font is missing: Pillow's own face (Latin only) rather than no image
        return ImageFont.load_default(size)


def _wrap(draw, text: str, font, width: int, max_lines: int) -> list[str]:
    """Lines of ``text`` no wider than ``width``: Chinese breaks between any two characters."""
    lines, line = [], ""
    for char in text.replace("\n", " "):
        if draw.textlength(line + char, font=font) > width:
            lines.append(line)
            line = char.lstrip()
            if len(lines) == max_lines:
                lines[-1] = lines[-1][:-1] + "…"
                return lines
        else:
            line += char
    if line:
        lines.append(line)
    return lines


def _qr(url: str, box: int):
    import segno
    from PIL import Image

    buffer = io.BytesIO()
    qr = segno.make(url, error="m")
    modules = qr.symbol_size(border=2)[0]
    qr.save(buffer, kind="png", scale=max(1, box // modules), border=2)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


GREEN, INK, MUTED = (31, 111, 84), (33, 37, 41), (100, 110, 120)


def poster_png(need: board.PublicNeed, url: str, size: str, font_path: str, texts: dict[str, str]) -> bytes:
    """A poster of ``size`` ("a5" or "phone"): the county, the category, the public summary and a
    QR code of the short link. ``texts`` holds the translated words (title, category, scan)."""
    from PIL import Image, ImageDraw

    width, height = SIZES[size]
    unit = width / 100
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, int(unit * 22)), fill=GREEN)
    draw.text((unit * 6, unit * 5), need.county or "", font=_font(font_path, int(unit * 6)), fill="white")
    draw.text((unit * 6, unit * 12.5), texts["title"], font=_font(font_path, int(unit * 5)), fill="white")
    y = unit * 28
    draw.text((unit * 6, y), texts["category"], font=_font(font_path, int(unit * 6.5)), fill=GREEN)
    y += unit * 10
    body = _font(font_path, int(unit * 4.6))
    for line in _wrap(draw, need.summary, body, int(width - unit * 12), 8):
        draw.text((unit * 6, y), line, font=body, fill=INK)
        y += unit * 6.6
    place = " ".join(p for p in (need.town, texts.get("age", "")) if p)
    draw.text((unit * 6, y + unit * 2), place, font=_font(font_path, int(unit * 3.8)), fill=MUTED)
    qr_box = int(width * 0.5)
    qr = _qr(url, qr_box)
    top = int(height - qr.height - unit * 16)
    image.paste(qr, (int((width - qr.width) / 2), top))
    scan = _font(font_path, int(unit * 4))
    line = texts["scan"]
    draw.text(((width - draw.textlength(line, font=scan)) / 2, top + qr.height + unit * 3), line, font=scan, fill=INK)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(150, 150) if size == "a5" else (72, 72))
    return out.getvalue()


# Bump when ``poster_png`` draws differently: every kept poster is then drawn again.
POSTER_LAYOUT = 1


def poster_version(need: board.PublicNeed, url: str, size: str, font_path: str, texts: dict[str, str]) -> str:
    """A digest of everything ``poster_png`` draws from: a need whose summary, category, place or
    age band changes, another size, language or link gets another version (and ETag)."""
    shown = [POSTER_LAYOUT, need.id, need.summary, str(need.category), need.county, need.town, need.age_band,
             url, size, font_path, sorted(texts.items())]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()[:32]


def kept_poster(folder: str, need: board.PublicNeed, url: str, size: str, font_path: str,
                texts: dict[str, str]) -> tuple[bytes, str]:
    """The poster and its version: read from ``folder`` when this version was drawn before, else
    drawn and kept there (replacing the need's older versions at that size). A folder that cannot
    be written only means drawing it again next time."""
    version = poster_version(need, url, size, font_path, texts)
    path = Path(folder) / f"{need.id}-{size}-{version}.png"
    try:
        return path.read_bytes(), version
    except OSError:
        pass
    png = poster_png(need, url, size, font_path, texts)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(8)}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(png)
        os.replace(partial, path)  # whole or absent: a reader never sees half a poster
        for older in path.parent.glob(f"{need.id}-{size}-*.png"):
            if older != path:
                older.unlink(missing_ok=True)
    except OSError:
        log.exception("share: could not keep the poster of need %s", need.id)
        partial.unlink(missing_ok=True)
    return png, version


def card_png(need: board.PublicNeed, font_path: str, texts: dict[str, str]) -> bytes:
    """The share card (1200 × 630): category and county above the public summary."""
    from PIL import Image, ImageDraw

    width, height = CARD
    image = Image.new("RGB", CARD, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, height), fill=GREEN)
    draw.text((70, 50), texts["category"], font=_font(font_path, 56), fill=GREEN)
    draw.text((70, 130), f"{need.county} {need.town}".strip(), font=_font(font_path, 36), fill=MUTED)
    body = _font(font_path, 44)
    y = 210
    for line in _wrap(draw, need.summary, body, width - 140, 6):
        draw.text((70, y), line, font=body, fill=INK)
        y += 62
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
