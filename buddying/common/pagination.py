"""Pagination for every API list: capped offset pages for people, a keyset cursor for mirrors.

Two ways to read any list (DESIGN §6):

- ``?page=N`` (the default): pages people click through. Counting stops at ``MAX_OFFSET_ROWS``
  (``count`` is ``null`` beyond it) and pages reach only that far, so no request counts or skips
  a whole large table; beyond it the answer is a 400 that points at the cursor.
- ``?cursor=`` (empty to start): a keyset cursor over ``(updated_at, id)``. Each page is one
  indexed range read (``WHERE (updated_at, id) > (…)``, no ``OFFSET``, no ``COUNT``), so page
  1,000 costs what page 1 costs, and rows changed while a client pages move behind its position
  instead of shifting the pages: with ``updated_since`` and ``next`` a mirror reads every object
  created or changed since then once per change. ``resume`` is where to start next time.

Rows changed in the last ``API_SYNC_SETTLE_SECONDS`` are left for a later page: ``updated_at``
is stamped when a row is saved, not when its transaction commits, so a change still being
committed could otherwise land behind a position a client has already passed.
"""

import base64
import binascii
import json
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, ForeignObject
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.db.models.sql.datastructures import Join
from django.db.models.sql.where import WhereNode
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_OFFSET_ROWS = 10_000
CURSOR_START = ("", "start")


def _is_summary(queryset) -> bool:
    """Rows of ``values()`` (added up), not objects: a list of objects with counts annotated has
    ``group_by`` ``True`` (by the whole row), a summary a tuple of its keys."""
    return queryset._fields is not None or isinstance(queryset.query.group_by, tuple)


def page_of(queryset, start: int, stop: int):
    """Rows ``start`` to ``stop`` of ``queryset``, their ids chosen first.

    The page's ids come from a subquery that filters, sorts and skips the bare rows (no joined
    rows, no figures: ``values("pk")`` keeps only what the filter and the order need); the outer
    query joins and computes the figures for those ids alone. Otherwise PostgreSQL joins every
    visible row (10,533 of a trust's risk actions, each to its risk, partnership and owner)
    before sorting them for 50, and computes the figures of every skipped row on a deep page.
    It stays one query: a subquery with ``LIMIT`` is not flattened into the outer one.

    The ids already passed the filters, so the outer query does not repeat them (PostgreSQL
    would otherwise read every visible row a second time to match them against 50 ids) — unless
    a filter joined a to-many relation, whose join would then multiply the rows. A summary (rows
    added up), a grouped list or a combined query is sliced as it is: its ids are not its rows.
    """
    query = queryset.query
    if _is_summary(queryset) or query.group_by is not None or query.combinator:
        return queryset[start:stop]
    ids = queryset.values("pk")[start:stop]
    rows = queryset.all()
    if all(_single_valued(join) for join in rows.query.alias_map.values()):
        rows.query.where = WhereNode()
    return rows.filter(pk__in=ids)


def _single_valued(join) -> bool:
    """Whether a table in a query's ``FROM`` gives each row at most one row: the base table, or
    a join along a foreign key (not back along one, not many-to-many, not a filtered relation)."""
    if not isinstance(join, Join):
        return True
    field = join.join_field
    return (
        join.filtered_relation is None
        and isinstance(field, ForeignObject)
        and (field.many_to_one or field.one_to_one)
    )


def _cursor_error(message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({"cursor": [message]})


def encode_cursor(updated_at: datetime, pk, direction: str = "n") -> str:
    payload = json.dumps([updated_at.isoformat(), str(pk), direction], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[datetime, str, str]:
    """``(updated_at, pk, direction)`` from a cursor this API sent; anything else is a 400."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        when, pk, direction = json.loads(raw)
        updated_at = datetime.fromisoformat(when)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _cursor_error("This cursor is not one this API gave out.") from None
    if updated_at.tzinfo is None or direction not in ("n", "p") or not isinstance(pk, str):
        raise _cursor_error("This cursor is not one this API gave out.")
    return updated_at, pk, direction


class Pagination(BasePagination):
    """Offset pages by default (capped), the ``(updated_at, id)`` keyset with ``?cursor=``."""

    page_size_query_param = "page_size"
    max_page_size = 500
    page_query_param = "page"
    cursor_query_param = "cursor"

    def get_page_size(self, request) -> int:
        text = request.query_params.get(self.page_size_query_param)
        if text:
            try:
                size = int(text)
            except ValueError:
                size = 0
            if size > 0:
                return min(size, self.max_page_size)
        return api_settings.PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        if self.cursor_query_param in request.query_params:
            self.mode = "cursor"
            return self._cursor_page(queryset, request.query_params[self.cursor_query_param])
        self.mode = "page"
        return self._offset_page(queryset, request.query_params.get(self.page_query_param, "1"))

    # --- Offset pages -------------------------------------------------------------------------

    def _offset_page(self, queryset, text: str) -> list:
        try:
            number = int(text)
        except ValueError:
            number = 0
        if number < 1:
            raise exceptions.NotFound("Invalid page.")
        start = (number - 1) * self.page_size
        if start >= MAX_OFFSET_ROWS:
            raise exceptions.ValidationError(
                {
                    self.page_query_param: [
                        f"Pages reach the first {MAX_OFFSET_ROWS:,} rows. "
                        "Read further with ?cursor= (follow next)."
                    ]
                }
            )
        # Counts at most one row past the cap: a bounded read, whatever the table's size. Only
        # the ids, unsorted: the list's figures (subqueries per row) are not computed to count.
        # A summary (rows of ``values()`` added up) is counted by its groups, as it is.
        if _is_summary(queryset):
            counted = queryset.order_by()[: MAX_OFFSET_ROWS + 1].count()
        else:
            counted = queryset.order_by().values("pk")[: MAX_OFFSET_ROWS + 1].count()
        if start >= counted and number != 1:
            raise exceptions.NotFound("Invalid page.")
        self.number = number
        self.count = counted if counted <= MAX_OFFSET_ROWS else None
        self.has_next = start + self.page_size < min(counted, MAX_OFFSET_ROWS)
        return list(page_of(queryset, start, start + self.page_size))

    def _page_link(self, number: int) -> str:
        if number == 1:
            return remove_query_param(self.base_url, self.page_query_param)
        return replace_query_param(self.base_url, self.page_query_param, number)

    # --- Keyset cursor ------------------------------------------------------------------------

    def _cursor_page(self, queryset, text: str) -> list:
        model = queryset.model
        try:
            model._meta.get_field("updated_at")
        except FieldDoesNotExist:
            model = None
        # A summary (rows of ``values()`` added up) has no row to hold a position; a list of
        # objects with counts annotated (``group_by`` is ``True``: by the whole row) has.
        summary = _is_summary(queryset)
        if model is None or summary:
            raise _cursor_error("This list is a summary; read it with ?page=.")
        pk = model._meta.pk.name
        key = Tuple(F("updated_at"), F(pk))
        settle = timedelta(seconds=settings.API_SYNC_SETTLE_SECONDS)
        queryset = queryset.filter(updated_at__lte=timezone.now() - settle)
        self.position = None
        direction = "n"
        if text not in CURSOR_START:
            updated_at, key_pk, direction = decode_cursor(text)
            try:
                key_value = model._meta.pk.to_python(key_pk)
            except Exception:
                raise _cursor_error("This cursor is not one this API gave out.") from None
            self.position = (updated_at, key_value)
            lookup = TupleGreaterThan if direction == "n" else TupleLessThan
            queryset = queryset.filter(lookup(key, self.position))
        if direction == "n":
            rows = list(queryset.order_by("updated_at", pk)[: self.page_size + 1])
            more = len(rows) > self.page_size
            rows = rows[: self.page_size]
            self.more_after, self.more_before = more, self.position is not None
        else:
            rows = list(queryset.order_by("-updated_at", f"-{pk}")[: self.page_size + 1])
            more = len(rows) > self.page_size
            rows = rows[: self.page_size][::-1]
            self.more_after, self.more_before = True, more
        self.first = rows[0] if rows else None
        self.last = rows[-1] if rows else None
        return rows

    def _cursor_link(self, obj, direction: str) -> str:
        cursor = encode_cursor(obj.updated_at, obj.pk, direction)
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def _resume_link(self) -> str:
        if self.last is not None:
            return self._cursor_link(self.last, "n")
        if self.position is not None:
            cursor = encode_cursor(*self.position, "n")
            return replace_query_param(self.base_url, self.cursor_query_param, cursor)
        return replace_query_param(self.base_url, self.cursor_query_param, "")

    # --- Responses ----------------------------------------------------------------------------

    def get_next_link(self) -> str | None:
        if self.mode == "page":
            return self._page_link(self.number + 1) if self.has_next else None
        if self.more_after and self.last is not None:
            return self._cursor_link(self.last, "n")
        return None

    def get_previous_link(self) -> str | None:
        if self.mode == "page":
            return self._page_link(self.number - 1) if self.number > 1 else None
        if self.more_before and self.first is not None:
            return self._cursor_link(self.first, "p")
        return None

    def get_paginated_response(self, data):
        if self.mode == "page":
            return Response(
                {
                    "count": self.count,
                    "next": self.get_next_link(),
                    "previous": self.get_previous_link(),
                    "results": data,
                }
            )
        return Response(
            {
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "resume": self._resume_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "nullable": True,
                    "description": f"Offset pages only: rows matching, null beyond "
                    f"{MAX_OFFSET_ROWS:,}.",
                },
                "next": link,
                "previous": link,
                "resume": {
                    **link,
                    "description": "Cursor pages only: where to read what changes after this "
                    "page (store it and ask it next time).",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": f"Page number (pages reach the first {MAX_OFFSET_ROWS:,} rows).",
                "schema": {"type": "integer"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (at most {self.max_page_size}).",
                "schema": {"type": "integer"},
            },
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Read by (updated_at, id) instead of by page: empty to start, "
                "then follow next. For incremental sync with updated_since.",
                "schema": {"type": "string"},
            },
        ]
