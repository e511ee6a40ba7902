"""Filters of the change log (history/ and deleted/)."""

from django.db.models import Exists, OuterRef
from django_filters import rest_framework as filters

from buddying.common.api import UpdatedSinceFilterSet
from buddying.sync.choices import ChangeAction
from buddying.sync.models import Change
from partnerships.models import Membership


class DeletionFilterSet(UpdatedSinceFilterSet):
    type = filters.CharFilter(
        method="filter_type", label="Object type, such as risk or delivery (commas for several)"
    )

    class Meta:
        model = Change
        fields = ["type"]

    def filter_type(self, queryset, name, value):
        types = [part.strip().lower() for part in value.split(",") if part.strip()]
        return queryset.filter(object_type__in=types)


class ChangeFilterSet(DeletionFilterSet):
    partnership = filters.UUIDFilter(field_name="partnership_id", label="Partnership (id)")
    organisation = filters.CharFilter(
        method="filter_organisation",
        label="Changed by a member of this organisation (ODS code)",
    )
    object_id = filters.CharFilter(field_name="object_id", label="Object (id or ODS code)")
    action = filters.MultipleChoiceFilter(choices=ChangeAction.choices)

    class Meta:
        model = Change
        fields = ["type", "partnership", "organisation", "object_id", "action"]

    def filter_organisation(self, queryset, name, value):
        member = Membership.objects.filter(
            user_id=OuterRef("user_id"), organisation_id=value.strip().upper()
        )
        return queryset.filter(Exists(member))
