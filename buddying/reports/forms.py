"""The form for asking for a report."""

from django import forms

from buddying.common.forms import NhsFormMixin, OrganisationChoiceField, add_service_errors
from buddying.reports import selectors
from buddying.reports.choices import ReportKind
from partnerships import access
from partnerships.models import Partnership

__all__ = ["ReportRequestForm", "add_service_errors"]

DATE_ERRORS = {"invalid": "Enter a real date, for example 15 3 2026"}


class PartnershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.reference} {obj.title}"


class ReportRequestForm(NhsFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Which report?",
        # An export is asked for through the API (a list and its filters), not this form.
        choices=[c for c in ReportKind.choices if c[0] != ReportKind.EXPORT],
        widget=forms.RadioSelect,
        error_messages={"required": "Select which report you want"},
    )
    partnership = PartnershipChoiceField(
        queryset=None,
        required=False,
        label="Partnership (for a weekly partnership summary)",
        error_messages={"invalid_choice": "Select a partnership from the list"},
    )
    organisation = OrganisationChoiceField(
        queryset=None,
        required=False,
        label="Organisation (for a monthly portfolio)",
        error_messages={"invalid_choice": "Select an organisation from the list"},
    )
    period_start = forms.DateField(
        required=False,
        label="Start of the period",
        help_text="Leave empty for the last complete week (weekly) or month (monthly).",
        error_messages=DATE_ERRORS,
    )
    period_end = forms.DateField(
        required=False, label="End of the period", error_messages=DATE_ERRORS
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = access.visible(Partnership, user).order_by(
            "reference"
        )
        self.fields["organisation"].queryset = selectors.organisations_for_portfolio(user)
        if not access.is_regulator(user):
            self.fields["kind"].choices = [
                c for c in self.fields["kind"].choices if c[0] != ReportKind.SYSTEM_MONTHLY
            ]
