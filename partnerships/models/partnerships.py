"""Partnerships, their parties, objectives and the executive approvals that agree them."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from buddying.common.models import TimeStampedModel, VersionedModel
from partnerships.choices import (
    ClosureOutcome,
    FundingSource,
    PartnershipKind,
    PartnershipStatus,
    PartyRole,
)
from partnerships.rules import (
    ANY_PARTY,
    EXECUTIVE_ROLES,
    PRINCIPAL_PARTY,
    WRITE_ROLES,
    Rule,
)

from .organisations import Organisation

# Changing a partnership's terms, parties and objectives: any party's programme managers and
# executives, while it is not closed.
CHANGE_PARTNERSHIP = Rule(
    WRITE_ROLES,
    ANY_PARTY,
    message="You cannot change this partnership.",
    closed_message="A closed partnership cannot be changed.",
)


class Partnership(TimeStampedModel):
    """A buddying (or similar) arrangement between a buddy and a supported organisation."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=30, choices=PartnershipKind.choices, default=PartnershipKind.BUDDYING
    )
    scope_areas = models.TextField(
        blank=True, help_text="The services or functions the support covers, one per line."
    )
    shared_intent = models.TextField(
        "Shared intent",
        blank=True,
        help_text="What the parties mean to achieve together, in words that outlast changes of people.",
    )
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    remuneration_gbp = models.DecimalField(
        "Remuneration paid to the buddy (£)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding_source = models.CharField(max_length=30, choices=FundingSource.choices, blank=True)
    consultancy_equivalent_gbp = models.DecimalField(
        "Estimated equivalent consultancy cost (£)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        max_length=20,
        choices=PartnershipStatus.choices,
        default=PartnershipStatus.PROPOSED,
        db_index=True,
    )
    closure_outcome = models.CharField(max_length=20, choices=ClosureOutcome.choices, blank=True)
    closure_reason = models.TextField(blank=True)
    organisations = models.ManyToManyField(
        Organisation, through="Party", related_name="partnerships"
    )

    history = HistoricalRecords()

    access_route = ""
    access_rules = {
        "change": CHANGE_PARTNERSHIP,
        "approve": Rule(
            EXECUTIVE_ROLES,
            PRINCIPAL_PARTY,
            open_only=False,
            message="Only an executive of the buddy or the supported organisation can approve.",
        ),
        "transition": Rule(
            WRITE_ROLES,
            PRINCIPAL_PARTY,
            open_only=False,
            message="Only a programme manager or executive of the buddy or the supported "
            "organisation can change the status.",
        ),
    }

    class Meta:
        ordering = ["-created_at", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True)
                | models.Q(planned_start__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="partnership_planned_end_after_start",
                violation_error_message="The planned end must be on or after the planned start.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=PartnershipStatus.CLOSED)
                | (~models.Q(closure_outcome="") & ~models.Q(closure_reason="")),
                name="partnership_closed_has_outcome_and_reason",
                violation_error_message="A closed partnership needs an outcome and a reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValidationError(
                {"planned_end": "The planned end must be on or after the planned start."}
            )

    def party(self, role: str) -> "Party | None":
        """The party in ``role``, using prefetched parties when they are there."""
        for party in self.parties.all():
            if party.role == role:
                return party
        return None

    @property
    def buddy(self) -> "Party | None":
        return self.party(PartyRole.BUDDY)

    @property
    def supported(self) -> "Party | None":
        return self.party(PartyRole.SUPPORTED)


class Party(VersionedModel):
    """An organisation's place in a partnership, with its executive sponsor and deputy.

    Sponsors are recorded by name and job title: the agreement binds the organisation and the
    role, so a change of person is a change of name here, kept in the history.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    sponsor_name = models.CharField("Executive sponsor", max_length=200, blank=True)
    sponsor_job_title = models.CharField("Sponsor's job title", max_length=200, blank=True)
    deputy_name = models.CharField("Deputy sponsor", max_length=200, blank=True)
    deputy_job_title = models.CharField("Deputy's job title", max_length=200, blank=True)
    sponsor_since = models.DateField(
        "Sponsor since",
        null=True,
        blank=True,
        editable=False,
        help_text="When the present sponsor took the role (set when the sponsor changes).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    access_route = "partnership"
    access_rules = {"change": CHANGE_PARTNERSHIP}

    class Meta:
        ordering = ["role", "organisation__name"]
        verbose_name_plural = "parties"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"],
                name="party_organisation_once_per_partnership",
                violation_error_message="This organisation is already a party to the partnership.",
            ),
            models.UniqueConstraint(
                fields=["partnership", "role"],
                condition=models.Q(role__in=[PartyRole.BUDDY, PartyRole.SUPPORTED]),
                name="party_one_buddy_and_one_supported",
                violation_error_message="A partnership has exactly one buddy and one supported party.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class Objective(VersionedModel):
    """What the partnership sets out to change, and how that will be measured."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="objectives"
    )
    title = models.CharField(max_length=200)
    measure = models.CharField(max_length=300, blank=True)
    baseline = models.CharField(max_length=100, blank=True)
    target = models.CharField(max_length=100, blank=True)
    target_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    access_route = "partnership"
    access_rules = {"change": CHANGE_PARTNERSHIP}

    class Meta:
        ordering = ["target_date", "title"]

    def __str__(self) -> str:
        return self.title


class ObjectiveMeasurement(VersionedModel):
    """A value of an objective's measure on a date, recorded as the partnership goes on: the
    objective's progress over time. Each is a record of its own (who recorded it, and when); a
    mistaken one can be corrected or deleted, and the partnership's history keeps both."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    access_route = "objective__partnership"
    access_rules = {"change": CHANGE_PARTNERSHIP}

    class Meta:
        ordering = ["measured_on", "created_at"]
        indexes = [models.Index(fields=["objective", "measured_on"])]

    def __str__(self) -> str:
        return f"{self.objective}: {self.value} on {self.measured_on}"


class Approval(models.Model):
    """An executive's approval of a proposed partnership on behalf of their party."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="approvals")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="approvals")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    access_route = "partnership"
    access_rules: dict = {}

    class Meta:
        ordering = ["approved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "party"],
                name="approval_once_per_party",
                violation_error_message="This party has already approved the partnership.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.party} approved by {self.approved_by}"
