"""API for secondments and capacity (DESIGN §6). Writes go through the services, which check
access and run the rules (including no more than 1.0 FTE a person on any day)."""

import datetime as dt

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from buddying.common.api import UUID_REGEX, CSVExportMixin, VersionedMixin
from partnerships import access
from partnerships.secondments import selectors, services
from partnerships.secondments.filtersets import CapacityFilterSet, SecondmentFilterSet
from partnerships.secondments.models import Secondment

from .serializers import (
    CapacitySerializer,
    SecondmentCreateSerializer,
    SecondmentSerializer,
    SecondmentUpdateSerializer,
)


class SecondmentViewSet(
    VersionedMixin,
    CSVExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Secondments of the partnerships the caller may see, with their status for today.

    POST records one (a programme manager or executive of the home organisation); PATCH changes
    it. ``?format=csv`` exports every matching secondment, with objectives and learning outcomes.
    """

    filterset_class = SecondmentFilterSet
    lookup_value_regex = UUID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]
    csv_filename = "secondments.csv"

    def get_queryset(self):
        return selectors.secondment_list(self.request.user).order_by(
            "partnership__reference", "reference"
        )

    def get_serializer_class(self):
        if self.action == "create":
            return SecondmentCreateSerializer
        if self.action == "partial_update":
            return SecondmentUpdateSerializer
        return SecondmentSerializer

    def _read(self, secondment, status_code=status.HTTP_200_OK) -> Response:
        secondment = self.get_queryset().get(pk=secondment.pk)
        return Response(SecondmentSerializer(secondment).data, status=status_code)

    @extend_schema(request=SecondmentCreateSerializer, responses=SecondmentSerializer)
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        secondment = services.secondment_create(by=request.user, **serializer.validated_data)
        return self._read(secondment, status.HTTP_201_CREATED)

    @extend_schema(request=SecondmentUpdateSerializer, responses=SecondmentSerializer)
    def partial_update(self, request, *args, **kwargs):
        secondment = self.get_object()
        serializer = self.get_serializer(secondment, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.secondment_update(
            secondment=secondment,
            by=request.user,
            version=self.if_match_version(),
            **serializer.validated_data,
        )
        return self._read(secondment)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "date", OpenApiTypes.DATE, description="The day the figures are for (default today)."
        )
    ]
)
class CapacityViewSet(CSVExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """FTE seconded out by home organisation and staff group on a day (default today): people,
    how much is not backfilled, the share of the establishment away where one is recorded, and
    the talent-pool ``warning``. Only secondments of partnerships the caller may see count."""

    serializer_class = CapacitySerializer
    filterset_class = CapacityFilterSet
    csv_filename = "capacity.csv"

    def _day(self) -> dt.date | None:
        text = self.request.query_params.get("date")
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError({"date": ["Enter a date as YYYY-MM-DD."]}) from None

    def get_queryset(self):
        return access.visible(Secondment, self.request.user).order_by()

    def filter_queryset(self, queryset):
        # Filter the secondments first, then add them up.
        return selectors.capacity_rows(super().filter_queryset(queryset), self._day())
