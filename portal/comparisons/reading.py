"""Reading a partner list: .xlsx or .csv (UTF-8 or GBK, detected), its headings found through the
partner's mapping (or the usual ones), streamed so an oversized list is refused after reading at
most one row past the limit, never loaded whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.children.spreadsheet import FileRejected, cell_text

KEYS = ("name", "id_number", "birth_date", "guardian", "address", "school", "region")
# Headings partners commonly use, recognised without a mapping.
USUAL_HEADINGS = {
    "name": ("姓名", "儿童姓名", "name"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number"),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "birth_date"),
    "guardian": ("监护人", "监护人姓名", "户主姓名", "户主", "guardian"),
    "address": ("地址", "住址", "家庭住址", "现住址", "address"),
    "school": ("学校", "就读学校", "school"),
    "region": ("所在村（社区）", "村（社区）", "所在地区", "行政区划代码", "region"),
}
SNIFF_BYTES = 64 * 1024


def headings_for(columns: dict) -> dict[str, str]:
    """{heading as written, lower case: key} for a partner's mapping plus the usual headings."""
    wanted = {}
    for key in KEYS:
        for heading in USUAL_HEADINGS[key]:
            wanted[heading.lower()] = key
    for key, heading in (columns or {}).items():
        if key in KEYS and (heading or "").strip():
            wanted[heading.strip().lower()] = key
    return wanted


def read_list(filename: str, stream, columns: dict, max_rows: int) -> list[tuple[int, dict]]:
    """(line, {key: text}) for each non-empty row of the list in ``stream`` (a binary file).

    Refuses (``FileRejected``, in the user's language) a file that is neither .xlsx nor .csv, text
    in another encoding than UTF-8 or GBK, a list without a name column or without both an
    identity number and a birth date column, a list with no rows, and one with more than
    ``max_rows`` rows (found after reading ``max_rows + 1`` of them).
    """
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return _rows_of(_xlsx_table(stream), columns, max_rows)
    if not name.endswith(".csv"):
        raise FileRejected(_l("Upload an .xlsx or .csv file."))
    try:
        return _rows_of(_csv_table(stream), columns, max_rows)
    except _NotUtf8:
        # The first bytes were plain ASCII (English headings, numbers): GBK shows only later.
        stream.seek(0)
        return _rows_of(_csv_table(stream, "gb18030"), columns, max_rows)


def _rows_of(table, columns: dict, max_rows: int) -> list[tuple[int, dict]]:
    header = next(table, None)
    if header is None:
        raise FileRejected(_l("The file is empty."))
    wanted = headings_for(columns)
    keys = [wanted.get(cell_text(h).lower()) for h in header]
    missing = []
    if "name" not in keys:
        missing.append((columns or {}).get("name") or "姓名")
    if "id_number" not in keys and "birth_date" not in keys:
        missing.append("{} / {}".format((columns or {}).get("id_number") or "身份证号",
                                        (columns or {}).get("birth_date") or "出生日期"))
    if missing:
        raise FileRejected(_l("Missing column(s): %(columns)s.", columns="、".join(missing)))
    rows = []
    for line, cells in enumerate(table, start=2):
        values = {k: cell_text(c) for k, c in zip(keys, cells, strict=False) if k}
        if not any(values.values()):
            continue
        if len(rows) >= max_rows:
            raise FileRejected(_l("At most %(n)d rows per list: split it (by town or county) and compare each part.",
                                  n=max_rows))
        rows.append((line, values))
    if not rows:
        raise FileRejected(_l("The list has no rows under its headings."))
    return rows


def _xlsx_table(stream):
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileRejected(_l("This is not a readable .xlsx file.")) from None
    return (list(row) for row in sheet.iter_rows(values_only=True))


class _NotUtf8(Exception):
    """Guessed UTF-8 from plain ASCII first bytes, and later bytes are not UTF-8."""


def _csv_table(stream, encoding: str | None = None):
    head = stream.read(SNIFF_BYTES)
    if b"\x00" in head:  # UTF-16 and binary files
        raise FileRejected(_l("Save the list as CSV in UTF-8 or GBK (the file is in another encoding)."))
    guessed = encoding is None and head.isascii()
    encoding = encoding or _encoding_of(head)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")

    def rows():
        try:
            yield from csv.reader(text)
        except UnicodeDecodeError:
            if guessed:
                text.detach()  # the stream is read again, not closed with the wrapper
                raise _NotUtf8 from None
            raise FileRejected(_l("Save the list as CSV in UTF-8 or GBK (the file is in another encoding).")) from None
        except csv.Error:
            raise FileRejected(_l("This is not a readable .csv file.")) from None

    return rows()


def _encoding_of(head: bytes) -> str:
    """UTF-8 when the first bytes read as UTF-8 (an incomplete last character allowed), else GBK
    (as GB 18030, which Excel in China writes); neither is refused."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileRejected(_l("Save the list as CSV in UTF-8 or GBK (the file is in another encoding)."))


DATE_PATTERN = re.compile(r"^(\d{4})\D{0,2}?(\d{1,2})\D{0,2}?(\d{1,2})\D?$")


def parse_birth_date(text: str) -> date | None:
    """2015-03-08, 2015/3/8, 2015.03.08, 20150308, 2015年3月8日 (None when it is none of them)."""
    text = (text or "").strip()
    match = DATE_PATTERN.match(text[:10] if text[:10].count("-") == 2 and len(text) > 10 else text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
