"""Filters shared by the API and the pages (one FilterSet per model)."""

from django_filters import rest_framework as filters

from buddying.common.api import UpdatedSinceFilterSet
from risks.agreements.choices import AgreementStatus, DisputeStatus
from risks.agreements.models import Agreement, Dispute


class AgreementFilterSet(UpdatedSinceFilterSet):
    partnership = filters.UUIDFilter(field_name="partnership_id", label="Partnership (id)")
    status = filters.MultipleChoiceFilter(choices=AgreementStatus.choices)

    class Meta:
        model = Agreement
        fields = ["partnership", "status"]


class DisputeFilterSet(UpdatedSinceFilterSet):
    partnership = filters.UUIDFilter(
        field_name="agreement__partnership_id", label="Partnership (id)"
    )
    agreement = filters.UUIDFilter(field_name="agreement_id", label="Agreement (id)")
    status = filters.MultipleChoiceFilter(choices=DisputeStatus.choices)

    class Meta:
        model = Dispute
        fields = ["partnership", "agreement", "status"]
