"""API shapes of commitments and deliveries; the figures come from ``selectors.with_figures``."""

from rest_framework import serializers

from buddying.common.api import ModelSerializer
from partnerships import access
from partnerships.api.serializers import OrganisationBriefSerializer, PartnershipBriefSerializer
from partnerships.choices import Rag
from partnerships.commitments import services
from partnerships.commitments.models import Commitment, Delivery
from partnerships.models import Organisation, Partnership

_FIGURE = {"max_digits": 16, "decimal_places": 2, "read_only": True}


class CommitmentSerializer(ModelSerializer):
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
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class CommitmentCreateSerializer(ModelSerializer):
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


class CommitmentUpdateSerializer(ModelSerializer):
    class Meta:
        model = Commitment
        fields = list(services.COMMITMENT_FIELDS)


class DeliverySerializer(ModelSerializer):
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
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    def get_logged_by(self, delivery) -> str | None:
        user = delivery.logged_by
        return user.get_username() if user else None


class NationalDeliverySerializer(DeliverySerializer):
    """A delivery in the national log: which partnership and organisation it counts for too."""

    partnership = serializers.UUIDField(source="commitment.partnership_id", read_only=True)
    organisation = serializers.CharField(source="commitment.organisation_id", read_only=True)

    class Meta(DeliverySerializer.Meta):
        fields = [
            "id",
            "partnership",
            "organisation",
            *(name for name in DeliverySerializer.Meta.fields if name != "id"),
        ]
        read_only_fields = fields


class DeliveryWriteSerializer(ModelSerializer):
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text="Confirms a quantity the service finds implausible (more than a day holds, "
        "more than 1 FTE, or past the commitment's whole plan); without it such an entry is "
        "refused with a message saying why.",
    )

    class Meta:
        model = Delivery
        fields = [*services.DELIVERY_FIELDS, "confirm"]
