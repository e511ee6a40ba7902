"""Forms for reviews and learning items. They parse input; the services decide what is valid."""

from django import forms

from buddying.common.formatting import money
from buddying.common.forms import NhsFormMixin, VersionedFormMixin
from partnerships.reviews import selectors, services
from partnerships.reviews.choices import LearningDirection, LearningTheme, ReviewRag
from partnerships.reviews.models import LearningItem, OutcomeReview

_NOT_RECORDED = [("", "Not recorded")]
SEGMENT_CHOICES = _NOT_RECORDED + [(n, f"Segment {n}") for n in range(1, 6)]


class ReviewForm(VersionedFormMixin, NhsFormMixin, forms.ModelForm):
    """A review's fields and, for each of the partnership's objectives, its RAG, measured value
    and comment (fields ``<objective id>-rag`` and so on, listed in ``objective_fields``)."""

    segment_before = forms.TypedChoiceField(
        choices=SEGMENT_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label="Oversight segment before",
    )
    segment_after = forms.TypedChoiceField(
        choices=SEGMENT_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label="Oversight segment after",
    )

    class Meta:
        model = OutcomeReview
        fields = list(services.REVIEW_FIELDS)
        widgets = {
            "overall_rag": forms.RadioSelect,
            "benefits_supported": forms.Textarea,
            "benefits_buddy": forms.Textarea,
            "development_outcomes": forms.Textarea,
        }

    def __init__(self, *args, objectives=(), prefill=None, **kwargs):
        super().__init__(*args, **kwargs)
        if prefill is not None:
            self._prefill(prefill)
        self.fields["overall_rag"].choices = ReviewRag.choices
        for name in ("cqc_rating_before", "cqc_rating_after"):
            self.fields[name].choices = _NOT_RECORDED + list(self.fields[name].choices)[1:]
        existing = (
            {a.objective_id: a for a in self.instance.assessments.all()}
            if (self.instance.pk)
            else {}
        )
        self.objective_fields = []
        for objective in objectives:
            assessment = existing.get(objective.pk)
            prefix = str(objective.pk)
            self.fields[f"{prefix}-rag"] = forms.ChoiceField(
                label="RAG",
                choices=_NOT_RECORDED + list(ReviewRag.choices),
                required=False,
                initial=assessment.rag if assessment else "",
            )
            self.fields[f"{prefix}-measured_value"] = forms.CharField(
                label="Measured value",
                max_length=100,
                required=False,
                initial=assessment.measured_value if assessment else "",
                help_text=f"Baseline: {objective.baseline or 'not recorded'}. "
                f"Target: {objective.target or 'not recorded'}.",
            )
            self.fields[f"{prefix}-comment"] = forms.CharField(
                label="Comment",
                widget=forms.Textarea,
                required=False,
                initial=assessment.comment if assessment else "",
            )
            self.objective_fields.append(
                (objective, [self[f"{prefix}-{name}"] for name in services.ASSESSMENT_FIELDS])
            )

    def _prefill(self, prefill: selectors.CostPrefill) -> None:
        """Offer the figures the data gives for the period where the review has none yet (the
        reviewer may change them), and say where the secondment recharges come from."""
        for name, value in prefill.figures().items():
            if value is not None and getattr(self.instance, name) is None:
                self.initial[name] = value
        if prefill.secondments:
            count = prefill.secondments
            secondments = "secondment" if count == 1 else "secondments"
            source = (
                "Pre-filled from"
                if self.instance.cost_secondments_gbp is None
                else "The data gives " + money(prefill.cost_secondments_gbp) + " from"
            )
            self.fields["cost_secondments_gbp"].help_text = (
                f"{source} {count} {secondments} in the period: each day's share of "
                "their monthly recharge (12 months over 365 days)."
            )
        else:
            self.fields["cost_secondments_gbp"].help_text = (
                "No secondments are recorded for the period. Enter what the supported "
                "organisation was recharged for seconded staff, if anything."
            )

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.REVIEW_FIELDS}

    def assessments(self) -> dict:
        return {
            str(objective.pk): {
                name: self.cleaned_data[f"{objective.pk}-{name}"]
                for name in services.ASSESSMENT_FIELDS
            }
            for objective, _ in self.objective_fields
        }


class InterimReviewForm(NhsFormMixin, forms.ModelForm):
    class Meta:
        model = OutcomeReview
        fields = ["period_start", "period_end", "due_date"]


class LearningForm(VersionedFormMixin, NhsFormMixin, forms.ModelForm):
    direction = forms.ChoiceField(
        choices=LearningDirection.choices,
        widget=forms.RadioSelect,
        label="Who learned from whom?",
        error_messages={"required": "Select who learned from whom"},
    )
    theme = forms.ChoiceField(
        choices=LearningTheme.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a theme"},
    )

    class Meta:
        model = LearningItem
        fields = list(services.LEARNING_FIELDS)
        error_messages = {
            "title": {"required": "Enter a title"},
            "description": {"required": "Describe what was learned"},
        }

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.LEARNING_FIELDS}
