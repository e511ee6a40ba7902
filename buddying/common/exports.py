"""CSV written safely: every cell every export writes goes through ``safe_cell``.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and a
leading tab or carriage return can hide one), so a note such as ``=HYPERLINK(…)`` exported raw runs
when a regulator opens the file. Following OWASP's CSV-injection advice, such a cell is prefixed
with a single quote, which the spreadsheet shows as text.

One exception keeps the figures usable: a cell that is a plain number (``-12.5``, ``+3``,
``-1e3``) stays as it is, since a number is never a formula and a variance must still add up.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import BinaryIO

from django.db.models import Expression, TextField
from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ASCII digits only: what a spreadsheet reads as a number (and what ``SqlCell`` tests in SQL).
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def safe_cell(value) -> str:
    """The text of one CSV cell, neutralised if a spreadsheet could read it as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


_WRITER = csv.writer(_Echo())


def csv_line(row: Iterable) -> str:
    """One CSV line (with its line ending), every cell through ``safe_cell``."""
    return _WRITER.writerow([safe_cell(cell) for cell in row])


# Rows are written in blocks of this many: one write per line would be one system call per row
# (a million for the national deliveries), which costs more than writing the rows.
CSV_BLOCK_ROWS = 500


def text_cell(cell: Callable = str) -> Callable[[object], str]:
    """A column's formatter for text: ``""`` for ``None``, else ``cell(value)`` through
    ``safe_cell``. Any column whose text a person wrote or could have written is one of these."""
    if cell is str:
        return safe_cell  # it writes None as "" and text through str() itself

    def formatter(value) -> str:
        return "" if value is None else safe_cell(cell(value))

    return formatter


def plain_cell(cell: Callable = str) -> Callable[[object], str]:
    """A column's formatter for values whose text cannot start a formula: ids, whole numbers,
    decimals written as plain numbers, ISO dates and times, booleans. ``safe_cell`` would leave
    each as it is, so it is not asked (that is most of a row's cost)."""
    if cell is str:
        return lambda value: "" if value is None else str(value)

    def formatter(value) -> str:
        return "" if value is None else str(cell(value))

    return formatter


def csv_blocks(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """The CSV text of ``header`` and ``rows`` (cells already made safe by their formatters), in
    blocks of ``CSV_BLOCK_ROWS`` lines. The one writer of every export's text: streamed and
    queued files are the same bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(name) for name in header])
    rows = iter(rows)
    batch = list(islice(rows, CSV_BLOCK_ROWS))
    while batch:
        if isinstance(batch[0], CsvLine):
            buffer.write("\r\n".join(batch))  # lines PostgreSQL wrote: the csv module's ending
            buffer.write("\r\n")
        else:
            writer.writerows(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        batch = list(islice(rows, CSV_BLOCK_ROWS))
    if buffer.tell():
        yield buffer.getvalue()


def write_csv(header: list[str], rows: Iterable[list[str]], handle: BinaryIO) -> int:
    """Write the CSV to a binary file, UTF-8 as the download is; returns how many rows."""
    count = 0

    def counted() -> Iterator[list[str]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    for block in csv_blocks(header, counted()):
        handle.write(block.encode("utf-8"))
    return count


def stream_csv(
    header: list[str], rows: Iterable[list[str]], filename: str
) -> StreamingHttpResponse:
    """A CSV download written row by row, so an export of any size uses little memory. Each row's
    cells must already be safe: made by ``text_cell`` / ``plain_cell`` formatters.

    Whatever can fail (filters, the first query) must have run before this is called: once the
    response starts, its status is sent and an error can only cut the file short. ``rows`` is
    closed when the download ends or is abandoned (a generator releases its database cursor).
    """

    def lines() -> Iterator[str]:
        try:
            yield from csv_blocks(header, rows)
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Cells written by PostgreSQL ---------------------------------------------------------------

# Each kind of column as the SQL that writes the same text as its Python formatter (``{x}`` is
# the column). ``text`` is ``safe_cell``; the others ``plain_cell`` of the value's text.
_SQL_CELLS = {
    "text": (
        "CASE WHEN {x} IS NULL THEN '' "
        r"WHEN {x} ~ '^[-=+@\t\r]' "
        r"AND {x} !~ '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$' "
        "THEN '''' || {x} ELSE {x} END"
    ),
    "plain": "COALESCE(({x})::text, '')",  # ids, whole numbers, decimals at the column's places
    "date": "COALESCE(to_char({x}, 'YYYY-MM-DD'), '')",
    "bool": "CASE WHEN {x} THEN 'True' WHEN NOT {x} THEN 'False' ELSE '' END",
    # ISO 8601 in the zone, microseconds only when there are some, Z for UTC (DRF's text). Each
    # part is computed once a row where it can be: this is most of an export's work.
    "datetime": (
        "CASE WHEN {x} IS NULL THEN '' ELSE "
        "to_char({x} AT TIME ZONE {zone}, CASE WHEN date_trunc('second', {x}) = {x} "
        """THEN 'YYYY-MM-DD"T"HH24:MI:SS' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US' END) """
        "|| CASE ({x} AT TIME ZONE {zone}) - ({x} AT TIME ZONE 'UTC') WHEN interval '0' THEN 'Z' "
        "ELSE CASE WHEN {x} AT TIME ZONE {zone} > {x} AT TIME ZONE 'UTC' "
        "THEN '+' || to_char(({x} AT TIME ZONE {zone}) - ({x} AT TIME ZONE 'UTC'), 'HH24:MI') "
        "ELSE '-' || to_char(({x} AT TIME ZONE 'UTC') - ({x} AT TIME ZONE {zone}), 'HH24:MI') "
        "END END END"
    ),
}
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]+")


class SqlCell(Expression):
    """One CSV cell as PostgreSQL writes it: the same text the column's Python formatter writes
    (``text_cell()`` for ``text``, ``plain_cell`` of the value's text for the others), so an
    export reads finished cells and Python only joins them. ``tests/test_csv_cells.py`` checks
    that the two agree.

    ``datetime`` needs the zone DRF writes times in; its offsets are written to the minute (the
    zone database's offsets with seconds are all before 1900)."""

    output_field = TextField()

    def __init__(self, kind: str, expression, zone: str | None = None, quoted: bool = False):
        super().__init__()
        if kind not in _SQL_CELLS:
            raise ValueError(f"No SQL cell for {kind!r}.")
        if kind == "datetime" and not (zone and _ZONE_NAME.fullmatch(zone)):
            raise ValueError(f"A datetime cell needs a time zone's name, not {zone!r}.")
        self.kind, self.expression, self.zone = kind, expression, zone
        # Quoted as the csv module quotes for a line (``SqlLine``): only text can need it.
        self.quoted = quoted and kind == "text"

    def get_source_expressions(self):
        return [self.expression]

    def set_source_expressions(self, expressions):
        (self.expression,) = expressions

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.expression)
        template = _SQL_CELLS[self.kind]
        if self.quoted:
            # A comma, a quote, CR or LF in the text (the formula prefix adds none): in quotes,
            # its quotes doubled. Only one branch runs for a row.
            template = (
                rf"""CASE WHEN {{x}} ~ '[",\r\n]' THEN '"' || replace({template}, '"', '""') """
                f"""|| '"' ELSE {template} END"""
            )
        return (
            template.replace("{zone}", f"'{self.zone}'").replace("{x}", f"({sql})"),
            tuple(params) * template.count("{x}"),
        )


class CsvLine(str):
    """A row PostgreSQL wrote whole (``SqlLine``): its CSV text, without the line ending."""


class SqlLine(Expression):
    """A whole CSV line written by PostgreSQL from ``SqlCell``s: each quoted as the csv module
    quotes it, joined by commas. ``csv_blocks`` writes it as it is, so a row costs Python one
    string (``tests/buddying/test_csv_cells.py`` checks the file is the same)."""

    output_field = TextField()

    def __init__(self, cells: list[SqlCell]):
        super().__init__()
        self.cells = [SqlCell(c.kind, c.expression, c.zone, quoted=True) for c in cells]

    def get_source_expressions(self):
        return self.cells

    def set_source_expressions(self, expressions):
        self.cells = list(expressions)

    def as_sql(self, compiler, connection):
        parts, params = [], []
        for cell in self.cells:
            sql, cell_params = compiler.compile(cell)
            parts.append(sql)
            params.extend(cell_params)
        return "(" + " || ',' || ".join(parts) + ")", tuple(params)
