"""The donation receipt (捐赠收据) as a PDF, and amounts written in Chinese capital numerals (大写金额).

The receipt acknowledges one paid gift. It is a receipt of the fund or bureau that took the money,
not an official fiscal bill (公益事业捐赠统一票据, 财政票据) nor a tax invoice, and says so on its
face. Its number is allocated by the caller (gapless per year); a refund never takes the number back,
it stamps the receipt 已退款 or 部分退款 with the amount given back.

Chinese is drawn with the built-in CID font shared with the volunteer certificate, so no font file is
shipped or fetched. All money is integer fen: figures and capitals are computed with ``divmod``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from babel.dates import format_date
from flask import has_app_context
from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.pdf import chinese_font

LANGUAGES = ("zh", "en")

CHANNELS = ("online", "bank", "cash")

# Above 9999万亿元 Chinese would need 亿亿 or the ambiguous 兆; no gift comes near it.
MAX_FEN = 10**18 - 1

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("", "拾", "佰", "仟")


def _require_fen(value, name: str, *, allow_zero: bool) -> int:
    # bool is an int subclass and Decimal/float would carry fractions of a fen: only a real int passes.
    if type(value) is not int:
        raise ValueError(f"{name} must be an int number of fen, not {type(value).__name__}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'zero or more' if allow_zero else 'more than zero'} fen, not {value}")
    if value > MAX_FEN:
        raise ValueError(f"{name} is too large: {value} fen")
    return value


@dataclass(frozen=True)
class ReceiptData:
    """What one receipt prints. Built by the donations area; refuses amounts that are not positive
    whole fen, a refund larger than the gift, and an unknown channel, with ValueError."""

    number: str  # e.g. "2026-000123" (allocated by the caller)
    issued_on: date
    donor_name: str  # what to print: the donor's name, or anonymous_donor(lang) when anonymous
    amount_fen: int
    purpose: str  # the need's public title or the fund's name
    channel: str  # "online" | "bank" | "cash"
    issuer: str  # the fund or bureau issuing it
    refunded_fen: int = 0  # > 0: the receipt is stamped refunded / partly refunded with the amount
    verify_code: str = ""  # printed; the caller signs it

    def __post_init__(self) -> None:
        _require_fen(self.amount_fen, "amount_fen", allow_zero=False)
        _require_fen(self.refunded_fen, "refunded_fen", allow_zero=True)
        if self.refunded_fen > self.amount_fen:
            raise ValueError(f"refunded_fen {self.refunded_fen} exceeds amount_fen {self.amount_fen}")
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}; expected one of {', '.join(CHANNELS)}")
        if not isinstance(self.issued_on, date):
            raise ValueError("issued_on must be a date")
        for field in ("number", "donor_name", "purpose", "issuer"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{field} must be a non-empty text")
        if not isinstance(self.verify_code, str):
            raise ValueError("verify_code must be text")


def _section(n: int) -> str:
    """0 < n < 10000 in capitals: a run of zeros between two digits is one 零, trailing zeros are
    silent, and 拾 always carries its digit (壹拾, never a bare 拾 that 伍 could be written before)."""
    words = []
    pending_zero = False
    for place in range(3, -1, -1):
        digit = n // 10**place % 10
        if digit == 0:
            pending_zero = bool(words)
            continue
        if pending_zero:
            words.append("零")
            pending_zero = False
        words.append(_DIGITS[digit] + _PLACES[place])
    return "".join(words)


def _integer(n: int) -> str:
    """0 < n < 10**16 in capitals, by 万 (10**4) and 亿 (10**8) sections. A lower part that does not
    fill its section's top place starts with 零 (壹万零壹, 壹亿零柒佰万); zeros at the end of a
    section are not written (壹拾万柒仟, the regulation's first form)."""
    for size, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= size:
            high, low = divmod(n, size)
            words = _integer(high) + unit
            if low:
                words += ("零" if low < size // 10 else "") + _integer(low)
            return words
    return _section(n)


def capital_amount(fen: int) -> str:
    """``fen`` in Chinese capital numerals (大写金额), as the People's Bank of China prescribes in
    《支付结算办法》 annex 1 《正确填写票据和结算凭证的基本规定》 (银发〔1997〕393号), rules 2 and 4:

    - 整 follows 元 when there are no 角 and 分 (壹元整); none after 角 (壹元壹角) or 分.
    - Zeros inside the figures are written as one 零 per run (rules 4.1, 4.2): 壹仟肆佰零玖元伍角,
      陆仟零柒元壹角肆分, 壹万零壹元整, 壹亿零壹元整.
    - Rule 4.3 lets the writer choose when the 万 place or the 元 place is zero but the 仟 or the 角
      place is not; we always take the regulation's first example form: no 零 for zeros that end a
      万 or 亿 section (壹拾万柒仟元, 壹佰万元), and 零 after 元 when the 元 place is zero and 角
      follow (壹仟陆佰捌拾元零叁角贰分).
    - 零 after 元 when 角 is zero and 分 is not (rule 4.4): 壹元零伍分, 壹佰万元零壹分.
    - 拾 always carries its digit (壹拾元整, 壹拾万柒仟元), as in the regulation's examples.
    - Less than one yuan starts at its first non-zero unit (壹角, 伍分, 壹角伍分): there is no digit
      before it for a 零 to separate from. Zero is 零元整.

    The 人民币 prefix of rule 3 is not part of the words: the receipt prints it directly in front of
    them with no blank, and other callers may not want it. Refuses anything but a non-negative int
    below 10**18 fen with ValueError.
    """
    _require_fen(fen, "fen", allow_zero=True)
    yuan, fraction = divmod(fen, 100)
    jiao, fen_digit = divmod(fraction, 10)
    if yuan == 0 and fraction == 0:
        return "零元整"
    words = ""
    if yuan:
        words = _integer(yuan) + "元"
        if not fraction:
            return words + "整"
        if jiao == 0 or yuan % 10 == 0:
            words += "零"
    if jiao:
        words += _DIGITS[jiao] + "角"
    if fen_digit:
        words += _DIGITS[fen_digit] + "分"
    return words


def figures(fen: int) -> str:
    """``fen`` in figures with the yuan sign, thousands separated: 100001 → ¥ 1,000.01."""
    _require_fen(fen, "fen", allow_zero=True)
    yuan, cents = divmod(fen, 100)
    return f"¥ {yuan:,}.{cents:02d}"


def anonymous_donor(lang: str = "zh") -> str:
    """What a receipt prints instead of the name of a donor who gave anonymously (爱心人士)."""
    with force_locale(_language(lang)):
        return _("Anonymous donor")


def _language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    if not has_app_context():  # outside the app the catalog is not loaded: Chinese would print English
        raise RuntimeError("receipts are rendered inside the application (they need its translations)")
    return lang


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=2 * mm),
        "number": ParagraphStyle("number", parent=base, fontSize=9.5, alignment=TA_CENTER, spaceAfter=5 * mm),
        "body": base,
        "label": ParagraphStyle("label", parent=base, textColor=colors.HexColor("#444444")),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#444444")),
        "code": ParagraphStyle("code", parent=base, fontSize=7.5, leading=10, splitLongWords=True, wordWrap=None),
        "stamp": ParagraphStyle("stamp", parent=base, fontSize=13, leading=18, alignment=TA_CENTER,
                                textColor=colors.HexColor("#c00000")),
    }


def _channel_name(channel: str) -> str:
    # The short labels carry the context "receipt" so the donation pages may word theirs differently.
    return {
        "online": pgettext("receipt", "Online payment"),
        "bank": pgettext("receipt", "Bank transfer"),
        "cash": pgettext("receipt", "Cash"),
    }[channel]


def _refund_stamp(data: ReceiptData, styles: dict[str, ParagraphStyle]) -> Table:
    """The red mark a refund leaves: the number stays this gift's, it only records what went back."""
    if data.refunded_fen == data.amount_fen:
        text = _("Refunded %(amount)s", amount=figures(data.refunded_fen))
    else:
        text = _("Partly refunded %(amount)s", amount=figures(data.refunded_fen))
    stamp = Table([[Paragraph(escape(text), styles["stamp"])]], colWidths=[70 * mm], hAlign="CENTER")
    stamp.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.5, colors.HexColor("#c00000")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    return stamp


def render(data: ReceiptData, lang: str = "zh") -> bytes:
    """The receipt as PDF bytes in ``lang`` ("zh" or "en"). The amount in capitals is Chinese in both
    languages: it is the form banks and auditors read. The PDF's metadata names the receipt and the
    issuer, never the donor, so a forwarded file says no more than its printed face."""
    with force_locale(_language(lang)):
        return _render(data, lang)


def _render(data: ReceiptData, lang: str) -> bytes:
    font = chinese_font()
    styles = _styles(font)
    title = _("Donation receipt")

    def row(label: str, value: str, style: str = "body") -> list[Paragraph]:
        return [Paragraph(escape(label), styles["label"]), Paragraph(escape(value), styles[style])]

    rows = [
        row(pgettext("receipt", "Date"), format_date(data.issued_on, format="long", locale=lang)),
        row(pgettext("receipt", "Received from"), data.donor_name),
        row(pgettext("receipt", "Amount"), figures(data.amount_fen)),
        # Rule 3 of the payment regulation: 人民币 directly before the capitals, no blank between.
        row(pgettext("receipt", "Amount in words"), "人民币" + capital_amount(data.amount_fen)),
        row(pgettext("receipt", "Purpose"), data.purpose),
        row(pgettext("receipt", "Payment channel"), _channel_name(data.channel)),
        row(pgettext("receipt", "Issued by"), data.issuer),
    ]
    if data.verify_code:
        rows.append(row(_("Verification code"), data.verify_code, "code"))
    table = Table(rows, colWidths=[30 * mm, None], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#bbbbbb")),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A5, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=16 * mm, bottomMargin=14 * mm,
        title=f"{title} {data.number}", author=data.issuer, subject=title,
        creator=_("Tongxin child care portal"), keywords="", lang=lang,
    )
    story = [
        Paragraph(escape(title), styles["title"]),
        Paragraph(escape(_("No. %(number)s", number=data.number)), styles["number"]),
    ]
    if data.refunded_fen:
        story += [_refund_stamp(data, styles), Spacer(1, 4 * mm)]
    story += [
        table,
        Spacer(1, 6 * mm),
        Paragraph(escape(_("Thank you for caring for children in difficulty.")), styles["body"]),
        Spacer(1, 4 * mm),
        Paragraph(escape(_("This receipt acknowledges a donation. It is not a tax invoice and not an official "
                           "fiscal donation bill.")), styles["small"]),
    ]
    if data.refunded_fen:
        story.append(Paragraph(escape(_(
            "%(amount)s of this donation was refunded. The receipt keeps its number; a number is never reused.",
            amount=figures(data.refunded_fen),
        )), styles["small"]))
    doc.build(story)
    return buffer.getvalue()
