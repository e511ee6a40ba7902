"""API shapes of secondments and capacity; the status comes from ``selectors.with_status``."""

from rest_framework import serializers

from buddying.common.api import ModelSerializer
from partnerships import access, risk_raising
from partnerships.api.serializers import OrganisationBriefSerializer, PartnershipBriefSerializer
from partnerships.choices import DeliveryStaffGroup
from partnerships.models import Organisation, Partnership
from partnerships.secondments import services
from partnerships.secondments.choices import SecondmentStatus
from partnerships.secondments.models import Secondment, TalentPoolRisk


class SecondmentSerializer(ModelSerializer):
    """A secondment with its status for today."""

    partnership = PartnershipBriefSerializer(read_only=True)
    home_organisation = OrganisationBriefSerializer(read_only=True)
    host_organisation = OrganisationBriefSerializer(read_only=True)
    status = serializers.ChoiceField(choices=SecondmentStatus.choices, read_only=True)

    class Meta:
        model = Secondment
        fields = [
            "id",
            "reference",
            "partnership",
            "home_organisation",
            *services.SECONDMENT_FIELDS,
            "status",
            "learning_outcomes",
            "cancellation_reason",
            "created_at",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


_ORGANISATION = {"slug_field": "ods_code", "queryset": Organisation.objects.all()}


class SecondmentCreateSerializer(ModelSerializer):
    """Input for recording a secondment: the partnership by id, organisations by ODS code."""

    partnership = serializers.PrimaryKeyRelatedField(
        queryset=Partnership.objects.none(), pk_field=serializers.UUIDField()
    )
    home_organisation = serializers.SlugRelatedField(**_ORGANISATION)
    host_organisation = serializers.SlugRelatedField(**_ORGANISATION)

    class Meta:
        model = Secondment
        fields = ["partnership", "home_organisation", *services.SECONDMENT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = request.user if request else None
        # Only partnerships the caller may see can be named; others "do not exist".
        self.fields["partnership"].queryset = access.partnerships_visible_to(user)


class SecondmentUpdateSerializer(ModelSerializer):
    host_organisation = serializers.SlugRelatedField(**_ORGANISATION)

    class Meta:
        model = Secondment
        fields = list(services.SECONDMENT_FIELDS)


class RaisedRiskBriefSerializer(serializers.Serializer):
    """The risk on the register: its id (``risks/{id}/``), reference and page."""

    id = serializers.UUIDField(source="risk_id")
    reference = serializers.CharField(source="risk_reference")
    url = serializers.SerializerMethodField(help_text="The risk's page in the browser.")

    def get_url(self, raised) -> str | None:
        return risk_raising.url_for(raised.risk_id) if raised.risk_id else None


class TalentPoolRiskSerializer(ModelSerializer):
    """A "workforce and capacity" risk raised from the talent-pool warning: where, about which
    staff group, in which month (its first day), and the risk."""

    partnership = PartnershipBriefSerializer(read_only=True)
    organisation = serializers.CharField(source="organisation_id", read_only=True)
    risk = RaisedRiskBriefSerializer(source="*", read_only=True)

    class Meta:
        model = TalentPoolRisk
        fields = ["partnership", "organisation", "staff_group", "month", "risk", "created_at"]
        read_only_fields = fields


class RaiseRiskSerializer(serializers.Serializer):
    """Which warning to raise a risk about: the home organisation's staff group, in a
    partnership holding its unbackfilled secondments."""

    # An id only: a partnership the caller may not see is a 404, as everywhere (the view looks).
    partnership = serializers.UUIDField()
    organisation = serializers.SlugRelatedField(**_ORGANISATION)
    staff_group = serializers.ChoiceField(choices=DeliveryStaffGroup.choices)


class RaisedThisMonthSerializer(serializers.Serializer):
    partnership = PartnershipBriefSerializer()
    risk = RaisedRiskBriefSerializer(source="*")


class CapacitySerializer(serializers.Serializer):
    """FTE seconded out of one organisation in one staff group, on ``date``."""

    organisation = serializers.CharField(source="home_organisation_id")
    organisation_name = serializers.CharField(source="home_organisation__name")
    staff_group = serializers.ChoiceField(choices=DeliveryStaffGroup.choices)
    fte_seconded_out = serializers.DecimalField(source="fte_out", max_digits=12, decimal_places=2)
    people = serializers.IntegerField()
    fte_not_backfilled = serializers.DecimalField(max_digits=12, decimal_places=2)
    establishment_fte = serializers.DecimalField(
        source="establishment", max_digits=12, decimal_places=2, allow_null=True
    )
    percent_away = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    percent_not_backfilled = serializers.DecimalField(
        max_digits=12, decimal_places=1, allow_null=True
    )
    threshold_percent = serializers.DecimalField(max_digits=12, decimal_places=1)
    warning = serializers.BooleanField(
        help_text="The share not backfilled is above the organisation's threshold."
    )
    risk_raised_this_month = serializers.BooleanField(
        help_text="A workforce and capacity risk about this staff group was raised this month "
        "(in a partnership the caller sees)."
    )
    risks_raised_this_month = RaisedThisMonthSerializer(
        many=True,
        read_only=True,
        help_text="Which risks, per partnership (not in the CSV export).",
    )
