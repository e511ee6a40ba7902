"""What every API endpoint shares: pagination, the error shape, CSV export and incremental sync.

Services raise Django's ``ValidationError`` (400, field-keyed), ``PermissionDenied`` (403) and
``StateConflict`` (409); this module turns them into DRF responses so the API and the browser
report the same messages.
"""

import csv
from collections.abc import Iterable, Iterator

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import StreamingHttpResponse
from django_filters import rest_framework as filters
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from buddying.common.errors import StaleVersion, StateConflict

UUID_REGEX = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def _messages(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    if isinstance(exc, StaleVersion):
        return Response(
            {"detail": " ".join(exc.messages)}, status=status.HTTP_412_PRECONDITION_FAILED
        )
    if isinstance(exc, StateConflict):
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(_messages(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


class UpdatedSinceFilterSet(filters.FilterSet):
    """Base for every API FilterSet: ``updated_since`` (ISO 8601) for incremental sync."""

    updated_since = filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Changed at or after (ISO 8601)",
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
        return "".join(_csv_line(row) for row in rows).encode()


def _plain(value) -> str:
    """Error messages and nested values as plain text (not ``[ErrorDetail(string=...)]``)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_plain(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(_plain(item) for item in value)
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


_WRITER = csv.writer(_Echo())


def _csv_line(row: Iterable) -> str:
    return _WRITER.writerow(row)


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


def stream_csv(header: list[str], rows: Iterator[Iterable], filename: str) -> StreamingHttpResponse:
    """A CSV download written row by row, so an export of any size uses little memory."""

    def lines():
        yield _csv_line(header)
        for row in rows:
            yield _csv_line(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CSVExportMixin:
    """``?format=csv`` on a list streams every matching row (filters apply, pagination does not).

    Columns are the serializer's fields, or ``csv_fields`` when the view names them; related
    objects are written as their reference, ODS code or id.
    """

    csv_fields: list[str] | None = None
    csv_filename = "export.csv"
    csv_chunk_size = 1000

    def get_renderers(self):
        return [*super().get_renderers(), CSVRenderer()]

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) != "csv":
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer()
        fields = self.csv_fields or list(serializer.fields)

        def rows():
            for obj in queryset.iterator(chunk_size=self.csv_chunk_size):
                data = self.get_serializer(obj).data
                yield [_flatten(data.get(field)) for field in fields]

        return stream_csv(fields, rows(), self.csv_filename)


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
