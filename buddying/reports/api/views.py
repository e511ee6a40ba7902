"""API for reports (DESIGN §6): ``reports/`` GET (the reports the caller may read) and POST
(queue one), ``reports/{id}/`` GET (status, failure reason, file links) and
``reports/{id}/download/{format}/`` (the file). A report the caller may not read is a 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from buddying.common.api import UUID_REGEX
from buddying.reports import selectors, services, views
from buddying.reports.choices import ReportKind

from .serializers import ReportCreateSerializer, ReportSerializer


class ReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Summary reports. POST queues one for the caller (any member who may see all of its data;
    the system-wide summary is for regulators); watch ``status`` until it is ``done`` (then
    ``files`` links the HTML, PDF, XLSX and CSV) or ``failed`` (then ``failure_reason`` says why).

    ``kind: export`` queues the CSV of an API list too long to stream in one request; only the
    person who asked may read it, and ``files.csv`` links the file once ``status`` is ``done``."""

    serializer_class = ReportSerializer
    lookup_value_regex = UUID_REGEX
    http_method_names = ["get", "post", "head", "options"]
    # Asking for a report is reading: the access policy's scope check is in the service.
    permission_classes = [IsAuthenticated]
    filterset_fields = {"kind": ["exact"], "status": ["exact"]}

    def get_queryset(self):
        return selectors.reports_visible_to(self.request.user).order_by("-created_at", "pk")

    def get_serializer_class(self):
        return ReportCreateSerializer if self.action == "create" else ReportSerializer

    @extend_schema(request=ReportCreateSerializer, responses={201: ReportSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data["kind"] == ReportKind.EXPORT:
            report = services.export_request(
                by=request.user, list_name=data["list"], filters=data.get("filters") or {}
            )
        else:
            data.pop("list", None)
            data.pop("filters", None)
            report = services.report_request(by=request.user, **data)
        return Response(
            ReportSerializer(report, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)}
    )
    @action(detail=True, methods=["get"], url_path=r"download/(?P<fmt>[a-z]+)")
    def download(self, request, pk=None, fmt=None):
        return views.file_response(self.get_object(), fmt)
