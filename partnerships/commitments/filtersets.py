"""Filters of commitments and deliveries, shared by the API and the pages."""

from django.db.models import Q
from django.utils import timezone
from django_filters import rest_framework as filters

from buddying.common.api import UpdatedSinceFilterSet
from partnerships.choices import Rag
from partnerships.commitments.choices import CommitmentCategory, CommitmentUnit
from partnerships.commitments.models import Commitment, Delivery


class CommitmentFilterSet(UpdatedSinceFilterSet):
    """Filters the commitments; ``rag`` reads the figure annotated by ``selectors.with_figures``
    (red: the stored first red day, the same rule)."""

    partnership = filters.UUIDFilter(field_name="partnership_id", label="Partnership (id)")
    organisation = filters.CharFilter(
        method="filter_organisation", label="Committing organisation (ODS code)"
    )
    # distinct=False: these filter the row's own columns, and DISTINCT would sort every match.
    category = filters.MultipleChoiceFilter(distinct=False, choices=CommitmentCategory.choices)
    unit = filters.MultipleChoiceFilter(distinct=False, choices=CommitmentUnit.choices)
    rag = filters.MultipleChoiceFilter(
        distinct=False, choices=Rag.choices, label="RAG status", method="filter_rag"
    )

    class Meta:
        model = Commitment
        fields = ["partnership", "organisation", "category", "unit", "rag"]

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(organisation_id=value.strip().upper())

    def filter_rag(self, queryset, name, value):
        if not value:
            return queryset
        # Red is read from the stored first red day (an index range), the others from the figure.
        others = [rag for rag in value if rag != Rag.RED]
        matches = Q(rag__in=others) if others else Q(pk__in=[])
        if Rag.RED in value:
            matches |= Q(red_from__lte=timezone.localdate())
        return queryset.filter(matches)


class DeliveryFilterSet(UpdatedSinceFilterSet):
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label="On or after")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label="On or before")

    class Meta:
        model = Delivery
        fields = ["date_from", "date_to"]


class NationalDeliveryFilterSet(DeliveryFilterSet):
    """The deliveries of every partnership the caller may see, narrowed down."""

    partnership = filters.UUIDFilter(
        field_name="commitment__partnership_id", label="Partnership (id)"
    )
    commitment = filters.UUIDFilter(field_name="commitment_id", label="Commitment (id)")
    organisation = filters.CharFilter(
        method="filter_organisation", label="Committing organisation (ODS code)"
    )

    class Meta(DeliveryFilterSet.Meta):
        fields = ["partnership", "commitment", "organisation", "date_from", "date_to"]

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(commitment__organisation_id=value.strip().upper())
