"""Risks and their actions, scored on the NPSA 5×5 matrix, and each organisation's risk appetite."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import LessThanOrEqual
from simple_history.models import HistoricalRecords

from buddying.common.models import TimeStampedModel
from partnerships.models import Membership, Organisation, Partnership
from partnerships.rules import ANY_PARTY, EXECUTIVE_ROLES, WRITE_ROLES, Rule
from risks import matrix
from risks.choices import (
    ActionStatus,
    AppetiteLevel,
    ReviewFrequency,
    RiskCategory,
    RiskStatus,
)

SCORE_KINDS = (("inherent", "Inherent"), ("current", "Current"), ("target", "Target"))
SCALE_FIELDS = tuple(
    f"{kind}_{axis}" for kind, _ in SCORE_KINDS for axis in ("likelihood", "consequence")
)
GENERATED_FIELDS = ("inherent_score", "current_score", "target_score", "current_band")


def _scale_field(verbose_name: str) -> models.PositiveSmallIntegerField:
    message = f"{verbose_name} must be a whole number from 1 to 5."
    return models.PositiveSmallIntegerField(
        verbose_name,
        validators=[
            MinValueValidator(1, message=message),
            MaxValueValidator(5, message=message),
        ],
    )


def _product(kind: str):
    return F(f"{kind}_likelihood") * F(f"{kind}_consequence")


def _score_field(kind: str) -> models.GeneratedField:
    return models.GeneratedField(
        expression=_product(kind),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=f"{kind} score",
    )


# A partnership's risks and their actions: any party's programme managers and executives, while
# the partnership is not closed (a closed partnership's register is kept as it was).
MANAGE_RISKS = Rule(
    WRITE_ROLES,
    ANY_PARTY,
    message="Only a programme manager or executive of a party to the partnership can change its risks.",
    closed_message="The partnership is closed, so its risks cannot be changed.",
)


class Risk(TimeStampedModel):
    """A risk to a partnership, owned by one of its parties, scored likelihood × consequence.

    The scores and the current band are generated columns, so filtering, sorting, the heat map
    and the appetite comparison all happen in SQL.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="risks")
    number = models.PositiveIntegerField(editable=False)
    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=30, choices=RiskCategory.choices, db_index=True)
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="owner organisation"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_risks"
    )
    inherent_likelihood = _scale_field("Inherent likelihood")
    inherent_consequence = _scale_field("Inherent consequence")
    current_likelihood = _scale_field("Current likelihood")
    current_consequence = _scale_field("Current consequence")
    target_likelihood = _scale_field("Target likelihood")
    target_consequence = _scale_field("Target consequence")
    inherent_score = _score_field("inherent")
    current_score = _score_field("current")
    target_score = _score_field("target")
    current_band = models.GeneratedField(
        expression=matrix.band_expression(_product("current")),
        output_field=models.CharField(max_length=10),
        db_persist=True,
        verbose_name="current band",
    )
    controls = models.TextField(blank=True, help_text="What is in place now to reduce the risk.")
    review_frequency = models.CharField(
        max_length=20, choices=ReviewFrequency.choices, default=ReviewFrequency.QUARTERLY
    )
    next_review_date = models.DateField("next review date", db_index=True)
    status = models.CharField(
        max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN, db_index=True
    )
    closing_reason = models.TextField("reason for closing", blank=True)
    closed_on = models.DateField(null=True, blank=True)

    # The generated columns are the database's to compute; the history keeps what people entered.
    history = HistoricalRecords(excluded_fields=list(GENERATED_FIELDS))

    access_route = "partnership"
    access_rules = {"change": MANAGE_RISKS}

    class Meta:
        ordering = ["partnership", "number"]
        # The portfolio's "last activity": a partnership's latest change, one index read.
        indexes = [
            models.Index(fields=["partnership", "-updated_at"], name="risk_partnership_recent"),
            # A partnership's highest open risks (the appetite comparison, the risks section),
            # read in order and stopped at the first few.
            models.Index(
                fields=["partnership", "-current_score", "number"],
                condition=Q(status=RiskStatus.OPEN),
                name="risk_open_by_score",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"],
                name="risk_reference_unique_per_partnership",
                violation_error_message="This reference is already used in the partnership.",
            ),
            models.CheckConstraint(
                condition=Q(
                    *(Q(**{f"{name}__gte": 1, f"{name}__lte": 5}) for name in SCALE_FIELDS)
                ),
                name="risk_likelihood_and_consequence_1_to_5",
                violation_error_message="Likelihood and consequence must be from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(_product("target"), _product("current")),
                name="risk_target_not_above_current",
                violation_error_message="The target score cannot be above the current score.",
            ),
            models.CheckConstraint(
                condition=Q(status=RiskStatus.OPEN) | ~Q(closing_reason=""),
                name="risk_closed_has_reason",
                violation_error_message="Enter why the risk is closed.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    # Python twins of the generated columns, for objects not yet saved or just changed.
    def score_of(self, kind: str) -> int | None:
        likelihood = getattr(self, f"{kind}_likelihood")
        consequence = getattr(self, f"{kind}_consequence")
        if likelihood is None or consequence is None:
            return None
        return matrix.score(likelihood, consequence)

    def band_of(self, kind: str) -> str | None:
        value = self.score_of(kind)
        return None if value is None else matrix.band_for(value)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        current, target = self.score_of("current"), self.score_of("target")
        in_scale = all(
            isinstance(getattr(self, name), int) and 1 <= getattr(self, name) <= 5
            for name in SCALE_FIELDS
        )
        if in_scale and target > current:
            errors["target_likelihood"] = (
                f"The target score ({target}) cannot be above the current score ({current}). "
                "Lower the target likelihood or consequence."
            )
        if self.status == RiskStatus.CLOSED and not (self.closing_reason or "").strip():
            errors["closing_reason"] = "Enter why the risk is closed."
        if self.partnership_id and self.owner_organisation_id:
            if not self.partnership.parties.filter(
                organisation_id=self.owner_organisation_id
            ).exists():
                errors["owner_organisation"] = (
                    "The owner organisation must be a party to the partnership."
                )
            elif (
                self.owner_id
                and not Membership.objects.filter(
                    user_id=self.owner_id, organisation_id=self.owner_organisation_id
                ).exists()
            ):
                errors["owner"] = "The owner must be a member of the owner organisation."
        if errors:
            raise ValidationError(errors)


class RiskAction(TimeStampedModel):
    """Something someone will do by a date to reduce a risk."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    # The risk's partnership, copied when the action is added (``risks.services.action_create``;
    # a risk never moves partnership), so access checks, ``?partnership=`` and the overdue counts
    # per partnership read one table. Indexed below, leading the composite indexes.
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="risk_actions",
        editable=False,
        db_index=False,
    )
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_actions"
    )
    due_date = models.DateField("due date", db_index=True)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN, db_index=True
    )
    completed_on = models.DateField(null=True, blank=True)

    # The partnership is the risk's (derived, never edited): the history keeps what people entered.
    history = HistoricalRecords(excluded_fields=["partnership"])

    access_route = "partnership"
    access_rules = {"change": MANAGE_RISKS}

    class Meta:
        ordering = ["due_date", "created_at"]
        verbose_name = "risk action"
        indexes = [
            # Overdue actions of a risk: open ones only, by due date.
            models.Index(
                fields=["risk", "due_date"],
                condition=Q(status=ActionStatus.OPEN),
                name="riskaction_open_due",
            ),
            # A partnership's actions in the list's order (``?partnership=``, the access filter).
            models.Index(
                fields=["partnership", "due_date", "created_at", "id"],
                name="riskaction_partnership_due",
            ),
            # Overdue actions of a partnership (its overview, reminders, home page counts).
            models.Index(
                fields=["partnership", "due_date"],
                condition=Q(status=ActionStatus.OPEN),
                name="riskaction_open_partnership",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    def clean(self) -> None:
        if self.risk_id and self.partnership_id != self.risk.partnership_id:
            # Set by the service from the risk; a mismatch is a programming error, not input.
            raise ValueError("A risk action belongs to its risk's partnership.")
        if self.risk_id and self.owner_id:
            parties = self.risk.partnership.parties.values("organisation_id")
            if not Membership.objects.filter(
                user_id=self.owner_id, organisation_id__in=parties
            ).exists():
                raise ValidationError(
                    {"owner": "The owner must be a member of one of the partnership's parties."}
                )


class RiskAppetite(TimeStampedModel):
    """How much risk of one category an organisation is willing to take.

    ``tolerance`` is the highest current score it accepts: a risk scoring above it is outside the
    organisation's appetite.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="risk_appetites"
    )
    category = models.CharField(max_length=30, choices=RiskCategory.choices)
    level = models.CharField(max_length=10, choices=AppetiteLevel.choices)
    tolerance = models.PositiveSmallIntegerField(
        validators=[
            MinValueValidator(1, message="The tolerance must be a score from 1 to 25."),
            MaxValueValidator(25, message="The tolerance must be a score from 1 to 25."),
        ],
        help_text="The highest current risk score the organisation accepts, from 1 to 25.",
    )
    statement = models.TextField(
        "appetite statement", blank=True, help_text="Optional. What the board said, in its words."
    )

    history = HistoricalRecords()

    # An organisation's own position, not a partnership's: only its executives set it.
    access_route = None
    access_rules = {
        "set": Rule(
            EXECUTIVE_ROLES,
            "organisation",
            open_only=False,
            message="Only an executive of {organisation} can set its risk appetite.",
        ),
    }

    class Meta:
        ordering = ["organisation__name", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "category"],
                name="risk_appetite_one_per_organisation_and_category",
                violation_error_message="The organisation already has an appetite for this category.",
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gte=1, tolerance__lte=25),
                name="risk_appetite_tolerance_1_to_25",
                violation_error_message="The tolerance must be a score from 1 to 25.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.get_category_display()}: {self.get_level_display()}"
