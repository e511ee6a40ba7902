"""API representations. Related objects are shown briefly; writes go through the services."""

from rest_framework import serializers

from buddying.common.api import ModelSerializer
from partnerships.choices import ClosureOutcome, PartnershipStatus
from partnerships.models import (
    Approval,
    Objective,
    ObjectiveMeasurement,
    Organisation,
    Partnership,
    Party,
)
from partnerships.services import PARTNERSHIP_FIELDS


class OrganisationBriefSerializer(ModelSerializer):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = Organisation
        fields = ["ods_code", "name"]


class PartnershipBriefSerializer(ModelSerializer):
    """A partnership as the rows that belong to it show it: id, reference and title."""

    class Meta:
        model = Partnership
        fields = ["id", "reference", "title"]


class OrganisationSerializer(ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "ods_code",
            "name",
            "display_name",
            "kind",
            "region_code",
            "region_name",
            "icb_code",
            "icb_name",
            "address",
            "postcode",
            "open_date",
            "close_date",
            "segment",
            "cqc_rating",
            "in_recovery_support",
            "active",
            "updated_at",
        ]


class PartySerializer(ModelSerializer):
    organisation = OrganisationBriefSerializer(read_only=True)

    class Meta:
        model = Party
        fields = [
            "organisation",
            "role",
            "sponsor_name",
            "sponsor_job_title",
            "sponsor_since",
            "deputy_name",
            "deputy_job_title",
        ]


class ObjectiveSerializer(ModelSerializer):
    class Meta:
        model = Objective
        fields = ["id", "title", "measure", "baseline", "target", "target_date"]


class MeasurementSerializer(ModelSerializer):
    recorded_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ObjectiveMeasurement
        fields = ["measured_on", "value", "note", "recorded_at"]


class ObjectiveReadSerializer(ObjectiveSerializer):
    """An objective with its progress: every measured value, oldest first."""

    measurements = MeasurementSerializer(many=True, read_only=True)

    class Meta(ObjectiveSerializer.Meta):
        fields = [*ObjectiveSerializer.Meta.fields, "measurements"]


class ApprovalSerializer(ModelSerializer):
    organisation = serializers.CharField(source="party.organisation_id")
    approved_by = serializers.CharField(source="approved_by.get_username")

    class Meta:
        model = Approval
        fields = ["organisation", "approved_by", "approved_at"]


# What a person may write on a partnership: the services' list, not a second copy.
PARTNERSHIP_WRITABLE = list(PARTNERSHIP_FIELDS)


class PartnershipSerializer(ModelSerializer):
    parties = PartySerializer(many=True, read_only=True)
    objectives = ObjectiveReadSerializer(many=True, read_only=True)
    approvals = ApprovalSerializer(many=True, read_only=True)

    class Meta:
        model = Partnership
        fields = [
            "id",
            "reference",
            *PARTNERSHIP_WRITABLE,
            "actual_end",
            "status",
            "closure_outcome",
            "closure_reason",
            "parties",
            "objectives",
            "approvals",
            "created_at",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class PartnershipListSerializer(PartnershipSerializer):
    class Meta(PartnershipSerializer.Meta):
        fields = [
            field
            for field in PartnershipSerializer.Meta.fields
            if field not in {"objectives", "approvals"}
        ]
        read_only_fields = fields


class SponsorSerializer(serializers.Serializer):
    sponsor_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sponsor_job_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    deputy_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    deputy_job_title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PartnershipWriteSerializer(ModelSerializer):
    """Input for creating (``buddy`` and ``supported`` by ODS code) and changing a partnership."""

    buddy = serializers.SlugRelatedField(
        slug_field="ods_code", queryset=Organisation.objects.all(), write_only=True
    )
    supported = serializers.SlugRelatedField(
        slug_field="ods_code", queryset=Organisation.objects.all(), write_only=True
    )
    buddy_sponsor = SponsorSerializer(required=False, write_only=True)
    supported_sponsor = SponsorSerializer(required=False, write_only=True)
    objectives = ObjectiveSerializer(many=True, required=False, write_only=True)

    class Meta:
        model = Partnership
        fields = [
            *PARTNERSHIP_WRITABLE,
            "buddy",
            "supported",
            "buddy_sponsor",
            "supported_sponsor",
            "objectives",
        ]


class PartnershipUpdateSerializer(ModelSerializer):
    class Meta:
        model = Partnership
        fields = PARTNERSHIP_WRITABLE


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=PartnershipStatus.choices)
    outcome = serializers.ChoiceField(
        choices=ClosureOutcome.choices, required=False, allow_blank=True, default=""
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    actual_end = serializers.DateField(required=False, allow_null=True, default=None)
