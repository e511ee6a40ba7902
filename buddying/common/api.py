"""What every API endpoint shares: pagination, the error shape, CSV export and incremental sync.

Services raise Django's ``ValidationError`` (400, field-keyed), ``PermissionDenied`` (403) and
``StateConflict`` (409); this module turns them into DRF responses so the API and the browser
report the same messages.
"""

from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import date, datetime, timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import FieldError
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections, transaction
from django.db.models import F
from django.db.models.expressions import Col
from django.urls import NoReverseMatch, reverse
from django_filters import fields as filter_fields
from django_filters import rest_framework as filters
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import ISO_8601, api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from buddying.common.errors import StaleVersion, StateConflict
from buddying.common.exports import (
    CsvLine,
    SqlCell,
    SqlLine,
    csv_line,
    plain_cell,
    safe_cell,
    stream_csv,
    text_cell,
)
from buddying.common.pagination import Pagination
from buddying.common.serializers import ReadFast

# Re-exported: CSV writers import stream_csv from here or from exports; settings name Pagination.
__all__ = ["Pagination", "stream_csv"]

UUID_REGEX = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


def _messages(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def _encodable(value):
    """``value`` with every string made encodable as UTF-8.

    A message may repeat what the client sent (DRF's "\"x\" is not a valid choice."); a lone
    surrogate in it would make the renderer fail, turning a 400 into a 500.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # Keep the message's class (ErrorDetail keeps its code) but not the bad character.
            cleaned = value.encode("utf-8", "backslashreplace").decode("utf-8")
            code = getattr(value, "code", None)
            return exceptions.ErrorDetail(cleaned, code) if code else cleaned
        return value
    if isinstance(value, dict):
        return {_encodable(key): _encodable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encodable(item) for item in value]
    return value


def exception_handler(exc, context):
    """Every error the API answers, in one JSON shape: ``{"detail": ...}`` or field messages."""
    if isinstance(exc, StaleVersion):
        response = Response(
            {"detail": " ".join(exc.messages)}, status=status.HTTP_412_PRECONDITION_FAILED
        )
    elif isinstance(exc, StateConflict):
        response = Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, DjangoValidationError):
        response = Response(_messages(exc), status=status.HTTP_400_BAD_REQUEST)
    else:
        if isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied(str(exc) or None)
        response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = _encodable(response.data)
    return response


# --- Filters -----------------------------------------------------------------------------------

# The widest offsets any time zone uses (UTC-12:00 to UTC+14:00). Beyond them a time is almost
# certainly a mistake, and from ±16:00 PostgreSQL cannot read it at all.
MAX_UTC_OFFSET = timedelta(hours=14)


class IsoDateTimeField(filter_fields.IsoDateTimeField):
    """django-filter's ISO 8601 field, refusing UTC offsets no time zone has (400, not a 500)."""

    default_error_messages = {
        "invalid": "Enter a date and time in ISO 8601 format, such as 2026-04-01T09:30:00Z.",
        "offset": "Enter a UTC offset between -14:00 and +14:00.",
    }

    def to_python(self, value):
        value = super().to_python(value)
        offset = value.utcoffset() if value is not None else None
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise forms.ValidationError(self.error_messages["offset"], code="offset")
        return value


class IsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = IsoDateTimeField


class UpdatedSinceFilterSet(filters.FilterSet):
    """Base for every API FilterSet: ``updated_since`` (ISO 8601) for incremental sync.

    A value DRF's filter backend cannot use answers 400 with the parameter's name as the key
    (``{"updated_since": ["Enter a date and time ..."]}``), on the list and on its CSV export.
    """

    updated_since = IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Changed at or after (ISO 8601, UTC offset between -14:00 and +14:00)",
    )


class CSVRenderer(BaseRenderer):
    """Lets ``?format=csv`` through content negotiation; ``CSVExportMixin`` streams the body."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Lists stream; what reaches here is an error or one object: one "name, value" row each.
        if isinstance(data, dict):
            rows = [[key, _plain(value)] for key, value in data.items()]
        else:
            rows = [[_plain(data)]]
        return "".join(csv_line(row) for row in rows).encode()


def _plain(value) -> str:
    """Error messages and nested values as plain text (not ``[ErrorDetail(string=...)]``)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_plain(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(_plain(item) for item in value)
    return str(value)


def _flatten(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        for key in ("reference", "ods_code", "id"):
            if key in value:
                return str(value[key])
        if "organisation" in value:
            # An organisation in a role, e.g. a party: "buddy RAL".
            role = value.get("role") or ""
            return f"{role} {_flatten(value['organisation'])}".strip()
        return str(value)
    if isinstance(value, list):
        return "; ".join(_flatten(item) for item in value)
    return str(value)


class CSVExportMixin:
    """``?format=csv`` on a list streams every matching row (filters apply, pagination does not).

    Columns are the serializer's fields, or ``csv_fields`` when the view names them; related
    objects are written as their reference, ODS code or id. Cells are neutralised against
    formula injection (``buddying.common.exports.safe_cell``).

    Everything that can fail runs before the status is sent: the filters (a bad one is a 400), the
    first query and the first chunk's serialisation. Errors are JSON, as everywhere in the API.
    """

    csv_fields: list[str] | None = None
    # Columns the plain-rows export cannot derive from the serializer: name → (lookup, cell).
    csv_lookups: dict[str, tuple] = {}
    csv_filename = "export.csv"
    csv_chunk_size = 2000  # the first rows, read inside the request
    csv_stream_chunk_size = 2500  # the rest, this many a fetch: a wide row (a risk) is kilobytes

    def get_renderers(self):
        return [*super().get_renderers(), CSVRenderer()]

    def _csv_requested(self) -> bool:
        return getattr(getattr(self.request, "accepted_renderer", None), "format", None) == "csv"

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if self._csv_requested():
            # An error is JSON whatever format was asked for, so clients read it one way.
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response

    def _csv_plan(self, queryset, fields: list[str]):
        """How to write each column straight from ``values_list()`` rows: ``(lookups,
        formatters, kinds)`` where each formatter turns the raw value into the cell the
        serializer would write, made safe (``buddying.common.exports``), and each kind says which
        ``SqlCell`` could write it instead, if the column's type allows (``None``: none).

        ``None`` when a column cannot be read that way (a list, a method field that
        ``csv_lookups`` does not name): then every row goes through the serializer instead.
        """
        serializer = self.get_serializer()
        overrides = getattr(self, "csv_lookups", {})
        lookups, formatters, kinds = [], [], []
        for name in fields:
            field = serializer.fields.get(name)
            if name in overrides:
                lookup, cell = overrides[name]
                formatter, kind = text_cell(_flat(cell)), "text" if cell is str else None
            elif field is None or isinstance(
                field, serializers.ListSerializer | serializers.SerializerMethodField
            ):
                return None
            elif isinstance(field, serializers.BaseSerializer):
                # A related object in brief: written as its reference, ODS code or id.
                key = next((k for k in ("reference", "ods_code", "id") if k in field.fields), None)
                if key is None or field.source == "*":
                    return None
                lookup = f"{field.source.replace('.', '__')}__{key}"
                formatter, kind = text_cell(), "text"
            elif field.source == "*":
                return None
            elif isinstance(field, serializers.ModelField):
                # Its to_representation reads the object, not a value: the value as it is.
                lookup, formatter, kind = field.source.replace(".", "__"), text_cell(), "text"
            else:
                lookup = field.source.replace(".", "__")
                formatter, kind = _formatter(field), _sql_kind(field)
            lookups.append(lookup)
            formatters.append(formatter)
            kinds.append(kind)
        try:
            queryset.values_list(*lookups)  # resolves every lookup now: FieldError if one is bad
        except (FieldError, AttributeError, TypeError):
            return None
        return lookups, formatters, kinds

    def csv_export(self, queryset) -> tuple[list[str], object, Callable]:
        """What every export of this list writes, streamed or queued: ``(header, source, row)``
        where ``source`` is the queryset to read (totally ordered) and ``row`` the one function
        that turns each of its items into the row's safe cells."""
        queryset = _totally_ordered(queryset)
        fields = self.csv_fields or list(self.get_serializer().fields)
        plan = self._csv_plan(queryset, fields)
        if plan is None:
            source = queryset

            def row(obj) -> list[str]:
                data = self.get_serializer(obj).data
                return [safe_cell(_flatten(data.get(field))) for field in fields]

            return fields, source, row
        # Plain rows through one row function: no model instance and no serializer per row.
        lookups, formatters, kinds = plan
        if connections[queryset.db].vendor == "postgresql":
            # PostgreSQL writes every cell it can as the finished text (``SqlCell``), in its own
            # process, while this one streams: a million rows take seconds, not a minute.
            cells = {
                index: cell
                for index, (lookup, kind) in enumerate(zip(lookups, kinds, strict=True))
                if (cell := _sql_cell(queryset, lookup, kind)) is not None
            }
            queryset = queryset.annotate(
                **{f"_csv_cell_{index}": cell for index, cell in cells.items()}
            )
            lookups = [
                f"_csv_cell_{index}" if index in cells else lookup
                for index, lookup in enumerate(lookups)
            ]
            formatters = [
                _as_is if index in cells else format_ for index, format_ in enumerate(formatters)
            ]
            if len(cells) == len(lookups):
                # Every cell PostgreSQL's: it writes the whole line, Python only joins lines.
                line = SqlLine([cells[index] for index in range(len(lookups))])
                return (
                    fields,
                    queryset.annotate(_csv_line=line).values_list("_csv_line", flat=True),
                    CsvLine,
                )
        source = queryset.values_list(*lookups)

        def row(values) -> list[str]:
            return [format_(value) for format_, value in zip(formatters, values, strict=True)]

        return fields, source, row

    def csv_rows(self, source, row, *, first: int = 0) -> Iterator[list[str]]:
        """Every row of ``source`` after the first ``first``, from a server-side cursor inside a
        transaction: inside one the cursor streams, where in autocommit PostgreSQL declares it
        WITH HOLD and computes every row before sending the first."""
        items = source[first:] if first else source
        with transaction.atomic(using=source.db):
            for item in items.iterator(chunk_size=self.csv_stream_chunk_size):
                yield row(item)

    def list(self, request, *args, **kwargs):
        if not self._csv_requested():
            return super().list(request, *args, **kwargs)
        fields, source, row = self.csv_export(self.filter_queryset(self.get_queryset()))
        size = self.csv_chunk_size
        # The first chunk is one LIMIT query read and written out now, inside the request, so a
        # failure is an error response rather than a 200 whose file stops after the header; and
        # PostgreSQL sorts only what it needs for the first rows, so they come at once.
        first = [row(item) for item in source[:size]]

        def rest() -> Iterator[list[str]]:
            # The other rows, in a transaction opened once the response has left the middleware
            # (so nothing else the request wrote waits for the download).
            if len(first) < size:
                return
            yield from self.csv_rows(source, row, first=size)

        def rows() -> Iterator[list[str]]:
            remaining = rest()
            try:
                yield from first
                yield from remaining
            finally:
                remaining.close()  # an abandoned download ends its transaction and cursor now

        response = stream_csv(fields, rows(), self.csv_filename)
        with suppress(NoReverseMatch):
            # The route that queues the same export as a file (README, "Long exports").
            response["Link"] = f'<{reverse("report-list")}>; rel="export-queue"'
        return response


def _flat(cell: Callable) -> Callable:
    return lambda value: _flatten(cell(value))


# Fields whose every value is written as text that cannot start a formula (a UUID, an integer, a
# decimal as a plain number, an ISO date or time, true/false): written without ``safe_cell``.
_PLAIN_FIELDS = (
    serializers.UUIDField,
    serializers.IntegerField,
    serializers.DecimalField,
    serializers.BooleanField,
)


# The formatter of an id written as DRF writes a UUID (``str``, the hyphenated hex).
_UUID_CELL = plain_cell(str)


def _as_is(value):
    """A cell, or a row of cells, PostgreSQL has already written (``SqlCell``)."""
    return value


def _formatter(field) -> Callable[[object], str]:
    """The formatter of one column read from ``values_list()``: what ``field`` would write."""
    cell = field.to_representation
    if isinstance(field, serializers.UUIDField) and field.uuid_format == "hex_verbose":
        return _UUID_CELL
    if isinstance(field, serializers.DateTimeField):
        return plain_cell(_datetime_cell(field)) if _iso(field, "DATETIME") else text_cell(cell)
    if isinstance(field, serializers.DateField):
        return plain_cell(date.isoformat) if _iso(field, "DATE") else text_cell(cell)
    if isinstance(field, serializers.DecimalField) and getattr(
        field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING
    ):
        return plain_cell(_decimal_cell(field))
    if isinstance(field, _PLAIN_FIELDS):
        return plain_cell(cell)
    if type(field) is serializers.CharField:
        return text_cell()  # a CharField writes the value as text; what _flatten would too
    return text_cell(_flat(cell))


def _sql_kind(field) -> str | None:
    """Which ``SqlCell`` writes what ``_formatter(field)`` writes, given a column of the right
    type (``_sql_cell`` checks the column): ``None`` when only Python can."""
    if isinstance(field, serializers.UUIDField):
        return "uuid" if field.uuid_format == "hex_verbose" else None
    if isinstance(field, serializers.DateTimeField):
        zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
        name = getattr(zone, "key", None)  # a ZoneInfo's name, for PostgreSQL's AT TIME ZONE
        return f"datetime:{name}" if _iso(field, "DATETIME") and name else None
    if isinstance(field, serializers.DateField):
        return "date" if _iso(field, "DATE") else None
    if isinstance(field, serializers.DecimalField):
        # As ``_decimal_cell`` writes a value already at the field's places: the text as it is.
        if (
            not getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
            or field.localize
            or field.normalize_output
            or field.decimal_places is None
        ):
            return None
        return f"decimal:{field.decimal_places}"
    if isinstance(field, serializers.BooleanField):
        return "bool"
    if isinstance(field, serializers.IntegerField):
        return "int"
    if isinstance(field, serializers.ChoiceField) and not isinstance(
        field, serializers.MultipleChoiceField
    ):
        return "choice"  # the stored value as it is: text, or a whole number
    if type(field) is serializers.CharField:
        return "text"
    return None


_TEXT_COLUMNS = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
_INTEGER_COLUMNS = {
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
}


def _sql_cell(queryset, lookup: str, kind: str | None) -> SqlCell | None:
    """The ``SqlCell`` for column ``lookup`` of ``queryset`` if the column's type gives exactly
    the text its formatter writes, else ``None`` (that column stays with its formatter)."""
    if kind is None:
        return None
    kind, _, detail = kind.partition(":")
    try:
        expression = queryset.query.clone().resolve_ref(lookup)
        column = expression.output_field
    except (FieldError, AttributeError):
        return None
    while column.is_relation:
        column = column.target_field
    stored = column.get_internal_type()
    if kind in ("text", "choice") and stored in _TEXT_COLUMNS:
        return SqlCell("text", F(lookup))
    if kind in ("int", "choice") and stored in _INTEGER_COLUMNS:
        return SqlCell("plain", F(lookup))
    if kind in ("uuid", "text") and stored == "UUIDField":  # text that is never a formula
        return SqlCell("plain", F(lookup))
    if kind == "date" and stored == "DateField":
        return SqlCell("date", F(lookup))
    if kind == "bool" and stored == "BooleanField":
        return SqlCell("bool", F(lookup))
    if kind == "datetime" and stored == "DateTimeField":
        return SqlCell("datetime", F(lookup), zone=detail)
    if (
        kind == "decimal"
        and stored == "DecimalField"
        and isinstance(expression, Col)  # a stored column: every value at its places
        and str(column.decimal_places) == detail
    ):
        return SqlCell("plain", F(lookup))
    return None


def _iso(field, kind: str) -> bool:
    output = getattr(field, "format", getattr(api_settings, f"{kind}_FORMAT"))
    return isinstance(output, str) and output.lower() == ISO_8601


def _datetime_cell(field) -> Callable[[datetime], str]:
    """DRF's ``DateTimeField.to_representation`` for an aware time (every time PostgreSQL gives
    with ``USE_TZ``), without its per-value lookups: in the current time zone, ISO 8601, ``Z``
    for UTC."""
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if zone is None:
        return field.to_representation

    def cell(value: datetime) -> str:
        if value.tzinfo is None:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return cell


def _decimal_cell(field) -> Callable[[Decimal], str]:
    """DRF's ``DecimalField.to_representation``, quick for a value already at the field's places
    (every value of a column with those places): written as it is, else DRF's quantising."""
    places = field.decimal_places
    if places is None or field.localize or field.normalize_output:
        return field.to_representation

    def cell(value) -> str:
        if isinstance(value, Decimal) and value.as_tuple().exponent == -places:
            return f"{value:f}"
        return field.to_representation(value)

    return cell


def _totally_ordered(queryset):
    """``queryset`` ordered as it is, then by primary key, so its first chunk and the rest (two
    queries) split it at one place. A summary (``values()`` grouped by ``annotate()``) is left
    as it is: ordering by the key would split its groups into one row per object."""
    if queryset.query.group_by is not None:
        return queryset
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if not {"pk", "-pk", "id", "-id"} & {str(item) for item in ordering}:
        ordering.append("pk")
    return queryset.order_by(*ordering)


# --- Versions: ETag, If-None-Match and If-Match (DESIGN §6) ------------------------------------


def etag_for(version) -> str:
    return f'"{version}"'


class VersionedMixin:
    """For viewsets of models with a ``version``: detail responses carry it as the ``ETag``, a
    ``GET`` with a matching ``If-None-Match`` answers 304, and writes read ``If-Match`` through
    ``if_match_version()`` (pass it to the service, which answers 412 if it is stale)."""

    def if_match_version(self) -> int | None:
        """The version named by ``If-Match`` (``None`` when absent or ``*``). A tag this API never
        sent matches no version, so the service refuses the write with 412 — after it has checked
        that the person may make it at all."""
        header = self.request.headers.get("If-Match", "").strip()
        if not header or header == "*":
            return None
        tags = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
        if len(tags) != 1 or not tags[0].isdigit() or len(tags[0]) > 9:
            return -1
        return int(tags[0])

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if (
            200 <= response.status_code < 300
            and isinstance(data, dict)
            and "version" in data
            and "results" not in data
        ):
            etag = etag_for(data["version"])
            response["ETag"] = etag
            if request.method in ("GET", "HEAD") and etag in [
                tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")
            ]:
                not_modified = Response(status=status.HTTP_304_NOT_MODIFIED)
                not_modified["ETag"] = etag
                return super().finalize_response(request, not_modified, *args, **kwargs)
        return response


# --- Optional choices: null, never "", for "not set" (DESIGN §6) ------------------------------


class OptionalChoiceField(serializers.ChoiceField):
    """A choice that may be unset: answered as ``null`` (never ``""``, which is in no enum).

    Writes accept ``null`` or ``""`` for "not set"; both are stored as the model's blank.
    The schema documents it as the enum or null (``buddying.common.schema``).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        if not kwargs.get("read_only"):
            kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data is None and not self.read_only:
            # Stored as the model's blank, not NULL: the column is a non-null CharField.
            return True, ""
        return super().validate_empty_values(data)

    def to_representation(self, value):
        if value in ("", None):
            return None
        return super().to_representation(value)


class ModelSerializer(ReadFast, serializers.ModelSerializer):
    """DRF's ModelSerializer with the project's conventions: a model choice field that may be blank
    (``blank=True``) becomes an ``OptionalChoiceField``, so responses say ``null`` for "not set";
    rows are read as ``buddying.common.serializers.ReadFast`` reads them."""

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if model_field.choices and model_field.blank:
            field_class = OptionalChoiceField
            field_kwargs.pop("model_field", None)
        return field_class, field_kwargs
