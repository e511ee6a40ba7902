"""API for secondments and capacity (DESIGN §6). Writes go through the services, which check
access and run the rules (including no more than 1.0 FTE a person on any day)."""

import datetime as dt

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from buddying.common.api import UUID_REGEX, CSVExportMixin, VersionedMixin
from partnerships import access
from partnerships.secondments import selectors, services
from partnerships.secondments.filtersets import CapacityFilterSet, SecondmentFilterSet
from partnerships.secondments.models import Secondment, TalentPoolRisk

from .serializers import (
    CapacitySerializer,
    RaisedRiskBriefSerializer,
    RaiseRiskSerializer,
    SecondmentCreateSerializer,
    SecondmentSerializer,
    SecondmentUpdateSerializer,
    TalentPoolRiskSerializer,
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
    how much is not backfilled, the share of the establishment away where one is recorded, the
    talent-pool ``warning``, and whether (and which) workforce and capacity risk was raised
    about it this month. Only secondments of partnerships the caller may see count."""

    serializer_class = CapacitySerializer
    filterset_class = CapacityFilterSet
    csv_filename = "capacity.csv"
    # Every column but the list of risks raised (the flag says whether there is one).
    csv_fields = [
        "organisation",
        "organisation_name",
        "staff_group",
        "fte_seconded_out",
        "people",
        "fte_not_backfilled",
        "establishment_fte",
        "percent_away",
        "percent_not_backfilled",
        "threshold_percent",
        "warning",
        "risk_raised_this_month",
    ]

    def get_serializer_class(self):
        if self.action == "raise_risk":
            return RaiseRiskSerializer
        return CapacitySerializer

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
        raised = access.visible(TalentPoolRisk, self.request.user).filter(
            organisation_id=OuterRef("home_organisation_id"),
            staff_group=OuterRef("staff_group"),
            month=selectors.this_month(),
        )
        return selectors.capacity_rows(super().filter_queryset(queryset), self._day()).annotate(
            risk_raised_this_month=Exists(raised)
        )

    def list(self, request, *args, **kwargs):
        if self._csv_requested():
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        # Which risks, for the rows of this page only: one query.
        raised = selectors.risks_raised_this_month(
            request.user, {row["home_organisation_id"] for row in rows}
        )
        for row in rows:
            row["risks_raised_this_month"] = raised.get(
                (row["home_organisation_id"], row["staff_group"]), []
            )
        data = CapacitySerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(
        request=RaiseRiskSerializer,
        responses={
            201: TalentPoolRiskSerializer,
            409: OpenApiResponse(
                inline_serializer(
                    name="TalentPoolRiskConflict",
                    fields={"detail": serializers.CharField(), "risk": RaisedRiskBriefSerializer()},
                ),
                description="Already raised this month (``detail`` and the ``risk``), the "
                "partnership is closed, or the warning does not stand today.",
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="raise-risk")
    def raise_risk(self, request):
        """Raise the talent-pool warning's "workforce and capacity" risk on the partnership's
        register, pre-filled from today's figures and owned by the home organisation (and the
        caller): a programme manager or executive of the home organisation, once per
        partnership, staff group and month. A second attempt is a 409 naming the ``risk``."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values["partnership"] = get_object_or_404(
            access.partnerships_visible_to(request.user), pk=values["partnership"]
        )
        try:
            raised = services.talent_pool_risk_raise(by=request.user, **values)
        except services.RiskAlreadyRaised as error:
            return Response(
                {
                    "detail": " ".join(error.messages),
                    "risk": RaisedRiskBriefSerializer(error.existing).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(TalentPoolRiskSerializer(raised).data, status=status.HTTP_201_CREATED)
