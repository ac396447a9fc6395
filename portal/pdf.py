"""What every PDF the portal prints shares (the volunteer-hours certificate, the donation receipt)."""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

# A CID font every PDF reader has built in: Chinese text without shipping or fetching a font file.
FONT = "STSong-Light"


def chinese_font() -> str:
    """The name of the built-in CID font that draws Chinese, registered once per process, so every
    PDF of the portal uses the same face."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT
