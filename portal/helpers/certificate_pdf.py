"""The volunteer service certificate (志愿服务证明) as a PDF, in the user's language.

Chinese is drawn with reportlab's built-in CID font STSong-Light: the PDF names the font and the
reader supplies the glyphs, so no font file is shipped or embedded and nothing is fetched. The
certificate carries its verification code (and the link and QR code to check it), so staff can tell
a genuine printed certificate from an edited one.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from babel.dates import format_date, format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.helpers.hours import ServiceCertificate, hours_text
from portal.pdf import chinese_font


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=19, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=24, leading=32, alignment=TA_CENTER, spaceAfter=8 * mm),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13, textColor=colors.HexColor("#444444")),
        "code": ParagraphStyle("code", parent=base, fontSize=8, leading=11, splitLongWords=True, wordWrap=None),
    }


def _qr(text: str, size: float = 28 * mm) -> Drawing:
    widget = QrCodeWidget(text, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def _issued(certificate: ServiceCertificate, styles, day):
    """Who issued it and when; with the county's seal beside it when one is configured."""
    if not certificate.issuer:
        return Paragraph(escape(_("Issued on %(date)s by the Tongxin child care portal.",
                                  date=day(certificate.issued_on))), styles["small"])
    text = Paragraph(escape(_("Issued on %(date)s by %(issuer)s through the Tongxin child care portal.",
                              date=day(certificate.issued_on), issuer=certificate.issuer)), styles["body"])
    if not certificate.seal_path:
        return text
    seal = Image(certificate.seal_path, width=36 * mm, height=36 * mm, kind="proportional")
    return Table([[text, seal]], colWidths=[None, 40 * mm], hAlign="LEFT",
                 style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))


def render_certificate(certificate: ServiceCertificate, verify_page: str, verify_link: str) -> bytes:
    """The certificate as PDF bytes. ``verify_page`` is the public page that checks a code (printed),
    ``verify_link`` the same page with this certificate's code filled in (the QR code)."""
    font = chinese_font()
    styles = _styles(font)
    locale = get_locale()

    def day(d) -> str:
        return format_date(d, format="long", locale=locale)

    title = _("Volunteer service certificate")
    period = _("%(start)s to %(end)s", start=day(certificate.start), end=day(certificate.end))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=22 * mm, bottomMargin=20 * mm,
        # Metadata: what the document is and whose; nothing else about the volunteer.
        title=f"{title} · {certificate.name}", author=_("Tongxin child care portal"), subject=period,
        creator=_("Tongxin child care portal"), keywords="", lang=str(locale),
    )
    story = [
        Paragraph(escape(title), styles["title"]),
        Paragraph(escape(_(
            "This is to certify that %(name)s served as a volunteer from %(start)s to %(end)s, with "
            "%(hours)s hours of approved volunteer service in all.",
            name=certificate.name, start=day(certificate.start), end=day(certificate.end),
            hours=certificate.hours,
        )), styles["body"]),
        Spacer(1, 6 * mm),
    ]
    if certificate.months:
        rows = [[_("Month"), _("Hours"), _("Services")]]
        rows += [[format_skeleton("yMMM", m.month, locale=locale), hours_text(m.minutes), str(m.services)]
                 for m in certificate.months]
        rows.append([_("Total"), certificate.hours, str(sum(m.services for m in certificate.months))])
        table = Table(rows, colWidths=[70 * mm, 40 * mm, 40 * mm], repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), font, 10.5),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]))
        story.append(table)
    else:
        story.append(Paragraph(escape(_("No approved service hours in this period.")), styles["body"]))
    story += [
        Spacer(1, 6 * mm),
        Paragraph(escape(_("Only service hours approved by child directors or child supervisors are counted.")),
                  styles["small"]),
        _issued(certificate, styles, day),
        Spacer(1, 8 * mm),
        Table(
            [[_qr(verify_link), [
                Paragraph(escape(_("To check this certificate, scan the code or open the verification page "
                                   "and enter the verification code.")), styles["small"]),
                Spacer(1, 2 * mm),
                Paragraph(escape(_("Verification code:")), styles["small"]),
                Paragraph(escape(certificate.code), styles["code"]),
                Spacer(1, 2 * mm),
                Paragraph(escape(verify_page), styles["code"]),
            ]]],
            colWidths=[34 * mm, None], hAlign="LEFT",
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)]),
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
