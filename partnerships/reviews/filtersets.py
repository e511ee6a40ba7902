"""Filters of reviews and learning items, shared by the API and the pages."""

from django_filters import rest_framework as filters

from buddying.common.api import UpdatedSinceFilterSet
from partnerships.reviews import selectors
from partnerships.reviews.choices import (
    LearningDirection,
    LearningTheme,
    ReviewKind,
    ReviewStatus,
)
from partnerships.reviews.models import LearningItem, OutcomeReview


class ReviewFilterSet(UpdatedSinceFilterSet):
    partnership = filters.UUIDFilter(field_name="partnership_id", label="Partnership (id)")
    status = filters.MultipleChoiceFilter(choices=ReviewStatus.choices)
    kind = filters.MultipleChoiceFilter(choices=ReviewKind.choices)
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lt", label="Due before")

    class Meta:
        model = OutcomeReview
        fields = ["partnership", "status", "kind", "due_before"]


class LearningFilterSet(UpdatedSinceFilterSet):
    partnership = filters.UUIDFilter(field_name="partnership_id", label="Partnership (id)")
    direction = filters.MultipleChoiceFilter(choices=LearningDirection.choices)
    theme = filters.MultipleChoiceFilter(choices=LearningTheme.choices)
    adopted = filters.BooleanFilter()
    published = filters.BooleanFilter()
    q = filters.CharFilter(method="filter_search", label="Search (full text)", max_length=200)

    class Meta:
        model = LearningItem
        fields = ["partnership", "direction", "theme", "adopted", "published", "q"]

    def filter_search(self, queryset, name, value):
        return selectors.search(queryset, value)
