"""Filters of secondments and of capacity, shared by the API and the pages."""

from django.utils import timezone
from django_filters import rest_framework as filters

from buddying.common.api import UpdatedSinceFilterSet
from partnerships.choices import DeliveryStaffGroup
from partnerships.secondments.choices import SecondmentStatus
from partnerships.secondments.models import Secondment, status_expression


def _ods(value: str) -> str:
    return value.strip().upper()


class SecondmentFilterSet(UpdatedSinceFilterSet):
    """``status`` is derived from the dates, so it filters on the same expression the selectors
    annotate; ``organisation`` matches the home or the host."""

    partnership = filters.UUIDFilter(field_name="partnership_id", label="Partnership (id)")
    organisation = filters.CharFilter(
        method="filter_organisation", label="Home or host organisation (ODS code)"
    )
    home = filters.CharFilter(method="filter_home", label="Home organisation (ODS code)")
    host = filters.CharFilter(method="filter_host", label="Host organisation (ODS code)")
    staff_group = filters.MultipleChoiceFilter(choices=DeliveryStaffGroup.choices)
    status = filters.MultipleChoiceFilter(
        choices=SecondmentStatus.choices, method="filter_status", label="Status"
    )

    class Meta:
        model = Secondment
        fields = ["partnership", "organisation", "home", "host", "staff_group", "status"]

    def filter_organisation(self, queryset, name, value):
        code = _ods(value)
        return queryset.filter(home_organisation_id=code) | queryset.filter(
            host_organisation_id=code
        )

    def filter_home(self, queryset, name, value):
        return queryset.filter(home_organisation_id=_ods(value))

    def filter_host(self, queryset, name, value):
        return queryset.filter(host_organisation_id=_ods(value))

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.alias(_status=status_expression(timezone.localdate())).filter(
            _status__in=value
        )


class CapacityFilterSet(filters.FilterSet):
    """Which secondments count in the capacity figures (before they are added up)."""

    partnership = filters.UUIDFilter(field_name="partnership_id", label="Partnership (id)")
    organisation = filters.CharFilter(method="filter_home", label="Home organisation (ODS code)")
    staff_group = filters.MultipleChoiceFilter(choices=DeliveryStaffGroup.choices)

    class Meta:
        model = Secondment
        fields = ["partnership", "organisation", "staff_group"]

    def filter_home(self, queryset, name, value):
        return queryset.filter(home_organisation_id=_ods(value))
