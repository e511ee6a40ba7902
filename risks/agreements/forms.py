"""Forms for agreements, lines, signing and disputes. They parse input; the services decide."""

from django import forms

from buddying.common.forms import NhsFormMixin, OrganisationChoiceField, VersionedFormMixin
from partnerships.models import Organisation, Party
from risks.agreements.choices import DISPUTE_TRANSITIONS, DisputeStatus
from risks.models import Risk


class RiskChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, risk) -> str:
        return f"{risk.reference} {risk.title}"


def _organisations():
    return Organisation.objects.order_by("name")


def _mediator_field() -> OrganisationChoiceField:
    return OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Mediator organisation",
        empty_label="Choose an organisation",
        help_text="Who helps the organisations resolve a dispute: a broker or mediator party, "
        "or another organisation.",
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )


class AgreementForm(VersionedFormMixin, NhsFormMixin, forms.Form):
    shared_intent = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Shared intent",
        help_text="What the organisations mean to achieve together, in words that outlast "
        "changes of people or policy.",
    )
    scope = forms.CharField(
        widget=forms.Textarea, required=False, label="Scope", help_text="What the agreement covers."
    )
    effective_from = forms.DateField(
        required=False,
        label="Effective from",
        error_messages={"invalid": "Effective from must be a real date"},
    )
    review_date = forms.DateField(
        required=False,
        label="Review date",
        error_messages={"invalid": "Review date must be a real date"},
    )
    mediator_organisation = _mediator_field()
    dispute_process = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Dispute-resolution process",
        help_text="How a disagreement is raised, mediated and settled.",
    )
    exit_terms = forms.CharField(widget=forms.Textarea, required=False, label="Exit terms")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mediator_organisation"].queryset = _organisations()


class LineForm(VersionedFormMixin, NhsFormMixin, forms.Form):
    """One shared risk, with a share field per party (``share_<ODS code>``)."""

    risk = RiskChoiceField(
        queryset=Risk.objects.none(),
        label="Risk",
        empty_label="Choose a risk",
        error_messages={
            "required": "Choose a risk from the partnership's register",
            "invalid_choice": "Choose a risk from the partnership's register",
        },
    )
    lead_organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label="Lead party",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose the party that leads on this risk",
            "invalid_choice": "Choose one of the partnership's organisations",
        },
    )
    liability_cap_gbp = forms.DecimalField(
        label="Liability cap (£)",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="The most any party pays for this risk under the agreement. 0 or more.",
        error_messages={
            "required": "Enter the liability cap in pounds",
            "invalid": "Enter the liability cap as an amount, like 250000",
            "min_value": "The liability cap must be £0 or more",
            "max_decimal_places": "Enter the liability cap in pounds and pence, like 1500.50",
            "max_digits": "Enter a smaller liability cap",
            "max_whole_digits": "Enter a smaller liability cap",
        },
    )
    responsibilities = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Responsibilities",
        help_text="Who does what about this risk.",
    )

    def __init__(self, *args, parties: list[Party], risks, **kwargs):
        super().__init__(*args, **kwargs)
        self.parties = parties
        self.fields["risk"].queryset = risks
        self.fields["lead_organisation"].queryset = Organisation.objects.filter(
            pk__in=[party.organisation_id for party in parties]
        ).order_by("name")
        for party in parties:
            self.fields[self.share_name(party)] = forms.CharField(
                label=f"{party.organisation.display_name} (%)",
                required=False,
                max_length=10,
            )

    @staticmethod
    def share_name(party: Party) -> str:
        return f"share_{party.organisation_id}"

    def share_fields(self):
        return [self[self.share_name(party)] for party in self.parties]

    def service_fields(self) -> dict:
        data = {
            name: self.cleaned_data[name]
            for name in ("risk", "lead_organisation", "liability_cap_gbp", "responsibilities")
        }
        data["shares"] = {
            party.organisation_id: self.cleaned_data[self.share_name(party)].strip()
            for party in self.parties
            if self.cleaned_data.get(self.share_name(party), "").strip()
        }
        return data


class ConfirmForm(VersionedFormMixin, forms.Form):
    """A button that acts on the version of the agreement the person read."""


class SignForm(forms.Form):
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label="Signing for",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the organisation you are signing for"},
    )
    content_hash = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(
        label="I have read this version and sign it on behalf of my organisation",
        error_messages={"required": "Confirm that you have read it and sign it"},
    )

    def __init__(self, *args, parties: list[Party], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[party.organisation_id for party in parties]
        ).order_by("name")
        if len(parties) == 1:
            self.fields["organisation"].initial = parties[0].organisation_id


class TerminateForm(VersionedFormMixin, NhsFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea,
        label="Why is the agreement being terminated?",
        error_messages={"required": "Enter why the agreement is terminated"},
    )


class DisputeEditForm(VersionedFormMixin, NhsFormMixin, forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    description = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="What the organisations see differently",
    )
    risk = RiskChoiceField(
        queryset=Risk.objects.none(),
        required=False,
        label="Risk (optional)",
        empty_label="Not about one risk",
        error_messages={"invalid_choice": "Choose a risk from the partnership's register"},
    )
    mediator_organisation = _mediator_field()

    def __init__(self, *args, risks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = risks
        self.fields["mediator_organisation"].queryset = _organisations()


class DisputeForm(DisputeEditForm):
    raised_by_organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label="Raised by",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the organisation raising the dispute"},
    )

    field_order = ["raised_by_organisation"]

    def __init__(self, *args, parties: list[Party], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["raised_by_organisation"].queryset = Organisation.objects.filter(
            pk__in=[party.organisation_id for party in parties]
        ).order_by("name")
        if len(parties) == 1:
            self.fields["raised_by_organisation"].initial = parties[0].organisation_id


class DisputeTransitionForm(VersionedFormMixin, NhsFormMixin, forms.Form):
    to = forms.ChoiceField(
        choices=(),
        widget=forms.RadioSelect,
        label="Move the dispute to",
        error_messages={"required": "Choose the dispute's new status"},
    )
    mediator_organisation = _mediator_field()
    resolution = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Resolution",
        help_text="Needed to resolve it: what was decided.",
    )

    def __init__(self, *args, status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [
            (value, DisputeStatus(value).label) for value in DISPUTE_TRANSITIONS[status]
        ]
        self.fields["mediator_organisation"].queryset = _organisations()
