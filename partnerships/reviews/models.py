"""Outcome reviews of a partnership (per objective, with the cost of support beside the equivalent
consultancy cost), the executives' sign-offs, and the learning items both sides record.

The saving and the totals are not stored: ``cost_of_support`` and ``saving`` derive them from the
stored figures, and the selectors compute the same in SQL for lists and the value-for-money view.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from buddying.common.models import TimeStampedModel
from partnerships.choices import CqcRating
from partnerships.models import Objective, Partnership, Party
from partnerships.reviews.choices import (
    LearningDirection,
    LearningTheme,
    ReviewKind,
    ReviewRag,
    ReviewStatus,
)
from partnerships.rules import EXECUTIVE_ROLES, PRINCIPAL_PARTY, WRITE_ROLES, Rule

# Reviews stay open after the partnership closes: closing leaves the final review due.
WRITE_REVIEW = Rule(
    WRITE_ROLES,
    PRINCIPAL_PARTY,
    open_only=False,
    message="Only a programme manager or executive of the buddy or the supported organisation "
    "can write a review.",
)
SIGN_OFF_REVIEW = Rule(
    EXECUTIVE_ROLES,
    PRINCIPAL_PARTY,
    open_only=False,
    message="Only an executive of the buddy or the supported organisation can sign off a review.",
)
# Learning is recorded by any party, and may still be added once the partnership has closed.
WRITE_LEARNING = Rule(
    WRITE_ROLES,
    PRINCIPAL_PARTY,
    open_only=False,
    message="Only a programme manager or executive of the buddy or the supported organisation "
    "can record learning.",
)

_MONEY = {"max_digits": 14, "decimal_places": 2, "null": True, "blank": True}
_SEGMENT_MESSAGE = "The segment must be a whole number from 1 to 5."


def _money(verbose_name: str, help_text: str = "") -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        help_text=help_text,
        validators=[MinValueValidator(0, message="Enter an amount of £0 or more.")],
        **_MONEY,
    )


def _segment(verbose_name: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, message=_SEGMENT_MESSAGE),
            MaxValueValidator(5, message=_SEGMENT_MESSAGE),
        ],
    )


class OutcomeReview(TimeStampedModel):
    """A review of what a partnership achieved over a period, and what it cost.

    Quarterly reviews and the final review are scheduled when a partnership becomes active
    (``partnerships.reviews.schedule``); an interim review can be added at any time. A review is
    signed off when an executive of the buddy and one of the supported party have both signed;
    from then on it never changes.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="outcome_reviews"
    )
    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    period_start = models.DateField("start of the period")
    period_end = models.DateField("end of the period")
    due_date = models.DateField("due date", db_index=True)
    status = models.CharField(
        max_length=20,
        choices=ReviewStatus.choices,
        default=ReviewStatus.SCHEDULED,
        db_index=True,
        editable=False,
    )
    benefits_supported = models.TextField("Benefits to the supported organisation", blank=True)
    benefits_buddy = models.TextField("Benefits to the buddy organisation", blank=True)
    development_outcomes = models.TextField(
        "Individual development outcomes",
        blank=True,
        help_text="What the people involved learned or gained, in either organisation.",
    )
    cost_remuneration_gbp = _money(
        "Remuneration paid to the buddy for the period (£)",
        "Pre-filled pro rata from the partnership's remuneration.",
    )
    cost_secondments_gbp = _money(
        "Secondment recharges for the period (£)",
        "What the supported organisation was recharged for seconded staff.",
    )
    consultancy_equivalent_gbp = _money(
        "Estimated equivalent consultancy cost for the period (£)",
        "Pre-filled pro rata from the partnership's estimate.",
    )
    segment_before = _segment("Oversight segment before")
    segment_after = _segment("Oversight segment after")
    cqc_rating_before = models.CharField(
        "CQC rating before", max_length=30, choices=CqcRating.choices, blank=True
    )
    cqc_rating_after = models.CharField(
        "CQC rating after", max_length=30, choices=CqcRating.choices, blank=True
    )
    overall_rag = models.CharField(
        "Overall assessment", max_length=10, choices=ReviewRag.choices, blank=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_off_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    access_route = "partnership"
    access_rules = {"change": WRITE_REVIEW, "sign_off": SIGN_OFF_REVIEW}

    class Meta:
        ordering = ["partnership_id", "due_date", "kind"]
        verbose_name = "outcome review"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="review_period_end_on_or_after_start",
                violation_error_message="The end of the period must be on or after its start.",
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=models.Q(kind=ReviewKind.FINAL),
                name="review_one_final_per_partnership",
                violation_error_message="The partnership already has a final review.",
            ),
            models.CheckConstraint(
                condition=models.Q(segment_before__isnull=True)
                | models.Q(segment_before__gte=1, segment_before__lte=5),
                name="review_segment_before_1_to_5",
                violation_error_message=_SEGMENT_MESSAGE,
            ),
            models.CheckConstraint(
                condition=models.Q(segment_after__isnull=True)
                | models.Q(segment_after__gte=1, segment_after__lte=5),
                name="review_segment_after_1_to_5",
                violation_error_message=_SEGMENT_MESSAGE,
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status"], name="review_partnership_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} review, {self.period_label}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError(
                {"period_end": "The end of the period must be on or after its start."}
            )

    @property
    def period_label(self) -> str:
        def day(value):
            return f"{value.day} {value:%B %Y}" if value else "not recorded"

        return f"{day(self.period_start)} to {day(self.period_end)}"

    @property
    def cost_of_support(self) -> Decimal | None:
        """Remuneration plus secondment recharges; ``None`` when neither is recorded."""
        parts = [self.cost_remuneration_gbp, self.cost_secondments_gbp]
        if all(part is None for part in parts):
            return None
        return sum((part or Decimal(0) for part in parts), Decimal(0))

    @property
    def saving(self) -> Decimal | None:
        """Consultancy equivalent less the cost of support (negative when support cost more)."""
        cost = self.cost_of_support
        if cost is None or self.consultancy_equivalent_gbp is None:
            return None
        return self.consultancy_equivalent_gbp - cost

    @property
    def is_read_only(self) -> bool:
        return self.status == ReviewStatus.SIGNED_OFF


class ObjectiveAssessment(TimeStampedModel):
    """A review's judgement of one of the partnership's objectives: RAG, the value measured
    against the objective's baseline and target, and a comment."""

    review = models.ForeignKey(OutcomeReview, on_delete=models.CASCADE, related_name="assessments")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    rag = models.CharField("RAG", max_length=10, choices=ReviewRag.choices, blank=True)
    measured_value = models.CharField("Measured value", max_length=100, blank=True)
    comment = models.TextField(blank=True)

    history = HistoricalRecords()

    access_route = "review__partnership"
    access_rules = {"change": WRITE_REVIEW}

    class Meta:
        ordering = ["review_id", "objective__target_date", "objective__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "objective"],
                name="assessment_once_per_objective",
                violation_error_message="This objective is already assessed in the review.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.objective}: {self.get_rag_display() or 'not assessed'}"


class ReviewSignOff(models.Model):
    """An executive's sign-off of a submitted review on behalf of the buddy or supported party."""

    review = models.ForeignKey(OutcomeReview, on_delete=models.CASCADE, related_name="sign_offs")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    access_route = "review__partnership"
    access_rules: dict = {}

    class Meta:
        ordering = ["signed_at"]
        verbose_name = "review sign-off"
        constraints = [
            models.UniqueConstraint(
                fields=["review", "party"],
                name="review_sign_off_once_per_party",
                violation_error_message="This organisation has already signed off the review.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.party} signed off by {self.signed_by}"


class LearningItem(TimeStampedModel):
    """Something one side learned from the other (or both together). Published items form the
    learning library that every member of the service can read and search."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="learning_items"
    )
    title = models.CharField(max_length=200)
    description = models.TextField()
    direction = models.CharField(max_length=30, choices=LearningDirection.choices)
    theme = models.CharField(max_length=30, choices=LearningTheme.choices)
    adopted = models.BooleanField(
        default=False, help_text="The receiving organisation has put it into practice."
    )
    published = models.BooleanField(
        default=False,
        db_index=True,
        help_text="Published learning is in the library every NHS organisation can read.",
    )

    history = HistoricalRecords()

    access_route = "partnership"
    access_rules = {"change": WRITE_LEARNING}

    @staticmethod
    def access_public(item) -> bool:
        """A published item is in the learning library every member reads (changing it still
        takes a party's writer: anyone else who may read it is told 403, not 404)."""
        return item.published

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "learning item"

    def __str__(self) -> str:
        return self.title
