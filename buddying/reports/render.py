"""A built report as files: the HTML page (and the fragment the browser page shows), the PDF from
the same template (WeasyPrint: A4, page numbers, fonts embedded, the SVG charts as vectors),
the XLSX (one sheet per table, openpyxl) and the CSV. Every text cell of the XLSX and CSV goes
through ``buddying.common.exports.safe_cell``, so no cell is read as a formula."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from buddying.common import formatting, reports
from buddying.common.exports import safe_cell
from buddying.reports import charts
from buddying.reports.build import Report

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "reports.css"


def cell_text(value, column: reports.Column) -> str:
    """A figure as a board reads it (the precise figure is in the XLSX and CSV)."""
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, date):
        return formatting.date_long(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if column.unit == "gbp":
            return formatting.money(Decimal(str(value)).quantize(Decimal("1")))
        if column.unit == "percent":
            return f"{Decimal(str(value)):.0f}%"
        number = Decimal(str(value))
        if number == number.to_integral_value():
            return f"{int(number):,}"
        return f"{number:,.1f}" if abs(number) >= 10 else f"{number:,.2f}".rstrip("0")
    return str(value)


def number(value) -> str:
    """An SPC figure (mean, limit, target, a month's value) as a board reads it."""
    return cell_text(value, reports.Column("", numeric=True))


def _context(report: Report) -> dict:
    return {
        "report": report,
        "cell_text": cell_text,
        "number": number,
        "variation_icon": charts.variation_icon,
        "assurance_icon": charts.assurance_icon,
    }


def body_html(report: Report) -> str:
    return render_to_string("reports/_body.jinja", _context(report))


def document_html(report: Report) -> str:
    """A complete HTML document: the same body, with the report stylesheet (screen and print)."""
    return render_to_string(
        "reports/document.jinja",
        {**_context(report), "stylesheet": STYLESHEET.read_text(encoding="utf-8")},
    )


def pdf(document: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=document, base_url=str(settings.BASE_DIR)).write_pdf()


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", title).strip()[:28] or "Table"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]} {n}"
        n += 1
    used.add(name.lower())
    return name


def _xlsx_value(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal | date):
        return value
    return safe_cell(value)


def xlsx(report: Report) -> bytes:
    """Written row by row (openpyxl's write-only mode): the system-wide report's tables run to
    thousands of rows, and a workbook held whole in memory took seconds longer."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook(write_only=True)

    def header(sheet, titles) -> list:
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=safe_cell(title))
            cell.font = bold
            cells.append(cell)
        return cells

    summary = workbook.create_sheet("Summary")
    used = {"summary"}
    for row in (
        ("Report", report.title),
        ("Period", report.period_label),
        ("Built", formatting.datetime_long(report.generated_at)),
    ):
        summary.append([safe_cell(cell) for cell in row])
    summary.append([])
    summary.append(header(summary, ("Section", "Headline")))
    for section in report.sections:
        summary.append([safe_cell(section.title), safe_cell(section.headline)])
    for table in report.tables():
        sheet = workbook.create_sheet(_sheet_name(table.sheet or table.title, used))
        sheet.append(header(sheet, (column.title for column in table.columns)))
        for row in table.rows:
            sheet.append([_xlsx_value(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(report: Report) -> bytes:
    """Every table one after another: its title, its header, its rows and a blank line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(report.title)])
    writer.writerow([safe_cell(report.period_label)])
    writer.writerow([])
    for table in report.tables():
        writer.writerow([safe_cell(table.title)])
        writer.writerow([safe_cell(column.title) for column in table.columns])
        for row in table.rows:
            writer.writerow([safe_cell(value) for value in row])
        writer.writerow([])
    return out.getvalue().encode("utf-8")
