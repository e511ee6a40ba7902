"""Commitments (a party's planned contribution of time or money) and the deliveries logged against them.

The delivered total and the date of the latest delivery are stored on the commitment, kept exact
by the delivery services in the same transaction as every delivery write (and checked by
``manage.py recompute_commitment_totals``); the figures that depend on today — expected to date,
variance, percentages and RAG — are column arithmetic in ``partnerships.commitments.selectors``.
The tables keep the names they had when commitments lived in the ``partnerships`` app.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from buddying.common.models import TimeStampedModel
from partnerships.choices import DeliveryStaffGroup, Rag
from partnerships.commitments.choices import CommitmentCategory, CommitmentUnit
from partnerships.models import Organisation, Partnership
from partnerships.rules import ANY_PARTY, WRITE_ROLES, Rule

_CLOSED = "The partnership is closed, so its commitments cannot change."
# A party's commitments and their deliveries: that party's programme managers and executives.
_CHANGE_MESSAGE = (
    "Only a programme manager or executive of {organisation} can change its "
    "commitments and deliveries."
)

QUANTITY_DIGITS = 12
QUANTITY_PLACES = 2


class Commitment(TimeStampedModel):
    """What one party of a partnership plans to give — so much time or money over a period.

    The owner is recorded by name and job title, as party sponsors are: the person accountable
    need not use the service, and a change of person is a change kept in the history.
    """

    reference = models.CharField(
        max_length=20, editable=False, help_text="Unique within the partnership, e.g. C-0007."
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="commitments"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name="committing organisation",
    )
    category = models.CharField(max_length=30, choices=CommitmentCategory.choices)
    description = models.TextField()
    unit = models.CharField(max_length=10, choices=CommitmentUnit.choices)
    planned_quantity = models.DecimalField(
        max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES
    )
    start_date = models.DateField("start date")
    end_date = models.DateField("end date")
    owner = models.CharField(
        max_length=200, help_text="The name and job title of the person accountable for it."
    )
    # Kept by the delivery services (``services._refresh_totals``), never edited: the sum of the
    # deliveries (none is ever dated after today) and the latest one's date.
    delivered_total = models.DecimalField(
        max_digits=16, decimal_places=QUANTITY_PLACES, default=0, editable=False
    )
    last_delivery_on = models.DateField(null=True, blank=True, editable=False)
    # Kept with the totals and on every change of the plan (``services.store_red_from``): the
    # first day the RAG status is red if nothing more is delivered (``selectors.red_from``), or
    # null if it never is. ``rag=red`` is then "red_from <= today", one index range.
    red_from = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords(
        table_name="partnerships_historicalcommitment",
        excluded_fields=["delivered_total", "last_delivery_on", "red_from"],
    )

    access_route = "partnership"
    access_rules = {
        "change": Rule(
            WRITE_ROLES, "organisation", message=_CHANGE_MESSAGE, closed_message=_CLOSED
        ),
        # Uploading a file of deliveries for the partnership: a commitment stands for them all.
        "upload": Rule(
            WRITE_ROLES,
            ANY_PARTY,
            message="Only a programme manager or executive of a party can upload deliveries.",
            closed_message=_CLOSED,
        ),
    }

    class Meta:
        db_table = "partnerships_commitment"
        ordering = ["partnership_id", "reference"]
        # The portfolio's "last activity": a partnership's latest change, one index read.
        indexes = [
            models.Index(
                fields=["partnership", "-updated_at"], name="commitment_partnership_recent"
            ),
            models.Index(fields=["red_from"], name="commitment_red_from"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"],
                name="commitment_reference_unique_in_partnership",
                violation_error_message="This reference is already used in the partnership.",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_quantity__gt=0),
                name="commitment_planned_quantity_positive",
                violation_error_message="The planned quantity must be more than 0.",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="commitment_end_on_or_after_start",
                violation_error_message="The end date must be the same as or after the start date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_category_display()}"

    @property
    def rag_label(self) -> str:
        """The words for the RAG status annotated by ``selectors.with_figures``."""
        rag = getattr(self, "rag", None)
        return Rag(rag).label if rag else "Not recorded"

    def clean(self) -> None:
        errors = {}
        if self.planned_quantity is not None and self.planned_quantity <= 0:
            errors["planned_quantity"] = "The planned quantity must be more than 0."
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be the same as or after the start date."
        if (
            self.partnership_id
            and self.organisation_id
            and not self.partnership.parties.filter(organisation_id=self.organisation_id).exists()
        ):
            errors["organisation"] = (
                "The committing organisation must be a party to the partnership."
            )
        if errors:
            raise ValidationError(errors)


class Delivery(TimeStampedModel):
    """An entry in a commitment's delivery log: so much given on a day, and who logged it."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="deliveries")
    date = models.DateField()
    quantity = models.DecimalField(max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES)
    staff_group = models.CharField(max_length=30, choices=DeliveryStaffGroup.choices, blank=True)
    note = models.TextField(blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )

    history = HistoricalRecords(table_name="partnerships_historicaldelivery")

    access_route = "commitment__partnership"
    access_rules = {
        "change": Rule(
            WRITE_ROLES,
            "commitment__organisation",
            message=_CHANGE_MESSAGE,
            closed_message=_CLOSED,
        ),
    }

    class Meta:
        db_table = "partnerships_delivery"
        ordering = ["-date", "-created_at"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["commitment", "date"], name="delivery_commitment_date"),
            # The national log, newest first (read backwards), a page at a time.
            models.Index(fields=["date", "created_at", "id"], name="delivery_by_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="delivery_quantity_positive",
                violation_error_message="The quantity must be more than 0.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} on {self.date}"

    def clean(self) -> None:
        errors = self.rule_errors(timezone.localdate())
        if errors:
            raise ValidationError(errors)

    def rule_errors(self, today: dt.date) -> dict[str, list[str]]:
        """The rules for one entry, by field. No query when the commitment is already loaded, and
        ``today`` is passed in, so a bulk upload checks thousands of rows quickly."""
        errors: dict[str, list[str]] = {}
        if self.quantity is not None and self.quantity <= 0:
            errors["quantity"] = ["The quantity must be more than 0."]
        if self.date:
            if self.date > today:
                errors["date"] = ["The date must be today or in the past."]
            elif self.commitment_id and self.date < self.commitment.start_date:
                start = self.commitment.start_date
                errors["date"] = [
                    f"The date must be on or after the commitment starts ({start.day} {start:%B %Y})."
                ]
        return errors


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be checked"
    RUNNING = "running", "Being checked"
    DONE = "done", "Saved"
    FAILED = "failed", "Not saved"


class DeliveryUpload(models.Model):
    """A file of deliveries for a partnership: its SHA-256, so the same file is not saved twice by
    mistake, how many rows it held and who sent it. A file too large to check while the page
    waits is kept here and checked by a Celery task, whose progress its page shows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=10, choices=UploadStatus.choices, default="done")
    file = models.FileField(upload_to="delivery-uploads/", blank=True)
    confirm_again = models.BooleanField(default=False)
    confirm_quantities = models.BooleanField(default=False)
    row_errors = models.JSONField(default=dict, blank=True)
    more_row_errors = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="delivery_uploads"
    )
    sha256 = models.CharField("SHA-256 of the file", max_length=64, blank=True, db_index=True)
    file_name = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name or 'Upload'} ({self.rows} rows)"
