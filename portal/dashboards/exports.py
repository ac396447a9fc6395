"""The report as files for the bureau's written report: .xlsx (the sentences, then every table)
and .docx (the sentences as paragraphs, then every table). Same figures as the page."""

from __future__ import annotations

import io

from flask_babel import gettext as _

from portal.dashboards.rules import Report
from portal.dashboards.sentences import formatted
from portal.dashboards.tables import Column, Row, Table


def _title(result: Report) -> str:
    data = result.dashboard
    return f"{data.scope.region.name} {data.period.value}"


def _cell(row: Row, column: Column, previous: bool = False):
    value = (row.previous if previous else row.values).get(column.key)
    return formatted(value, column.unit)


def _header(table: Table) -> list[str]:
    out = [""]
    for column in table.columns:
        out.append(str(column.label))
        if column.compare:
            out.append(_("%(figure)s, previous period", figure=column.label))
    return out


def _lines(table: Table) -> list[list[str]]:
    out = []
    for row in [*table.rows, *([table.total] if table.total else [])]:
        line = [str(row.label)]
        for column in table.columns:
            line.append(_cell(row, column))
            if column.compare:
                line.append(_cell(row, column, previous=True))
        out.append(line)
    return out


def _tables(result: Report) -> list[Table]:
    return [t for p in result.dashboard.panels for t in p.tables]


def workbook(result: Report) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Report")[:31]
    sheet.append([_title(result)])
    for sentence in result.sentences:
        sheet.append([sentence.text()])
    figures = book.create_sheet(_("Tables")[:31])
    for table in _tables(result):
        figures.append([str(table.title)])
        figures.append(_header(table))
        for line in _lines(table):
            figures.append(line)
        figures.append([])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def document(result: Report) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(_title(result), level=1)
    for sentence in result.sentences:
        doc.add_paragraph(sentence.text())
    for table in _tables(result):
        doc.add_heading(str(table.title), level=2)
        header = _header(table)
        grid = doc.add_table(rows=1, cols=len(header))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, header, strict=True):
            cell.text = text
        for line in _lines(table):
            for cell, text in zip(grid.add_row().cells, line, strict=True):
                cell.text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
