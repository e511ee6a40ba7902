"""What every API endpoint shares: pagination, the error shape, CSV export and incremental sync.

Services raise Django's ``ValidationError`` (400, field-keyed), ``PermissionDenied`` (403) and
``StateConflict`` (409); this module turns them into DRF responses so the API and the browser
report the same messages.
"""

from collections.abc import Iterator
from datetime import timedelta

from django import forms
from django.core.exceptions import FieldError
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django_filters import fields as filter_fields
from django_filters import rest_framework as filters
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from buddying.common.errors import StaleVersion, StateConflict
from buddying.common.exports import csv_line, stream_csv
from buddying.common.pagination import Pagination

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
    csv_chunk_size = 2000

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
        """How to write each column straight from ``values_list()`` rows: ``(lookups, cells)``
        where each cell function turns the raw value into what the serializer would write.

        ``None`` when a column cannot be read that way (a list, a method field that
        ``csv_lookups`` does not name): then every row goes through the serializer instead.
        """
        serializer = self.get_serializer()
        overrides = getattr(self, "csv_lookups", {})
        lookups, cells = [], []
        for name in fields:
            field = serializer.fields.get(name)
            if name in overrides:
                lookup, cell = overrides[name]
            elif field is None or isinstance(
                field, serializers.ListSerializer | serializers.SerializerMethodField
            ):
                return None
            elif isinstance(field, serializers.BaseSerializer):
                # A related object in brief: written as its reference, ODS code or id.
                key = next((k for k in ("reference", "ods_code", "id") if k in field.fields), None)
                if key is None or field.source == "*":
                    return None
                lookup, cell = f"{field.source.replace('.', '__')}__{key}", str
            elif field.source == "*":
                return None
            elif isinstance(field, serializers.ModelField):
                # Its to_representation reads the object, not a value: the value as it is.
                lookup, cell = field.source.replace(".", "__"), str
            else:
                lookup, cell = field.source.replace(".", "__"), field.to_representation
            lookups.append(lookup)
            cells.append(cell)
        try:
            queryset.values_list(*lookups)  # resolves every lookup now: FieldError if one is bad
        except (FieldError, AttributeError, TypeError):
            return None
        return lookups, cells

    def list(self, request, *args, **kwargs):
        if not self._csv_requested():
            return super().list(request, *args, **kwargs)
        queryset = _totally_ordered(self.filter_queryset(self.get_queryset()))
        fields = self.csv_fields or list(self.get_serializer().fields)
        plan = self._csv_plan(queryset, fields)
        if plan is not None:
            # Plain rows through one row function: no model instance and no serializer per row,
            # so a million rows stream in seconds, not minutes.
            lookups, cells = plan
            pairs = list(zip(cells, range(len(cells)), strict=True))
            source = queryset.values_list(*lookups)

            def row(values) -> list[str]:
                return ["" if values[i] is None else _flatten(cell(values[i])) for cell, i in pairs]
        else:
            source = queryset

            def row(obj) -> list[str]:
                data = self.get_serializer(obj).data
                return [_flatten(data.get(field)) for field in fields]

        size = self.csv_chunk_size
        # The first chunk is one LIMIT query read and written out now, inside the request, so a
        # failure is an error response rather than a 200 whose file stops after the header; and
        # PostgreSQL sorts only what it needs for the first rows, so they come at once.
        first = [row(item) for item in source[:size]]

        def rest() -> Iterator[list[str]]:
            # The other rows from a server-side cursor, in a transaction opened once the
            # response has left the middleware (so nothing else the request wrote waits for the
            # download): inside a transaction the cursor streams, where in autocommit PostgreSQL
            # declares it WITH HOLD and computes every row before sending the first.
            if len(first) < size:
                return
            with transaction.atomic(using=queryset.db):
                yield from (row(item) for item in source[size:].iterator(chunk_size=size))

        def rows() -> Iterator[list[str]]:
            remaining = rest()
            try:
                yield from first
                yield from remaining
            finally:
                remaining.close()  # an abandoned download ends its transaction and cursor now

        return stream_csv(fields, rows(), self.csv_filename)


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


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer with the project's conventions: a model choice field that may be blank
    (``blank=True``) becomes an ``OptionalChoiceField``, so responses say ``null`` for "not set"."""

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if model_field.choices and model_field.blank:
            field_class = OptionalChoiceField
            field_kwargs.pop("model_field", None)
        return field_class, field_kwargs
