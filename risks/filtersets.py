"""Filters shared by the browser's register and the API (one FilterSet per model)."""

from django.utils import timezone
from django_filters import rest_framework as filters

from buddying.common.api import UpdatedSinceFilterSet
from risks.choices import ActionStatus, AppetiteLevel, RiskBand, RiskCategory, RiskStatus
from risks.models import Risk, RiskAction, RiskAppetite
from risks.selectors import action_overdue_q, outside_appetite_q, review_overdue_q

YES_NO = [("true", "Yes"), ("false", "No")]


def yes_no_filter(method: str, label: str) -> filters.ChoiceFilter:
    """A strict true/false filter: anything else is a 400, not silently ignored."""
    return filters.ChoiceFilter(choices=YES_NO, method=method, label=label)


class StableOrderingFilter(filters.OrderingFilter):
    """Whitelisted sorting that always ends on the reference, so pages never shuffle."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "number", "pk")
        return qs


class RiskFilterSet(UpdatedSinceFilterSet):
    partnership = filters.UUIDFilter(field_name="partnership_id", label="Partnership (id)")
    category = filters.MultipleChoiceFilter(distinct=False, choices=RiskCategory.choices)
    band = filters.MultipleChoiceFilter(
        distinct=False, field_name="current_band", choices=RiskBand.choices, label="Current band"
    )
    status = filters.MultipleChoiceFilter(distinct=False, choices=RiskStatus.choices)
    owner = filters.CharFilter(field_name="owner__username", label="Owner (username)")
    owner_organisation = filters.CharFilter(
        method="filter_owner_organisation", label="Owner organisation (ODS code)"
    )
    outside_appetite = yes_no_filter("filter_outside_appetite", "Outside a party's appetite")
    review_overdue = yes_no_filter("filter_review_overdue", "Review overdue")
    likelihood = filters.NumberFilter(field_name="current_likelihood", label="Current likelihood")
    consequence = filters.NumberFilter(
        field_name="current_consequence", label="Current consequence"
    )
    sort = StableOrderingFilter(
        fields=(
            ("number", "reference"),
            ("title", "title"),
            ("category", "category"),
            ("current_score", "score"),
            ("target_score", "target_score"),
            ("next_review_date", "next_review"),
            ("owner_organisation__name", "owner_organisation"),
            ("status", "status"),
            ("updated_at", "updated"),
        ),
        label="Sort by",
    )

    class Meta:
        model = Risk
        fields = [
            "partnership",
            "category",
            "band",
            "status",
            "owner",
            "owner_organisation",
            "outside_appetite",
        ]

    def filter_owner_organisation(self, queryset, name, value):
        return queryset.filter(owner_organisation_id=value.strip().upper())

    def filter_outside_appetite(self, queryset, name, value):
        condition = outside_appetite_q()
        return queryset.filter(condition if value == "true" else ~condition)

    def filter_review_overdue(self, queryset, name, value):
        condition = review_overdue_q()
        return queryset.filter(condition if value == "true" else ~condition)


class RiskActionFilterSet(UpdatedSinceFilterSet):
    risk = filters.UUIDFilter(field_name="risk_id", label="Risk (id)")
    partnership = filters.UUIDFilter(field_name="partnership_id", label="Partnership (id)")
    status = filters.MultipleChoiceFilter(distinct=False, choices=ActionStatus.choices)
    owner = filters.CharFilter(field_name="owner__username", label="Owner (username)")
    overdue = yes_no_filter("filter_overdue", "Overdue")

    class Meta:
        model = RiskAction
        fields = ["risk", "partnership", "status", "owner", "overdue"]

    def filter_overdue(self, queryset, name, value):
        condition = action_overdue_q(timezone.localdate())
        return queryset.filter(condition if value == "true" else ~condition)


class RiskAppetiteFilterSet(UpdatedSinceFilterSet):
    organisation = filters.CharFilter(method="filter_organisation", label="Organisation (ODS code)")
    category = filters.MultipleChoiceFilter(distinct=False, choices=RiskCategory.choices)
    level = filters.MultipleChoiceFilter(distinct=False, choices=AppetiteLevel.choices)

    class Meta:
        model = RiskAppetite
        fields = ["organisation", "category", "level"]

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(organisation_id=value.strip().upper())
