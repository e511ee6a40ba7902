"""API for commitments and their deliveries (DESIGN §6): serializers and viewsets.

The figures (delivered and expected to date, variance, RAG) come from ``selectors.with_figures``;
writes go through the services, which check access and run the model's rules.
"""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from buddying.api import UUID_REGEX, CSVExportMixin
from partnerships import access, selectors, services
from partnerships.choices import Rag
from partnerships.filtersets import CommitmentFilterSet, DeliveryFilterSet
from partnerships.models import Commitment, Delivery, Organisation, Partnership

from .serializers import OrganisationBriefSerializer

MAX_DELIVERIES_PER_REQUEST = 10_000
_FIGURE = {"max_digits": 16, "decimal_places": 2, "read_only": True}


class PartnershipBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partnership
        fields = ["id", "reference", "title"]


class CommitmentSerializer(serializers.ModelSerializer):
    """A commitment with its figures, computed in the database for today."""

    partnership = PartnershipBriefSerializer(read_only=True)
    organisation = OrganisationBriefSerializer(read_only=True)
    delivered_to_date = serializers.DecimalField(source="delivered", **_FIGURE)
    expected_to_date = serializers.DecimalField(source="expected", **_FIGURE)
    variance = serializers.DecimalField(**_FIGURE)
    rag = serializers.ChoiceField(choices=Rag.choices, read_only=True)
    percent_of_expected = serializers.DecimalField(
        max_digits=12, decimal_places=1, read_only=True, allow_null=True
    )
    last_delivery_date = serializers.DateField(
        source="last_delivery_on", read_only=True, allow_null=True
    )

    class Meta:
        model = Commitment
        fields = [
            "id",
            "reference",
            "partnership",
            "organisation",
            *services.COMMITMENT_FIELDS,
            "delivered_to_date",
            "expected_to_date",
            "variance",
            "rag",
            "percent_of_expected",
            "last_delivery_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CommitmentCreateSerializer(serializers.ModelSerializer):
    """Input for planning a commitment: the partnership by id, the organisation by ODS code."""

    partnership = serializers.PrimaryKeyRelatedField(
        queryset=Partnership.objects.none(), pk_field=serializers.UUIDField()
    )
    organisation = serializers.SlugRelatedField(
        slug_field="ods_code", queryset=Organisation.objects.all()
    )

    class Meta:
        model = Commitment
        fields = ["partnership", "organisation", *services.COMMITMENT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = request.user if request else None
        # Only partnerships the caller may see can be named; others "do not exist".
        self.fields["partnership"].queryset = access.partnerships_visible_to(user)


class CommitmentUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commitment
        fields = list(services.COMMITMENT_FIELDS)


class DeliverySerializer(serializers.ModelSerializer):
    commitment = serializers.UUIDField(source="commitment_id", read_only=True)
    commitment_reference = serializers.CharField(source="commitment.reference", read_only=True)
    logged_by = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id",
            "commitment",
            "commitment_reference",
            *services.DELIVERY_FIELDS,
            "logged_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_logged_by(self, delivery) -> str | None:
        user = delivery.logged_by
        return user.get_username() if user else None


class DeliveryWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = list(services.DELIVERY_FIELDS)


class CommitmentViewSet(
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
            commitment=commitment, by=request.user, **serializer.validated_data
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

    def get_commitment(self) -> Commitment:
        if not hasattr(self, "_commitment"):
            self._commitment = get_object_or_404(
                access.commitments_visible_to(self.request.user).select_related(
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
                except services.RowErrors as error:
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
