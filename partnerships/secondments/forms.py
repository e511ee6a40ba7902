"""Forms for secondments and an organisation's capacity figures.

Forms check what the person typed (types, required fields, the model's own ``clean()``); the
services make the change and apply the rules across rows (no more than 1.0 FTE a person).
"""

from django import forms

from buddying.common.forms import (
    NhsFormMixin,
    OrganisationChoiceField,
    VersionedFormMixin,
    add_service_errors,
)
from partnerships.choices import DeliveryStaffGroup
from partnerships.models import Organisation
from partnerships.secondments import services
from partnerships.secondments.choices import PayBand
from partnerships.secondments.models import Secondment

__all__ = [
    "CancelForm",
    "EndForm",
    "EstablishmentForm",
    "RaiseRiskForm",
    "SecondmentForm",
    "ThresholdForm",
    "add_service_errors",
]

DATE_ERRORS = {"required": "Enter a date", "invalid": "Enter a real date, for example 15 3 2026"}
FTE_ERRORS = {
    "required": "Enter the FTE",
    "invalid": "Enter the FTE as a number, like 0.6",
    "max_digits": "Enter the FTE as a number from 0.01 to 1",
    "max_decimal_places": "Enter the FTE with no more than 2 decimal places, like 0.6",
    "max_whole_digits": "Enter the FTE as a number from 0.01 to 1",
}
MONEY_ERRORS = {
    "invalid": "Enter the monthly recharge in pounds, like 4500",
    "max_digits": "Enter an amount of less than £10 billion",
    "max_decimal_places": "Enter the amount with no more than 2 decimal places (pence)",
    "max_whole_digits": "Enter an amount of less than £10 billion",
}


class SecondmentForm(VersionedFormMixin, NhsFormMixin, forms.ModelForm):
    """Record a secondment or change it. The home organisation is chosen only when recording."""

    home_organisation = OrganisationChoiceField(
        queryset=None,
        label="Home organisation",
        empty_label=None,
        error_messages={"required": "Select the home organisation"},
    )
    host_organisation = OrganisationChoiceField(
        queryset=None,
        label="Host organisation",
        empty_label=None,
        error_messages={
            "required": "Select the host organisation",
            "invalid_choice": "Select a host organisation from the list",
        },
    )

    class Meta:
        model = Secondment
        fields = ["home_organisation", *services.SECONDMENT_FIELDS]
        widgets = {
            "staff_group": forms.Select,
            "band": forms.Select,
            "start_date": forms.DateInput,
            "end_date": forms.DateInput,
            "development_objectives": forms.Textarea,
        }
        labels = {
            "fte": "FTE (full-time equivalent)",
            "backfilled": "The post is backfilled at home",
            "monthly_recharge": "Monthly recharge (£)",
            "band": "Agenda for Change band or grade",
        }
        help_texts = {
            "fte": "From 0.01 to 1. For example, 0.6 for three days a week.",
            "staff_reference": (
                "The reference the home organisation uses for the person, for example, their "
                "ESR assignment number. Not their name."
            ),
            "monthly_recharge": "What the host pays each month, in pounds. 0 if nothing.",
            "start_date": "For example, 1 4 2026",
            "end_date": "For example, 31 3 2027",
        }
        error_messages = {
            "staff_reference": {"required": "Enter the staff reference"},
            "role_title": {"required": "Enter the role title"},
            "staff_group": {"required": "Select the staff group"},
            "band": {"required": "Select the band or grade"},
            "fte": FTE_ERRORS,
            "start_date": {**DATE_ERRORS, "required": "Enter the start date"},
            "end_date": {**DATE_ERRORS, "required": "Enter the end date"},
            "monthly_recharge": {"required": "Enter the monthly recharge", **MONEY_ERRORS},
            "development_objectives": {"required": "Enter the development objectives"},
        }

    def __init__(self, *args, partnership, homes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_group"].choices = [
            ("", "Select a staff group"),
            *DeliveryStaffGroup.choices,
        ]
        self.fields["band"].choices = [("", "Select a band or grade"), *PayBand.choices]
        party_codes = [party.organisation_id for party in partnership.parties.all()]
        parties = Organisation.objects.filter(ods_code__in=party_codes).order_by("name")
        self.fields["host_organisation"].queryset = parties
        if not self.instance._state.adding:
            del self.fields["home_organisation"]
        else:
            home = self.fields["home_organisation"]
            home.queryset = parties.filter(ods_code__in=[p.organisation_id for p in homes])
            if len(homes) == 1:
                home.initial = homes[0].organisation_id

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.SECONDMENT_FIELDS}


class EndForm(VersionedFormMixin, NhsFormMixin, forms.Form):
    """At the end: what the person learned, and the date it ended if earlier than planned."""

    end_date = forms.DateField(
        label="Date it ended",
        help_text="Change it only if the secondment ended earlier than planned.",
        error_messages=DATE_ERRORS,
    )
    learning_outcomes = forms.CharField(
        label="What the person learned",
        widget=forms.Textarea,
        help_text="Against the development objectives: skills, experience, what they bring home.",
        error_messages={"required": "Enter what the person learned"},
    )


class CancelForm(VersionedFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the secondment cancelled?",
        widget=forms.Textarea,
        error_messages={"required": "Enter why the secondment is cancelled"},
    )


class ThresholdForm(VersionedFormMixin, NhsFormMixin, forms.Form):
    unbackfilled_percent = forms.DecimalField(
        label="Warning threshold (%)",
        help_text="Warn when more than this share of a staff group is away and not backfilled.",
        max_digits=5,
        decimal_places=2,
        min_value=0.01,
        max_value=100,
        error_messages={
            "required": "Enter the threshold",
            "invalid": "Enter the threshold as a number, like 5",
            "min_value": "Enter a threshold of more than 0%%",
            "max_value": "Enter a threshold of 100%% or less",
            "max_digits": "Enter a threshold of 100%% or less",
            "max_decimal_places": "Enter the threshold with no more than 2 decimal places",
        },
    )


class EstablishmentForm(NhsFormMixin, forms.Form):
    staff_group = forms.ChoiceField(
        label="Staff group",
        choices=[("", "Select a staff group"), *DeliveryStaffGroup.choices],
        error_messages={"required": "Select the staff group"},
    )
    fte = forms.DecimalField(
        label="Establishment (FTE)",
        help_text="How many FTE the organisation employs in the group. Leave empty to remove it.",
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=0.01,
        error_messages={
            "invalid": "Enter the establishment as a number, like 1250",
            "min_value": "Enter an establishment of more than 0 FTE",
            "max_digits": "Enter an establishment of less than 100 million FTE",
            "max_decimal_places": "Enter the establishment with no more than 2 decimal places",
        },
    )


class RaiseRiskForm(forms.Form):
    """The button beside a talent-pool warning: which staff group, in which partnership (hidden
    fields; the risk itself is filled in by the service)."""

    partnership = forms.UUIDField(
        error_messages={
            "required": "Choose the partnership to raise the risk in",
            "invalid": "Choose the partnership to raise the risk in",
        }
    )
    staff_group = forms.ChoiceField(
        choices=DeliveryStaffGroup.choices,
        error_messages={
            "required": "Choose the staff group to raise the risk about",
            "invalid_choice": "Choose a staff group from the list",
        },
    )
