"""Forms for the partnership pages.

Forms parse and check what the person typed (types, lengths, required fields and the model's own
``clean()``); the change itself, and every workflow rule, is made by ``partnerships.services``. When
a service refuses, ``add_service_errors`` puts its message on the same form, so the browser shows
exactly what the API would say.
"""

from django import forms
from django.db.models import Exists, OuterRef, Q
from django_filters import rest_framework as filters

from buddying.common.forms import NhsFormMixin, OrganisationChoiceField, VersionedFormMixin
from partnerships import access, services
from partnerships.choices import (
    TRUST_KINDS,
    ClosureOutcome,
    PartnershipKind,
    PartnershipStatus,
    PartyRole,
)
from partnerships.filtersets import PartnershipFilterSet
from partnerships.models import Objective, Organisation, Partnership, Party
from partnerships.models.organisations import title_case_nhs

DATE_ERRORS = {"invalid": "Enter a real date"}
MONEY_ERRORS = {
    "invalid": "Enter an amount of money in pounds, like 75000",
    "min_value": "Enter an amount of £0 or more",
    "max_digits": "Enter an amount with no more than 12 digits before the decimal point",
    "max_decimal_places": "Enter an amount with no more than 2 decimal places (pence)",
}


def trust_choices():
    return Organisation.objects.filter(active=True, kind__in=TRUST_KINDS).order_by("name")


def own_trust(user) -> Organisation | None:
    """The one open trust this person may propose for, or ``None`` when there is none or several."""
    if user is None:
        return None
    trusts = {
        organisation.pk: organisation
        for organisation in access.organisations_with_role(user, access.WRITE_ROLES)
        if organisation.kind in TRUST_KINDS and organisation.active
    }
    return next(iter(trusts.values())) if len(trusts) == 1 else None


# --- The list's filters --------------------------------------------------------------------------


def region_choices() -> list[tuple[str, str]]:
    """NHS England's regions that organisations belong to, by name (one query)."""
    rows = (
        Organisation.objects.exclude(region_code="")
        .order_by("region_name")
        .values_list("region_code", "region_name")
        .distinct()
    )
    return [("", "Any region"), *((code, title_case_nhs(name) or code) for code, name in rows)]


def icb_choices() -> list[tuple[str, str]]:
    """Integrated care boards that organisations belong to, by name (one query)."""
    rows = (
        Organisation.objects.exclude(icb_code="")
        .order_by("icb_name")
        .values_list("icb_code", "icb_name")
        .distinct()
    )
    return [
        ("", "Any integrated care board"),
        *((code, title_case_nhs(name) or code) for code, name in rows),
    ]


def organisations_named(value: str) -> Q:
    """Organisations whose ODS code is ``value`` or whose name has every word of it ("Royal
    Free", "rrk"), so people can find a trust as they would say it."""
    words = value.split()
    by_name = Q()
    for word in words:
        by_name &= Q(organisation__name__icontains=word)
    return Q(organisation_id=value.strip().upper()) | (by_name if words else Q(pk__in=[]))


class AnyCodeChoiceField(forms.ChoiceField):
    """A select of known codes that still accepts any code typed into the address (``?region=y56``):
    the filter decides what it matches, so an unknown code finds nothing rather than failing."""

    def valid_value(self, value) -> bool:
        return True


class PartnershipFilterForm(forms.Form):
    """The list page's filter form: the FilterSet's fields, with checkboxes for status and kind and
    regions and ICBs chosen by name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("status", "kind"):
            field = self.fields[name]
            field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
        self.fields["organisation"].label = "Organisation"
        self.fields["organisation"].help_text = "Name or ODS code, for example, Royal Free or RAL."
        self.fields["search"].label = "Reference or title"
        self.fields["region"] = AnyCodeChoiceField(
            label="Region", choices=region_choices(), required=False
        )
        self.fields["icb"] = AnyCodeChoiceField(
            label="Integrated care board", choices=icb_choices(), required=False
        )
        # Incremental sync is for the API; the page does not offer it.
        del self.fields["updated_since"]


class PartnershipPageFilterSet(PartnershipFilterSet):
    """``PartnershipFilterSet`` (the same filters as the API) with the browser's form: an
    organisation may be given by name as well as by ODS code, and there is an ICB filter."""

    icb = filters.CharFilter(method="filter_icb", label="Integrated care board (ODS code)")

    class Meta(PartnershipFilterSet.Meta):
        form = PartnershipFilterForm
        fields = [*PartnershipFilterSet.Meta.fields, "icb"]

    def filter_organisation(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(
            Exists(Party.objects.filter(organisations_named(value), partnership_id=OuterRef("pk")))
        )

    def filter_region(self, queryset, name, value):
        return self._party_in(queryset, "region", value)

    def filter_icb(self, queryset, name, value):
        return self._party_in(queryset, "icb", value)

    def _party_in(self, queryset, prefix: str, value: str):
        """Partnerships with a party in the region or ICB given by code ("Y56") or name ("London")."""
        value = value.strip()
        if not value:
            return queryset
        match = Q(**{f"organisation__{prefix}_code": value.upper()}) | Q(
            **{f"organisation__{prefix}_name__icontains": value}
        )
        return queryset.filter(Exists(Party.objects.filter(match, partnership_id=OuterRef("pk"))))


# --- Partnerships --------------------------------------------------------------------------------


class PartnershipForm(VersionedFormMixin, NhsFormMixin, forms.ModelForm):
    """A partnership's details (not its parties or status)."""

    class Meta:
        model = Partnership
        fields = services.PARTNERSHIP_FIELDS
        labels = {
            "title": "Title",
            "kind": "Kind of partnership",
            "scope_areas": "Scope",
            "planned_start": "Planned start date",
            "planned_end": "Planned end date",
            "funding_source": "Who funds the remuneration",
        }
        help_texts = {
            "title": "For example, Basildon and Thurrock maternity recovery",
        }
        error_messages = {
            "title": {
                "required": "Enter a title",
                "max_length": "Title must be 200 characters or fewer",
            },
            "kind": {"required": "Select the kind of partnership"},
            "planned_start": DATE_ERRORS,
            "planned_end": DATE_ERRORS,
            "remuneration_gbp": MONEY_ERRORS,
            "consultancy_equivalent_gbp": MONEY_ERRORS,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget = forms.RadioSelect(choices=PartnershipKind.choices)
        funding = self.fields["funding_source"]
        funding.choices = [("", "Not known"), *list(funding.choices)[1:]]

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.PARTNERSHIP_FIELDS}


def _party_fields(prefix: str) -> dict[str, forms.Field]:
    fields = forms.fields_for_model(Party, fields=services.PARTY_FIELDS)
    for field in fields.values():
        field.error_messages["max_length"] = f"{field.label} must be 200 characters or fewer"
    return {f"{prefix}_{name}": field for name, field in fields.items()}


class PartnershipProposeForm(PartnershipForm):
    """Propose a partnership: its details, the two organisations and their sponsors."""

    buddy = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label="Buddy organisation",
        help_text="The trust giving the support.",
        empty_label="Choose an organisation",
        error_messages={"required": "Select the buddy organisation"},
    )
    supported = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label="Supported organisation",
        help_text="The trust receiving the support.",
        empty_label="Choose an organisation",
        error_messages={"required": "Select the supported organisation"},
    )

    field_order = ["buddy", "supported"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("buddy", "supported"):
            self.fields[name].queryset = trust_choices()
            self.fields[name].widget.attrs["data-module"] = "app-autocomplete"
        own = own_trust(user)
        if own is not None and not self.is_bound:
            # A trust in the Recovery Support Programme (or segment 4) is more likely the one
            # receiving support; any other trust is more likely the buddy.
            receiving = own.in_recovery_support or (own.segment or 0) >= 4
            self.initial["supported" if receiving else "buddy"] = own.pk
        self.fields.update(_party_fields(PartyRole.BUDDY))
        self.fields.update(_party_fields(PartyRole.SUPPORTED))

    def party_fields(self, role: str) -> list:
        return [self[f"{role}_{name}"] for name in services.PARTY_FIELDS]

    def parties(self) -> dict[str, dict[str, str]]:
        return {
            role: {name: self.cleaned_data[f"{role}_{name}"] for name in services.PARTY_FIELDS}
            for role in (PartyRole.BUDDY, PartyRole.SUPPORTED)
        }


# --- Parties -------------------------------------------------------------------------------------


class PartyForm(VersionedFormMixin, forms.ModelForm):
    """A party's executive sponsor and deputy."""

    class Meta:
        model = Party
        fields = services.PARTY_FIELDS
        labels = {
            "sponsor_name": "Executive sponsor's name",
            "sponsor_job_title": "Executive sponsor's job title",
            "deputy_name": "Deputy sponsor's name",
            "deputy_job_title": "Deputy sponsor's job title",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in services.PARTY_FIELDS:
            field = self.fields[name]
            field.error_messages["max_length"] = f"{field.label} must be 200 characters or fewer"

    def sponsors(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in services.PARTY_FIELDS}


ADDABLE_PARTY_ROLES = [
    (role.value, role.label) for role in (PartyRole.BROKER, PartyRole.MEDIATOR, PartyRole.FUNDER)
]


class PartyAddForm(PartyForm):
    """Add a broker, mediator or funder, with its sponsor and deputy."""

    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label="Organisation",
        empty_label="Choose an organisation",
        error_messages={"required": "Select the organisation"},
    )
    role = forms.ChoiceField(
        choices=ADDABLE_PARTY_ROLES,
        widget=forms.RadioSelect,
        label="Its role in the partnership",
        error_messages={
            "required": "Select the organisation's role",
            "invalid_choice": "Select broker, mediator or funder",
        },
    )

    field_order = ["organisation", "role"]

    class Meta(PartyForm.Meta):
        fields = ("organisation", "role", *services.PARTY_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(active=True).order_by(
            "name"
        )


# --- Objectives ----------------------------------------------------------------------------------


class ObjectiveForm(VersionedFormMixin, NhsFormMixin, forms.ModelForm):
    """What the partnership sets out to change and how it will be measured."""

    class Meta:
        model = Objective
        fields = ("title", "measure", "baseline", "target", "target_date")
        labels = {"title": "Objective", "target_date": "Target date"}
        help_texts = {
            "measure": "How progress will be measured, for example, the 4-hour A&E standard.",
            "baseline": "Where things stand now, for example, 62%.",
            "target": "For example, 78%",
        }
        error_messages = {
            "title": {
                "required": "Enter the objective",
                "max_length": "Objective must be 200 characters or fewer",
            },
            "measure": {"max_length": "Measure must be 300 characters or fewer"},
            "baseline": {"max_length": "Baseline must be 100 characters or fewer"},
            "target": {"max_length": "Target must be 100 characters or fewer"},
            "target_date": DATE_ERRORS,
        }

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ObjectiveMeasurementForm(VersionedFormMixin, NhsFormMixin, forms.Form):
    """A measured value of the objective on a date (and, when correcting one, the version read)."""

    measured_on = forms.DateField(
        label="Date measured",
        help_text="For example, 1 9 2026",
        error_messages={"required": "Enter the date measured", **DATE_ERRORS},
    )
    value = forms.DecimalField(
        label="Value",
        max_digits=14,
        decimal_places=2,
        help_text="A number in the objective's measure, for example, 71.5 or 1,200.",
        error_messages={
            "required": "Enter the value",
            "invalid": "Enter a number, for example, 71.5 or 1,200",
            "max_decimal_places": "Enter a number with no more than 2 decimal places",
            "max_digits": "Enter a number with no more than 12 digits before the decimal point",
            "max_whole_digits": "Enter a number with no more than 12 digits before the decimal point",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What lies behind the figure, for example, a new triage rota from August.",
        error_messages={"max_length": "Note must be 500 characters or fewer"},
    )

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("measured_on", "value", "note")}


# --- Approval and status -------------------------------------------------------------------------


class ApproveForm(forms.Form):
    """No fields: it carries the service's message when an approval is refused."""


class StatusForm(NhsFormMixin, forms.Form):
    """Move a partnership along its lifecycle.

    ``to`` accepts any status so that a move the lifecycle does not allow reaches the service,
    whose message names the moves that are allowed; the page offers only the allowed ones.
    """

    to = forms.ChoiceField(
        choices=PartnershipStatus.choices,
        widget=forms.RadioSelect,
        label="New status",
        error_messages={
            "required": "Select the new status",
            "invalid_choice": "Select the new status",
        },
    )
    outcome = forms.ChoiceField(
        choices=ClosureOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
        label="Outcome",
        error_messages={
            "invalid_choice": "Choose whether the partnership was completed or terminated early."
        },
    )
    reason = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Reason for closing",
        help_text="What happened, in a few sentences.",
        max_length=5000,
        error_messages={"max_length": "Reason must be 5,000 characters or fewer"},
    )
