"""API representations of risks, actions, appetites and the appetite comparison.

Related objects are shown briefly. Writes go through ``risks.services``, whose ``full_clean()``
gives the same field-keyed messages as the forms (so the scale fields here are plain integers:
the model says what is wrong with them).
"""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework import serializers

from buddying.common.api import ModelSerializer
from buddying.common.serializers import Serializer
from partnerships.api.fields import PartnershipMemberField
from partnerships.api.serializers import OrganisationBriefSerializer
from partnerships.models import Organisation, Partnership
from risks import matrix
from risks.choices import AppetiteLevel, ReviewFrequency, RiskCategory, RiskStatus
from risks.models import SCALE_FIELDS, Risk, RiskAction, RiskAppetite

User = get_user_model()


class RiskPersonSerializer(Serializer):
    username = serializers.CharField(source="get_username")
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class RiskPartnershipBriefSerializer(Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class RiskBriefSerializer(Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    title = serializers.CharField()


class ActionSerializer(ModelSerializer):
    risk = RiskBriefSerializer(read_only=True)
    partnership = RiskPartnershipBriefSerializer(read_only=True)
    owner = RiskPersonSerializer(read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = RiskAction
        fields = [
            "id",
            "risk",
            "partnership",
            "description",
            "owner",
            "due_date",
            "status",
            "completed_on",
            "overdue",
            "created_at",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class ActionCSVSerializer(ActionSerializer):
    owner = serializers.CharField(source="owner.get_username", read_only=True)


class ActionInRiskSerializer(ActionSerializer):
    class Meta(ActionSerializer.Meta):
        fields = [
            name for name in ActionSerializer.Meta.fields if name not in {"risk", "partnership"}
        ]
        read_only_fields = fields


class RiskSerializer(ModelSerializer):
    partnership = RiskPartnershipBriefSerializer(read_only=True)
    owner_organisation = OrganisationBriefSerializer(read_only=True)
    owner = RiskPersonSerializer(read_only=True)
    inherent_band = serializers.SerializerMethodField()
    target_band = serializers.SerializerMethodField()
    outside_appetite = serializers.BooleanField(read_only=True)
    outside_appetite_for = serializers.SerializerMethodField()
    review_overdue = serializers.BooleanField(read_only=True)
    overdue_actions = serializers.IntegerField(read_only=True)

    class Meta:
        model = Risk
        fields = [
            "id",
            "reference",
            "partnership",
            "title",
            "description",
            "category",
            "owner_organisation",
            "owner",
            *SCALE_FIELDS,
            "inherent_score",
            "inherent_band",
            "current_score",
            "current_band",
            "target_score",
            "target_band",
            "controls",
            "review_frequency",
            "next_review_date",
            "review_overdue",
            "status",
            "closing_reason",
            "closed_on",
            "outside_appetite",
            "outside_appetite_for",
            "overdue_actions",
            "created_at",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    def get_inherent_band(self, risk) -> str:
        return matrix.band_for(risk.inherent_score)

    def get_target_band(self, risk) -> str:
        return matrix.band_for(risk.target_score)

    def get_outside_appetite_for(self, risk) -> list[str]:
        """ODS codes of the parties whose tolerance the current score exceeds."""
        return [organisation.ods_code for organisation in getattr(risk, "outside_appetite_for", [])]


class RiskCSVSerializer(RiskSerializer):
    """One flat row per risk for ``?format=csv``: people by username."""

    owner = serializers.CharField(source="owner.get_username", read_only=True)


class RiskDetailSerializer(RiskSerializer):
    actions = ActionInRiskSerializer(many=True, read_only=True)

    class Meta(RiskSerializer.Meta):
        fields = [*RiskSerializer.Meta.fields, "actions"]
        read_only_fields = fields


def _scale_field() -> serializers.IntegerField:
    return serializers.IntegerField()


class RiskWriteSerializer(serializers.Serializer):
    """Input for a new risk (``partnership`` by id) or a change (every field optional)."""

    partnership = serializers.PrimaryKeyRelatedField(queryset=Partnership.objects.none())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=RiskCategory.choices)
    owner_organisation = serializers.SlugRelatedField(
        slug_field="ods_code", queryset=Organisation.objects.all()
    )
    owner = PartnershipMemberField()
    inherent_likelihood = _scale_field()
    inherent_consequence = _scale_field()
    current_likelihood = _scale_field()
    current_consequence = _scale_field()
    target_likelihood = _scale_field()
    target_consequence = _scale_field()
    controls = serializers.CharField(required=False, allow_blank=True)
    review_frequency = serializers.ChoiceField(choices=ReviewFrequency.choices, required=False)
    next_review_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=RiskStatus.choices, required=False)
    closing_reason = serializers.CharField(required=False, allow_blank=True)
    confirm = serializers.BooleanField(
        required=False,
        write_only=True,
        help_text="Confirms a next review date in the past; without it such a date is refused.",
    )

    def __init__(self, *args, partnerships=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partnerships is None:
            self.fields.pop("partnership")
        else:
            field = self.fields["partnership"]
            field.queryset = partnerships
            field.error_messages["does_not_exist"] = "There is no partnership with this id."
            field.error_messages["incorrect_type"] = "Enter a partnership id."


class RiskCreateSerializer(RiskWriteSerializer):
    """A new risk as the schema shows it: ``partnership`` is required."""

    def __init__(self, *args, partnerships=None, **kwargs):
        if partnerships is None:
            partnerships = Partnership.objects.none()
        super().__init__(*args, partnerships=partnerships, **kwargs)


class ActionWriteSerializer(serializers.Serializer):
    risk = serializers.PrimaryKeyRelatedField(queryset=RiskAction.objects.none())
    description = serializers.CharField()
    owner = PartnershipMemberField()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(
        choices=RiskAction._meta.get_field("status").choices, required=False
    )
    confirm = serializers.BooleanField(
        required=False,
        write_only=True,
        help_text="Confirms a due date in the past; without it such a date is refused.",
    )

    def __init__(self, *args, risks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if risks is None:
            self.fields.pop("risk")
        else:
            field = self.fields["risk"]
            field.queryset = risks
            field.error_messages["does_not_exist"] = "There is no risk with this id."
            field.error_messages["incorrect_type"] = "Enter a risk id."


class ActionCreateSerializer(ActionWriteSerializer):
    """A new action as the schema shows it: ``risk`` is required."""

    def __init__(self, *args, risks=None, **kwargs):
        if risks is None:
            risks = Risk.objects.none()
        super().__init__(*args, risks=risks, **kwargs)


class RiskAppetiteSerializer(ModelSerializer):
    organisation = OrganisationBriefSerializer(read_only=True)

    class Meta:
        model = RiskAppetite
        fields = [
            "id",
            "organisation",
            "category",
            "level",
            "tolerance",
            "statement",
            "created_at",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class RiskAppetiteWriteSerializer(serializers.Serializer):
    """Set (create or replace) an organisation's appetite for one category."""

    organisation = serializers.SlugRelatedField(
        slug_field="ods_code", queryset=Organisation.objects.all()
    )
    category = serializers.ChoiceField(choices=RiskCategory.choices)
    level = serializers.ChoiceField(choices=AppetiteLevel.choices)
    tolerance = serializers.IntegerField()
    statement = serializers.CharField(required=False, allow_blank=True, default="")


# --- The comparison (read only) ----------------------------------------------------------------


class ComparedAppetiteSerializer(serializers.Serializer):
    organisation = serializers.SerializerMethodField()
    set = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField()
    tolerance = serializers.SerializerMethodField()

    def get_organisation(self, item) -> str:
        return item[0].organisation_id

    def get_set(self, item) -> bool:
        return item[1] is not None

    def get_level(self, item) -> str | None:
        return item[1].level if item[1] else None

    def get_tolerance(self, item) -> int | None:
        return item[1].tolerance if item[1] else None


class CategoryComparisonSerializer(serializers.Serializer):
    category = serializers.CharField()
    label = serializers.CharField()
    divergent = serializers.BooleanField(
        allow_null=True, help_text="null when a party has not set an appetite for the category."
    )
    reasons = serializers.ListField(child=serializers.CharField())
    not_set_by = serializers.SerializerMethodField()
    appetites = ComparedAppetiteSerializer(many=True)

    def get_not_set_by(self, row) -> list[str]:
        return [organisation.ods_code for organisation in row.not_set_by]


class PartySummarySerializer(serializers.Serializer):
    organisation = OrganisationBriefSerializer()
    role = serializers.CharField()


class RiskOutsideSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField()
    current_score = serializers.IntegerField()
    outside_appetite_for = serializers.SerializerMethodField()

    def get_outside_appetite_for(self, risk) -> list[str]:
        return [organisation.ods_code for organisation in risk.outside_appetite_for]


class ComparisonSerializer(serializers.Serializer):
    partnership = RiskPartnershipBriefSerializer()
    parties = PartySummarySerializer(many=True)
    categories = CategoryComparisonSerializer(many=True)
    # The highest-scoring (``risks.selectors.COMPARISON_RISKS``), the count of all, and the list
    # of all of them.
    risks_outside_appetite = RiskOutsideSerializer(many=True, source="risks_outside")
    risks_outside_appetite_count = serializers.IntegerField(source="risks_outside_count")
    risks_outside_appetite_url = serializers.SerializerMethodField()

    def get_risks_outside_appetite_url(self, comparison) -> str:
        query = urlencode(
            {
                "partnership": comparison.partnership.pk,
                "outside_appetite": "true",
                "sort": "-score",
            }
        )
        path = f"{reverse('risk-list')}?{query}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
