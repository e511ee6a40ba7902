"""The portfolio's filters: the partnership list's (names or ODS codes, region, ICB, status) plus
delivery RAG and "no activity for 30 days", which exist only on the portfolio's annotations."""

from django import forms
from django_filters import rest_framework as filters

from partnerships.choices import Rag
from partnerships.forms import PartnershipFilterForm, PartnershipPageFilterSet


class PortfolioFilterForm(PartnershipFilterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rag = self.fields["rag"]
        rag.widget = forms.CheckboxSelectMultiple(choices=rag.choices)
        rag.label = "Delivery"
        self.fields["quiet"].label = "Only partnerships with no activity for 30 days"


class PortfolioFilterSet(PartnershipPageFilterSet):
    rag = filters.MultipleChoiceFilter(field_name="delivery_rag", choices=Rag.choices)
    quiet = filters.BooleanFilter(
        method="filter_quiet", widget=forms.CheckboxInput, label="No activity for 30 days"
    )

    class Meta(PartnershipPageFilterSet.Meta):
        form = PortfolioFilterForm
        fields = [*PartnershipPageFilterSet.Meta.fields, "rag"]

    def filter_quiet(self, queryset, name, value):
        return queryset.filter(quiet=True) if value else queryset
