"""API shapes of reviews, learning items and a partnership's value for money."""

from rest_framework import serializers

from buddying.common.api import ModelSerializer
from partnerships.api.serializers import OrganisationBriefSerializer
from partnerships.choices import CqcRating
from partnerships.models import Partnership
from partnerships.reviews import services
from partnerships.reviews.choices import (
    LearningDirection,
    LearningTheme,
    ReviewKind,
    ReviewRag,
)
from partnerships.reviews.models import (
    LearningItem,
    ObjectiveAssessment,
    OutcomeReview,
    ReviewSignOff,
)

_MONEY = {"max_digits": 16, "decimal_places": 2, "read_only": True, "allow_null": True}


class ReviewPartnershipBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    title = serializers.CharField()


class AssessmentSerializer(ModelSerializer):
    objective = serializers.UUIDField(source="objective_id", read_only=True)
    objective_title = serializers.CharField(source="objective.title", read_only=True)
    baseline = serializers.CharField(source="objective.baseline", read_only=True)
    target = serializers.CharField(source="objective.target", read_only=True)

    class Meta:
        model = ObjectiveAssessment
        fields = ["objective", "objective_title", "baseline", "target", *services.ASSESSMENT_FIELDS]
        read_only_fields = fields


class SignOffSerializer(ModelSerializer):
    organisation = OrganisationBriefSerializer(source="party.organisation", read_only=True)
    role = serializers.CharField(source="party.role", read_only=True)
    signed_by = serializers.CharField(source="signed_by.get_username", read_only=True)

    class Meta:
        model = ReviewSignOff
        fields = ["organisation", "role", "signed_by", "signed_at"]
        read_only_fields = fields


class ReviewSerializer(ModelSerializer):
    """A review with its cost of support and saving, computed in the database."""

    partnership = ReviewPartnershipBriefSerializer(read_only=True)
    cost_of_support_gbp = serializers.DecimalField(source="total_cost", **_MONEY)
    saving_gbp = serializers.DecimalField(**_MONEY)
    sign_offs = SignOffSerializer(many=True, read_only=True)

    class Meta:
        model = OutcomeReview
        fields = [
            "id",
            "partnership",
            "kind",
            "status",
            *services.REVIEW_FIELDS,
            "cost_of_support_gbp",
            "saving_gbp",
            "submitted_at",
            "signed_off_at",
            "sign_offs",
            "created_at",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class ReviewDetailSerializer(ReviewSerializer):
    assessments = AssessmentSerializer(many=True, read_only=True)

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "assessments"]
        read_only_fields = fields


class ReviewCSVSerializer(ReviewSerializer):
    sign_offs = serializers.SerializerMethodField()

    def get_sign_offs(self, review) -> str:
        return "; ".join(s.party.organisation_id for s in review.sign_offs.all())


class AssessmentWriteSerializer(serializers.Serializer):
    objective = serializers.UUIDField()
    rag = serializers.ChoiceField(choices=ReviewRag.choices, required=False, allow_blank=True)
    measured_value = serializers.CharField(max_length=100, required=False, allow_blank=True)
    comment = serializers.CharField(required=False, allow_blank=True)


_MONEY_IN = {
    "max_digits": 14,
    "decimal_places": 2,
    "required": False,
    "allow_null": True,
    "min_value": 0,
}


_PREFILLED = (
    " Pre-filled from the data when the review is created (POST) or first written (a PATCH to a "
    "scheduled review, which starts it as a draft), if the request omits it and the data gives "
    "a figure; a value given, null included, is kept as given."
)


class _ReviewFieldsSerializer(serializers.Serializer):
    benefits_supported = serializers.CharField(required=False, allow_blank=True)
    benefits_buddy = serializers.CharField(required=False, allow_blank=True)
    development_outcomes = serializers.CharField(required=False, allow_blank=True)
    cost_remuneration_gbp = serializers.DecimalField(
        **_MONEY_IN,
        help_text="Remuneration paid to the buddy for the period (£)."
        + _PREFILLED
        + " The data: the partnership's remuneration, pro rata by days over its planned "
        "start to end.",
    )
    cost_secondments_gbp = serializers.DecimalField(
        **_MONEY_IN,
        help_text="Secondment recharges for the period (£)."
        + _PREFILLED
        + " The data: each secondment not cancelled that runs in the period, for each of its "
        "days in the period, its monthly recharge × 12 / 365; rounded to the penny once. "
        "Left out when no secondment runs in the period.",
    )
    consultancy_equivalent_gbp = serializers.DecimalField(
        **_MONEY_IN,
        help_text="Estimated equivalent consultancy cost for the period (£)."
        + _PREFILLED
        + " The data: the partnership's estimate, pro rata by days over its planned start to end.",
    )
    segment_before = serializers.IntegerField(required=False, allow_null=True)
    segment_after = serializers.IntegerField(required=False, allow_null=True)
    cqc_rating_before = serializers.ChoiceField(
        choices=CqcRating.choices, required=False, allow_blank=True
    )
    cqc_rating_after = serializers.ChoiceField(
        choices=CqcRating.choices, required=False, allow_blank=True
    )
    overall_rag = serializers.ChoiceField(
        choices=ReviewRag.choices, required=False, allow_blank=True
    )


class ReviewWriteSerializer(_ReviewFieldsSerializer):
    """Input for a new interim review, its ``partnership`` by id (quarterly and final reviews
    are scheduled, not posted)."""

    partnership = serializers.PrimaryKeyRelatedField(queryset=Partnership.objects.none())
    kind = serializers.ChoiceField(
        choices=[(ReviewKind.INTERIM, "Interim")], default=ReviewKind.INTERIM
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due_date = serializers.DateField()

    def __init__(self, *args, partnerships=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["partnership"]
        field.queryset = partnerships if partnerships is not None else Partnership.objects.none()
        field.error_messages["does_not_exist"] = "There is no partnership with this id."
        field.error_messages["incorrect_type"] = "Enter a partnership id."


class ReviewUpdateSerializer(_ReviewFieldsSerializer):
    """A change to a review: its fields, and ``assessments`` as a list of objective judgements."""

    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    due_date = serializers.DateField(required=False)
    assessments = AssessmentWriteSerializer(many=True, required=False)


class LearningSerializer(ModelSerializer):
    partnership = ReviewPartnershipBriefSerializer(read_only=True)

    class Meta:
        model = LearningItem
        fields = [
            "id",
            "partnership",
            *services.LEARNING_FIELDS,
            "created_at",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class LearningWriteSerializer(serializers.Serializer):
    partnership = serializers.PrimaryKeyRelatedField(queryset=Partnership.objects.none())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    direction = serializers.ChoiceField(choices=LearningDirection.choices)
    theme = serializers.ChoiceField(choices=LearningTheme.choices)
    adopted = serializers.BooleanField(required=False)
    published = serializers.BooleanField(required=False)

    def __init__(self, *args, partnerships=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partnerships is None:
            self.fields.pop("partnership")
        else:
            field = self.fields["partnership"]
            field.queryset = partnerships
            field.error_messages["does_not_exist"] = "There is no partnership with this id."
            field.error_messages["incorrect_type"] = "Enter a partnership id."


class ValueForMoneySerializer(serializers.Serializer):
    partnership = ReviewPartnershipBriefSerializer()
    planned_cost_gbp = serializers.DecimalField(source="figures.planned_cost", **_MONEY)
    planned_consultancy_equivalent_gbp = serializers.DecimalField(
        source="figures.planned_consultancy", **_MONEY
    )
    planned_saving_gbp = serializers.DecimalField(source="figures.planned_saving", **_MONEY)
    reviews_counted = serializers.IntegerField(source="figures.reviews_counted")
    reported_to = serializers.DateField(source="figures.reported_to", allow_null=True)
    cost_to_date_gbp = serializers.DecimalField(source="figures.cost_to_date", **_MONEY)
    consultancy_equivalent_to_date_gbp = serializers.DecimalField(
        source="figures.consultancy_to_date", **_MONEY
    )
    saving_to_date_gbp = serializers.DecimalField(source="figures.saving_to_date", **_MONEY)
    basis = serializers.CharField(source="figures.basis")
