"""API for commitments and their deliveries (DESIGN §6).

The figures (delivered and expected to date, variance, RAG) come from ``selectors.with_figures``;
writes go through the services, which check access and run the model's rules.
"""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from buddying.common.api import UUID_REGEX, CSVExportMixin, VersionedMixin
from buddying.common.errors import RowErrors
from partnerships import access
from partnerships.commitments import selectors, services
from partnerships.commitments.filtersets import (
    CommitmentFilterSet,
    DeliveryFilterSet,
    NationalDeliveryFilterSet,
)
from partnerships.commitments.models import Commitment, Delivery

from .serializers import (
    CommitmentCreateSerializer,
    CommitmentSerializer,
    CommitmentUpdateSerializer,
    DeliverySerializer,
    DeliveryWriteSerializer,
    NationalDeliverySerializer,
)

MAX_DELIVERIES_PER_REQUEST = 10_000


class CommitmentViewSet(
    VersionedMixin,
    CSVExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Commitments of the partnerships the caller may see, with their figures.

    POST plans one (a programme manager or executive of the committing organisation); PATCH
    changes its plan. ``?format=csv`` exports every matching commitment.
    """

    filterset_class = CommitmentFilterSet
    lookup_value_regex = UUID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]
    csv_filename = "commitments.csv"

    def get_queryset(self):
        return selectors.commitment_list(self.request.user).order_by(
            "partnership__reference", "reference"
        )

    def get_serializer_class(self):
        if self.action == "create":
            return CommitmentCreateSerializer
        if self.action == "partial_update":
            return CommitmentUpdateSerializer
        return CommitmentSerializer

    def _read(self, commitment, status_code=status.HTTP_200_OK) -> Response:
        commitment = self.get_queryset().get(pk=commitment.pk)
        return Response(CommitmentSerializer(commitment).data, status=status_code)

    @extend_schema(request=CommitmentCreateSerializer, responses=CommitmentSerializer)
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        commitment = services.commitment_create(by=request.user, **serializer.validated_data)
        return self._read(commitment, status.HTTP_201_CREATED)

    @extend_schema(request=CommitmentUpdateSerializer, responses=CommitmentSerializer)
    def partial_update(self, request, *args, **kwargs):
        commitment = self.get_object()
        serializer = self.get_serializer(commitment, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.commitment_update(
            commitment=commitment,
            by=request.user,
            version=self.if_match_version(),
            **serializer.validated_data,
        )
        return self._read(commitment)


class DeliveryViewSet(CSVExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A commitment's delivery log, newest first.

    POST logs one delivery (an object) or several (a list): all of them or, if any is bad, none,
    with the errors keyed by each bad entry's index (``{"1": {"date": [...]}}``). ``?format=csv`` exports the whole log.
    """

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    csv_filename = "deliveries.csv"
    csv_lookups = {"logged_by": ("logged_by__username", str)}  # as get_logged_by writes it

    def get_commitment(self) -> Commitment:
        if not hasattr(self, "_commitment"):
            self._commitment = get_object_or_404(
                access.visible(Commitment, self.request.user).select_related(
                    "partnership", "organisation"
                ),
                pk=self.kwargs["commitment_pk"],
            )
        return self._commitment

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        return (
            Delivery.objects.filter(commitment=self.get_commitment())
            .select_related("logged_by", "commitment")
            .order_by("-date", "-created_at", "id")
        )

    @extend_schema(request=DeliveryWriteSerializer, responses=DeliverySerializer)
    def create(self, request, *args, **kwargs):
        commitment = self.get_commitment()
        access.require(request.user, "change", commitment)
        many = isinstance(request.data, list)
        if many and len(request.data) > MAX_DELIVERIES_PER_REQUEST:
            raise ValidationError(
                {"non_field_errors": [f"Send {MAX_DELIVERIES_PER_REQUEST:,} deliveries or fewer."]}
            )
        serializer = DeliveryWriteSerializer(data=request.data, many=many)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            if many:
                try:
                    deliveries = services.deliveries_log(
                        commitment=commitment, by=request.user, entries=serializer.validated_data
                    )
                except RowErrors as error:
                    # The same shape as the serializer's errors for a list: by index, bad ones only.
                    errors = {str(index): fields for index, fields in error.rows.items()}
                    return Response(errors, status=status.HTTP_400_BAD_REQUEST)
            else:
                deliveries = [
                    services.delivery_log(
                        commitment=commitment, by=request.user, **serializer.validated_data
                    )
                ]
        saved = Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).select_related(
            "logged_by", "commitment"
        )
        by_id = {delivery.pk: delivery for delivery in saved}
        data = DeliverySerializer([by_id[d.pk] for d in deliveries], many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)


class NationalDeliveryViewSet(CSVExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every delivery of the partnerships the caller may see (a regulator: all of England),
    newest first. Filters: ``partnership``, ``commitment``, ``organisation``, ``date_from``,
    ``date_to``, ``updated_since``. ``?cursor=`` reads it in sync order; ``?format=csv`` exports
    every matching delivery. Deliveries are logged through their commitment."""

    serializer_class = NationalDeliverySerializer
    filterset_class = NationalDeliveryFilterSet
    csv_filename = "deliveries.csv"
    csv_lookups = {"logged_by": ("logged_by__username", str)}  # as get_logged_by writes it

    def get_queryset(self):
        return (
            selectors.delivery_list(self.request.user)
            .select_related(None)
            .select_related("logged_by", "commitment")
            .order_by("-date", "-created_at", "-id")
        )
