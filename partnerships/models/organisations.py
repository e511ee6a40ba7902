"""Organisations (keyed by ODS code) and the memberships that give people a role in them."""

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from partnerships.choices import CqcRating, OrganisationKind, Role


class Organisation(models.Model):
    """An NHS trust, integrated care board, regulator or other body, keyed by its ODS code."""

    ods_code = models.CharField("ODS code", max_length=10, primary_key=True)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices, db_index=True)
    region_code = models.CharField(max_length=10, blank=True)
    region_name = models.CharField(max_length=100, blank=True)
    icb_code = models.CharField("ICB code", max_length=10, blank=True)
    icb_name = models.CharField("ICB name", max_length=255, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    telephone = models.CharField(max_length=30, blank=True)
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    segment = models.PositiveSmallIntegerField(
        "NHS Oversight Framework segment",
        null=True,
        blank=True,
        help_text="1 to 4; 5 is the Recovery Support Programme.",
    )
    cqc_rating = models.CharField(
        "CQC rating", max_length=30, choices=CqcRating.choices, blank=True
    )
    in_recovery_support = models.BooleanField(
        "In Recovery Support Programme or special measures", default=False
    )
    active = models.BooleanField(default=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        # The API's cursor pages read organisations in (updated_at, ods_code) order.
        indexes = [models.Index(fields=["updated_at", "ods_code"], name="organisation_sync_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(segment__isnull=True) | models.Q(segment__gte=1, segment__lte=5),
                name="organisation_segment_1_to_5",
                violation_error_message="Segment must be between 1 and 5.",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in title case as people write it ("Royal Free London NHS Foundation Trust")."""
        return title_case_nhs(self.name)


_SMALL_WORDS = {"and", "of", "the", "for", "in", "on", "at", "with", "upon"}
_KEEP_UPPER = {"NHS", "ICB", "CQC", "UK", "II"}


@lru_cache(maxsize=4096)  # a few thousand organisations; a register page asks 140 times
def title_case_nhs(name: str) -> str:
    """ODS names are in capitals; show them as trusts write them. Mixed-case names are kept."""
    if name != name.upper():
        return name
    words = []
    for index, word in enumerate(name.split()):
        if word in _KEEP_UPPER:
            words.append(word)
        elif index and word.lower() in _SMALL_WORDS:
            words.append(word.lower())
        else:
            words.append("-".join(part.capitalize() for part in word.split("-")))
    return " ".join(words)


class Membership(models.Model):
    """A person's role in an organisation. The access policy reads only these."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="membership_one_per_user_and_organisation",
                violation_error_message="This person already has a role in this organisation.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.organisation_id}"

    def clean(self) -> None:
        if self.role == Role.REGULATOR and self.organisation.kind != OrganisationKind.REGULATOR:
            raise ValidationError(
                {"role": "The regulator role is only for members of a regulator organisation."}
            )
