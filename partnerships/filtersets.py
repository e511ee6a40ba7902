"""Filters shared by the browser lists and the API (one FilterSet per model)."""

from django.db.models import Exists, OuterRef, Q
from django_filters import rest_framework as filters

from buddying.api import UpdatedSinceFilterSet
from partnerships.choices import (
    CommitmentCategory,
    CommitmentUnit,
    OrganisationKind,
    PartnershipKind,
    PartnershipStatus,
    Rag,
)
from partnerships.models import Commitment, Delivery, Organisation, Partnership, Party


class OrganisationFilterSet(UpdatedSinceFilterSet):
    kind = filters.MultipleChoiceFilter(choices=OrganisationKind.choices)
    region = filters.CharFilter(field_name="region_code", label="Region (ODS code, e.g. Y56)")
    icb = filters.CharFilter(field_name="icb_code", label="ICB (ODS code)")
    segment = filters.NumberFilter(field_name="segment")
    active = filters.BooleanFilter()
    search = filters.CharFilter(method="filter_search", label="Name or ODS code")

    class Meta:
        model = Organisation
        fields = ["kind", "region", "icb", "segment", "active"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(ods_code__iexact=value))


class PartnershipFilterSet(UpdatedSinceFilterSet):
    status = filters.MultipleChoiceFilter(choices=PartnershipStatus.choices)
    kind = filters.MultipleChoiceFilter(choices=PartnershipKind.choices)
    organisation = filters.CharFilter(method="filter_organisation", label="Organisation (ODS code)")
    region = filters.CharFilter(method="filter_region", label="Region of a party (ODS code)")
    search = filters.CharFilter(method="filter_search", label="Reference or title")

    class Meta:
        model = Partnership
        fields = ["status", "kind", "organisation", "region"]

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Party.objects.filter(
                    partnership_id=OuterRef("pk"), organisation_id=value.strip().upper()
                )
            )
        )

    def filter_region(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Party.objects.filter(
                    partnership_id=OuterRef("pk"),
                    organisation__region_code=value.strip().upper(),
                )
            )
        )

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(reference__iexact=value) | Q(title__icontains=value))


# --- Commitments and deliveries ---


class CommitmentFilterSet(UpdatedSinceFilterSet):
    """Filters the commitments; ``rag`` reads the figure annotated by ``selectors.with_figures``."""

    partnership = filters.UUIDFilter(field_name="partnership_id", label="Partnership (id)")
    organisation = filters.CharFilter(
        method="filter_organisation", label="Committing organisation (ODS code)"
    )
    category = filters.MultipleChoiceFilter(choices=CommitmentCategory.choices)
    unit = filters.MultipleChoiceFilter(choices=CommitmentUnit.choices)
    rag = filters.MultipleChoiceFilter(choices=Rag.choices, label="RAG status")

    class Meta:
        model = Commitment
        fields = ["partnership", "organisation", "category", "unit", "rag"]

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(organisation_id=value.strip().upper())


class DeliveryFilterSet(UpdatedSinceFilterSet):
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label="On or after")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label="On or before")

    class Meta:
        model = Delivery
        fields = ["date_from", "date_to"]
