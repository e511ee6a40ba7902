"""CSV written safely: every cell every export writes goes through ``safe_cell``.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and a
leading tab or carriage return can hide one), so a note such as ``=HYPERLINK(…)`` exported raw runs
when a regulator opens the file. Following OWASP's CSV-injection advice, such a cell is prefixed
with a single quote, which the spreadsheet shows as text.

One exception keeps the figures usable: a cell that is a plain number (``-12.5``, ``+3``,
``-1e3``) stays as it is, since a number is never a formula and a variance must still add up.
"""

import csv
import re
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


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


# Lines are sent in blocks of about this many characters: one write per line would be one
# system call per row (100,000 for the risks), which costs more than writing the rows.
CSV_BLOCK_CHARS = 64 * 1024


def stream_csv(header: list[str], rows: Iterable[Iterable], filename: str) -> StreamingHttpResponse:
    """A CSV download written row by row, so an export of any size uses little memory.

    Whatever can fail (filters, the first query) must have run before this is called: once the
    response starts, its status is sent and an error can only cut the file short. ``rows`` is
    closed when the download ends or is abandoned (a generator releases its database cursor).
    """

    def lines() -> Iterator[str]:
        block = [csv_line(header)]
        size = len(block[0])
        try:
            for row in rows:
                line = csv_line(row)
                block.append(line)
                size += len(line)
                if size >= CSV_BLOCK_CHARS:
                    yield "".join(block)
                    block, size = [], 0
            yield "".join(block)
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
