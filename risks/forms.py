"""Forms for risks, actions and appetites. They parse input; the services decide what is valid.

``apply_errors`` puts a service's ``ValidationError`` messages on the form, so the browser shows
exactly what the API returns.
"""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib.auth import get_user_model

from buddying.common.formatting import date_long
from buddying.common.forms import (
    NhsFormMixin,
    OrganisationChoiceField,
    VersionedFormMixin,
    confirm_field,
)
from partnerships.models import Organisation, Partnership
from risks import matrix
from risks.choices import (
    ActionStatus,
    AppetiteLevel,
    ReviewFrequency,
    RiskBand,
    RiskCategory,
    RiskStatus,
)
from risks.models import SCORE_KINDS

User = get_user_model()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.get_username()


def party_members(partnership: Partnership):
    """People who belong to one of the partnership's parties: the possible owners."""
    return (
        User.objects.filter(memberships__organisation__parties__partnership=partnership)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _scale(label: str, axis: str) -> forms.TypedChoiceField:
    scale = matrix.likelihood_choices() if axis == "likelihood" else matrix.consequence_choices()
    what = "how likely it is" if axis == "likelihood" else "how bad the consequence would be"
    return forms.TypedChoiceField(
        label=label,
        choices=[(value, text) for value, text, _ in scale],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": f"Select {what} ({label.lower()})",
            "invalid_choice": f"{label} must be a whole number from 1 to 5",
        },
    )


class RiskForm(NhsFormMixin, forms.Form):
    confirm = confirm_field("Yes, this review date is right")
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    description = forms.CharField(widget=forms.Textarea, required=False)
    category = forms.ChoiceField(
        choices=RiskCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a category"},
    )
    owner_organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label="Owner organisation",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the organisation that owns the risk",
            "invalid_choice": "Select one of the partnership's organisations",
        },
    )
    owner = PersonChoiceField(
        queryset=User.objects.none(),
        label="Owner",
        help_text="A member of the owner organisation.",
        empty_label="Choose a person",
        error_messages={
            "required": "Select the person who owns the risk",
            "invalid_choice": "Select a person from one of the partnership's organisations",
        },
    )
    inherent_likelihood = _scale("Inherent likelihood", "likelihood")
    inherent_consequence = _scale("Inherent consequence", "consequence")
    current_likelihood = _scale("Current likelihood", "likelihood")
    current_consequence = _scale("Current consequence", "consequence")
    target_likelihood = _scale("Target likelihood", "likelihood")
    target_consequence = _scale("Target consequence", "consequence")
    controls = forms.CharField(
        widget=forms.Textarea,
        required=False,
        help_text="What is in place now to reduce the risk.",
    )
    review_frequency = forms.ChoiceField(
        choices=ReviewFrequency.choices,
        widget=forms.RadioSelect,
        initial=ReviewFrequency.QUARTERLY,
        label="How often is the risk reviewed?",
        error_messages={"required": "Select how often the risk is reviewed"},
    )
    next_review_date = forms.DateField(
        required=False,
        widget=forms.DateInput,
        label="Next review date",
        help_text="Leave blank to review it one review period from today.",
        error_messages={"invalid": "Next review date must be a real date"},
    )

    scale_groups = [
        (kind, heading, f"{kind}_likelihood", f"{kind}_consequence")
        for kind, heading in SCORE_KINDS
    ]

    # (upper score, band, label) for the page's script that shows the score as the person chooses;
    # the same NPSA grading as ``matrix.band_for``, which stays the judge on the server.
    score_bands = [(upper, str(band), RiskBand(band).label) for upper, band in matrix.BAND_LIMITS]

    def score_preview(self, kind: str) -> dict | None:
        """The score and band of the likelihood and consequence chosen for ``kind`` (inherent,
        current or target), from what was sent or the risk as it stands; ``None`` until both
        are chosen. Shown beside the choices, so a person without JavaScript sees it on the
        page that comes back."""
        chosen = []
        for axis in ("likelihood", "consequence"):
            try:
                value = int(self[f"{kind}_{axis}"].value())
            except (TypeError, ValueError):
                return None
            if value not in matrix.SCALE:
                return None
            chosen.append(value)
        score = matrix.score(*chosen)
        band = matrix.band_for(score)
        return {"score": score, "band": str(band), "label": RiskBand(band).label}

    def answer(self, name: str) -> str:
        """A valid form's answer to ``name`` as the person reads it: a choice's label, a
        person's or an organisation's name, a date in words; "" when none was given."""
        field, value = self.fields[name], self.cleaned_data.get(name)
        if value is None or value == "":
            return ""
        if isinstance(field, forms.ModelChoiceField):
            return field.label_from_instance(value)
        if isinstance(field, forms.ChoiceField):
            return str(dict(field.choices).get(value, value))
        if isinstance(value, date):
            return date_long(value)
        return str(value)

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = Organisation.objects.filter(
            parties__partnership=partnership
        ).order_by("name")
        self.fields["owner"].queryset = party_members(partnership)


@dataclass(frozen=True)
class RiskStep:
    """One page of adding a risk: its address (``slug``), its question, and what it asks, in
    order: a field's name, or a score kind ("inherent", "current", "target") for its likelihood
    and consequence with the score shown beside them."""

    slug: str
    title: str
    parts: tuple[str, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        kinds = dict(SCORE_KINDS)
        return tuple(
            name
            for part in self.parts
            for name in (
                (f"{part}_likelihood", f"{part}_consequence") if part in kinds else (part,)
            )
        )

    @property
    def score_kinds(self) -> tuple[str, ...]:
        return tuple(part for part in self.parts if part in dict(SCORE_KINDS))


# Adding a risk, a short page at a time (the GOV.UK and NHS "question pages" pattern), then
# "Check your answers". Together the steps ask every field of ``RiskForm``.
RISK_STEPS = (
    RiskStep(
        "about",
        "What is the risk?",
        ("title", "description", "category", "owner_organisation", "owner"),
    ),
    RiskStep(
        "scores", "How likely is it, and how bad would it be?", ("inherent", "controls", "current")
    ),
    RiskStep(
        "target",
        "What should the actions achieve, and when is it reviewed?",
        ("target", "review_frequency", "next_review_date", "confirm"),
    ),
)


class RiskStepForm(RiskForm):
    """The fields of one step of adding a risk (``RISK_STEPS``), with ``RiskForm``'s rules."""

    def __init__(self, *args, step: RiskStep, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields = {name: self.fields[name] for name in step.fields}
        self.scale_groups = [group for group in self.scale_groups if group[0] in step.score_kinds]


class RiskEditForm(VersionedFormMixin, RiskForm):
    status = forms.ChoiceField(
        choices=RiskStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the risk is open or closed"},
    )
    closing_reason = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Reason for closing",
        help_text="Needed when the risk is closed.",
    )


class ActionForm(NhsFormMixin, forms.Form):
    confirm = confirm_field("Yes, this due date is right")
    description = forms.CharField(
        widget=forms.Textarea,
        label="What will be done",
        error_messages={"required": "Enter what will be done"},
    )
    owner = PersonChoiceField(
        queryset=User.objects.none(),
        label="Owner",
        empty_label="Choose a person",
        error_messages={
            "required": "Select the person who owns the action",
            "invalid_choice": "Select a person from one of the partnership's organisations",
        },
    )
    due_date = forms.DateField(
        widget=forms.DateInput,
        label="Due date",
        error_messages={
            "required": "Enter the due date",
            "invalid": "Due date must be a real date",
        },
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = party_members(partnership)


class ActionEditForm(VersionedFormMixin, ActionForm):
    status = forms.ChoiceField(
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the action is open or done"},
    )


class AppetiteForm(VersionedFormMixin, NhsFormMixin, forms.Form):
    level = forms.ChoiceField(
        choices=AppetiteLevel.choices,
        widget=forms.RadioSelect,
        label="Appetite level",
        help_text="From avoid (take as little of this risk as possible) to seek (take it on eagerly).",
        error_messages={"required": "Select an appetite level"},
    )
    tolerance = forms.IntegerField(
        label="Tolerance",
        help_text=(
            "The highest current risk score the organisation accepts, from 1 to 25. "
            "For example, 12 accepts high risks but not extreme ones."
        ),
        error_messages={
            "required": "Enter the tolerance",
            "invalid": "Tolerance must be a whole number from 1 to 25",
        },
    )
    statement = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Appetite statement (optional)",
        help_text="What the board said, in its words.",
    )
