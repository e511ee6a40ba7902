"""Filters shared by the browser lists and the API (one FilterSet per model)."""

from django.db.models import Exists, OuterRef, Q
from django_filters import rest_framework as filters

from buddying.common.api import UpdatedSinceFilterSet
from partnerships.choices import (
    OrganisationKind,
    PartnershipKind,
    PartnershipStatus,
)
from partnerships.models import Organisation, Partnership, Party


class OrganisationFilterSet(UpdatedSinceFilterSet):
    kind = filters.MultipleChoiceFilter(distinct=False, choices=OrganisationKind.choices)
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
    status = filters.MultipleChoiceFilter(distinct=False, choices=PartnershipStatus.choices)
    kind = filters.MultipleChoiceFilter(distinct=False, choices=PartnershipKind.choices)
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
