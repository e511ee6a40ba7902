"""Shared-risk agreements: what the parties of a partnership share, signed by each board.

An ``Agreement`` is one version (1, 2, …) of a partnership's agreement. Its status moves
``draft → awaiting_signatures → in_force → superseded | terminated`` only through the services.
Its ``number`` is the agreement's version as people read it ("version 2"); ``version`` (from the
base model) counts the row's edits for ETags and stale forms, as on every model.

A draft is changed freely by the parties' programme managers and executives. Once put to
signature its content is frozen: it is signed, or returned to draft (which clears every signature
given), or — once in force — never changed again; a change is a new version. The signatures
record the SHA-256 of the content (``risks.agreements.canonical``), so anyone can verify it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from buddying.common.models import TimeStampedModel
from partnerships.models import Organisation, Partnership
from partnerships.rules import ANY_PARTY, EXECUTIVE_ROLES, WRITE_ROLES, Rule
from risks.agreements.choices import OPEN_STATUSES, AgreementStatus, DisputeStatus
from risks.models import Risk

_CLOSED = "The partnership is closed, so its agreements cannot change."

# Drafting, changing a draft, putting it to signature and starting a new version: any party's
# programme managers and executives, while the partnership is open.
DRAFT_AGREEMENTS = Rule(
    WRITE_ROLES,
    ANY_PARTY,
    message="Only a programme manager or executive of a party to the partnership can draft "
    "or change its agreements.",
    closed_message=_CLOSED,
)

SHARE_DIGITS = 5
SHARE_PLACES = 2
MONEY_DIGITS = 14
MONEY_PLACES = 2


class Agreement(TimeStampedModel):
    """One version of a partnership's shared-risk agreement."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="agreements"
    )
    number = models.PositiveIntegerField(
        "agreement version", editable=False, help_text="1 for the first agreement, then 2, 3 …"
    )
    status = models.CharField(
        max_length=20,
        choices=AgreementStatus.choices,
        default=AgreementStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    shared_intent = models.TextField(
        "shared intent",
        blank=True,
        help_text="What the organisations mean to achieve together, in words that outlast "
        "changes of people or policy.",
    )
    scope = models.TextField(blank=True, help_text="What the agreement covers.")
    effective_from = models.DateField("effective from", null=True, blank=True)
    review_date = models.DateField("review date", null=True, blank=True)
    mediator_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="mediator organisation",
        help_text="Who helps the parties resolve a dispute: a broker or mediator party, or "
        "another organisation.",
    )
    dispute_process = models.TextField(
        "dispute-resolution process",
        blank=True,
        help_text="How a disagreement is raised, mediated and settled.",
    )
    exit_terms = models.TextField("exit terms", blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="copied from",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    in_force_at = models.DateTimeField("in force since", null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(
        "superseded or terminated at", null=True, blank=True, editable=False
    )
    termination_reason = models.TextField(blank=True, editable=False)

    history = HistoricalRecords()

    access_route = "partnership"
    access_rules = {
        "change": DRAFT_AGREEMENTS,
        "sign": Rule(
            EXECUTIVE_ROLES,
            ANY_PARTY,
            message="Only an executive of a party to the partnership can sign its agreement.",
            closed_message=_CLOSED,
        ),
        "terminate": Rule(
            EXECUTIVE_ROLES,
            ANY_PARTY,
            message="Only an executive of a party to the partnership can terminate its agreement.",
            closed_message=_CLOSED,
        ),
    }

    class Meta:
        ordering = ["partnership", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "number"],
                name="agreement_number_unique_per_partnership",
                violation_error_message="This version number is already used.",
            ),
            # The database's guard behind the services' locks: two versions can never be in
            # force at once, nor two be in the making.
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(status=AgreementStatus.IN_FORCE),
                name="agreement_one_in_force_per_partnership",
                violation_error_message="Another version of the agreement is in force.",
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(status__in=OPEN_STATUSES),
                name="agreement_one_open_per_partnership",
                violation_error_message="Another version of the agreement is being made.",
            ),
            models.CheckConstraint(
                condition=Q(review_date__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(review_date__gt=models.F("effective_from")),
                name="agreement_review_after_effective",
                violation_error_message="The review date must be after the date it takes effect.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership.reference} agreement version {self.number}"

    def clean(self) -> None:
        if self.effective_from and self.review_date and self.review_date <= self.effective_from:
            raise ValidationError(
                {"review_date": "The review date must be after the date it takes effect."}
            )

    @property
    def is_draft(self) -> bool:
        return self.status == AgreementStatus.DRAFT


class AgreementLine(TimeStampedModel):
    """One shared risk in an agreement: who leads it, each party's share, the cap and duties."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="lines")
    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="agreement_lines")
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="led_agreement_lines",
        verbose_name="lead party",
    )
    liability_cap_gbp = models.DecimalField(
        "liability cap (£)",
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        validators=[MinValueValidator(0, message="The liability cap must be £0 or more.")],
    )
    responsibilities = models.TextField(blank=True)

    history = HistoricalRecords()

    access_route = "agreement__partnership"
    access_rules = {"change": DRAFT_AGREEMENTS}

    class Meta:
        ordering = ["agreement", "risk__number"]
        verbose_name = "agreement line"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "risk"],
                name="agreement_line_risk_once",
                violation_error_message="This risk is already in the agreement.",
            ),
            models.CheckConstraint(
                condition=Q(liability_cap_gbp__gte=0),
                name="agreement_line_cap_not_negative",
                violation_error_message="The liability cap must be £0 or more.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.risk.reference}"


class LineShare(TimeStampedModel):
    """A party's share of one line's risk, in per cent (a line's shares add up to 100)."""

    line = models.ForeignKey(AgreementLine, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreement_shares"
    )
    percent = models.DecimalField(
        "share (%)",
        max_digits=SHARE_DIGITS,
        decimal_places=SHARE_PLACES,
        validators=[
            MinValueValidator(0, message="A share must be from 0 to 100."),
            MaxValueValidator(100, message="A share must be from 0 to 100."),
        ],
    )

    history = HistoricalRecords()

    access_route = "line__agreement__partnership"
    access_rules = {"change": DRAFT_AGREEMENTS}

    class Meta:
        ordering = ["line", "organisation__name"]
        verbose_name = "share"
        constraints = [
            models.UniqueConstraint(
                fields=["line", "organisation"],
                name="line_share_once_per_party",
                violation_error_message="This party already has a share of the line.",
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100),
                name="line_share_0_to_100",
                violation_error_message="A share must be from 0 to 100.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.percent}%"


class Signature(TimeStampedModel):
    """An executive's signature for their organisation: who, when, the hash of what they
    signed, and the organisation's sponsor and deputy as they stood at that moment."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreement_signatures"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(max_length=300)
    signed_at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField("SHA-256 of the content signed", max_length=64)
    sponsor_name = models.CharField(max_length=200, blank=True)
    sponsor_job_title = models.CharField(max_length=200, blank=True)
    sponsor_since = models.DateField(null=True, blank=True)
    deputy_name = models.CharField(max_length=200, blank=True)
    deputy_job_title = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    access_route = "agreement__partnership"
    access_rules: dict = {}

    class Meta:
        ordering = ["agreement", "signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"],
                name="signature_once_per_party",
                violation_error_message="This organisation has already signed.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} signed {self.agreement}"


class Dispute(TimeStampedModel):
    """A difference between the parties about an agreement (and perhaps one of its risks),
    tracked ``open → in_mediation → resolved``."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="disputes")
    risk = models.ForeignKey(
        Risk, on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    raised_by_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="raised_disputes",
        verbose_name="raised by",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name="recorded by",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    mediator_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="mediator organisation",
    )
    status = models.CharField(
        max_length=20,
        choices=DisputeStatus.choices,
        default=DisputeStatus.OPEN,
        editable=False,
        db_index=True,
    )
    raised_on = models.DateField("raised on", default=timezone.localdate, editable=False)
    mediation_started_on = models.DateField(null=True, blank=True, editable=False)
    resolved_on = models.DateField(null=True, blank=True, editable=False)
    resolution = models.TextField(blank=True, editable=False)

    history = HistoricalRecords()

    access_route = "agreement__partnership"
    access_rules = {
        "raise": Rule(
            WRITE_ROLES,
            "raised_by_organisation",
            message="Only a programme manager or executive of {organisation} can raise a "
            "dispute on its behalf.",
            closed_message="The partnership is closed, so no dispute can be raised.",
        ),
        "change": Rule(
            WRITE_ROLES,
            ANY_PARTY,
            message="Only a programme manager or executive of a party to the partnership can "
            "change its disputes.",
            closed_message="The partnership is closed, so its disputes cannot change.",
        ),
    }

    class Meta:
        ordering = ["-raised_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=DisputeStatus.RESOLVED)
                | (~Q(resolution="") & Q(resolved_on__isnull=False)),
                name="dispute_resolved_has_resolution",
                violation_error_message="A resolved dispute needs its resolution.",
            ),
        ]

    def __str__(self) -> str:
        return self.title
