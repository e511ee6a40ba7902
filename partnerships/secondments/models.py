"""Staff secondments between the parties of a partnership, and what an organisation records to
read its capacity: its establishment per staff group and the share it accepts away unbackfilled.

The status (planned, active, ended) is not stored: it follows from the dates, in Python
(``Secondment.status_on``) and in SQL (``status_expression``), from the one rule below. Only a
cancellation is recorded.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, CharField, F, Q, Value, When
from simple_history.models import HistoricalRecords

from buddying.common.models import TimeStampedModel
from partnerships.choices import DeliveryStaffGroup
from partnerships.models import Organisation, Partnership
from partnerships.rules import WRITE_ROLES, Rule
from partnerships.secondments.choices import PayBand, SecondmentStatus

FTE_DIGITS, FTE_PLACES = 3, 2
MONEY_DIGITS, MONEY_PLACES = 12, 2
DEFAULT_THRESHOLD_PERCENT = Decimal("5")

_CLOSED = "The partnership is closed, so its secondments cannot change."
_CHANGE_MESSAGE = (
    "Only a programme manager or executive of {organisation} can record its secondments."
)


def normalise_staff_reference(value: str) -> str:
    """References as the home organisation's systems hold them: no spaces around, upper case."""
    return " ".join((value or "").split()).upper()


def status_expression(today: dt.date) -> Case:
    """The status of each row for ``today``, computed in the database (same rule as
    ``Secondment.status_on``)."""
    return Case(
        When(cancelled=True, then=Value(SecondmentStatus.CANCELLED)),
        When(start_date__gt=today, then=Value(SecondmentStatus.PLANNED)),
        When(end_date__lt=today, then=Value(SecondmentStatus.ENDED)),
        default=Value(SecondmentStatus.ACTIVE),
        output_field=CharField(),
    )


class Secondment(TimeStampedModel):
    """A member of staff of one party working for another party for a while, part or full time.

    The person is known by a reference their home organisation gives them (unique within that
    organisation; no names are kept), so one person's secondments can be added up: they may never
    come to more than 1.0 FTE on any day (checked by ``services``, under a lock).
    """

    reference = models.CharField(
        max_length=20, editable=False, help_text="Unique within the partnership, e.g. S-0007."
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="secondments"
    )
    staff_reference = models.CharField(
        "staff reference",
        max_length=30,
        help_text="The reference the home organisation uses for the person, such as their ESR "
        "assignment number. Not their name.",
    )
    role_title = models.CharField("role title", max_length=200)
    staff_group = models.CharField("staff group", max_length=30, choices=DeliveryStaffGroup.choices)
    band = models.CharField("pay band", max_length=10, choices=PayBand.choices)
    home_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="secondments_out",
        verbose_name="home organisation",
    )
    host_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="secondments_in",
        verbose_name="host organisation",
    )
    fte = models.DecimalField("FTE", max_digits=FTE_DIGITS, decimal_places=FTE_PLACES)
    start_date = models.DateField("start date")
    end_date = models.DateField("end date")
    backfilled = models.BooleanField(
        default=False, help_text="Whether the home organisation has filled the post meanwhile."
    )
    monthly_recharge = models.DecimalField(
        "monthly recharge",
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        default=Decimal("0"),
        help_text="What the host pays the home organisation each month, in pounds.",
    )
    development_objectives = models.TextField("development objectives")
    learning_outcomes = models.TextField("learning outcomes", blank=True)
    cancelled = models.BooleanField(default=False, editable=False)
    cancellation_reason = models.TextField("reason for cancelling", blank=True, editable=False)

    history = HistoricalRecords()

    access_route = "partnership"
    access_rules = {
        # Recording, changing, ending and cancelling: the home organisation's programme managers
        # and executives. The host's members, like every party's, read them.
        "change": Rule(
            WRITE_ROLES,
            "home_organisation",
            message=_CHANGE_MESSAGE,
            closed_message=_CLOSED,
        ),
    }

    class Meta:
        ordering = ["partnership_id", "reference"]
        indexes = [
            models.Index(fields=["home_organisation", "staff_reference"], name="secondment_person"),
            models.Index(fields=["home_organisation", "staff_group"], name="secondment_group"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"],
                name="secondment_reference_unique_in_partnership",
                violation_error_message="This reference is already used in the partnership.",
            ),
            models.CheckConstraint(
                condition=Q(fte__gt=0, fte__lte=1),
                name="secondment_fte_above_0_up_to_1",
                violation_error_message="The FTE must be more than 0 and no more than 1.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="secondment_end_on_or_after_start",
                violation_error_message="The end date must be the same as or after the start date.",
            ),
            models.CheckConstraint(
                condition=Q(monthly_recharge__gte=0),
                name="secondment_recharge_not_negative",
                violation_error_message="The monthly recharge must be £0 or more.",
            ),
            models.CheckConstraint(
                condition=~Q(home_organisation=F("host_organisation")),
                name="secondment_home_differs_from_host",
                violation_error_message="The host organisation must be different from the home organisation.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.role_title}"

    def status_on(self, today: dt.date) -> str:
        if self.cancelled:
            return SecondmentStatus.CANCELLED
        if self.start_date > today:
            return SecondmentStatus.PLANNED
        if self.end_date < today:
            return SecondmentStatus.ENDED
        return SecondmentStatus.ACTIVE

    @property
    def status_label(self) -> str:
        """The words for the status annotated by the selectors (``status``)."""
        return SecondmentStatus(self.status).label

    def clean(self) -> None:
        self.staff_reference = normalise_staff_reference(self.staff_reference)
        errors = {}
        if self.fte is not None and not (0 < self.fte <= 1):
            errors["fte"] = "The FTE must be more than 0 and no more than 1."
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be the same as or after the start date."
        if self.monthly_recharge is not None and self.monthly_recharge < 0:
            errors["monthly_recharge"] = "The monthly recharge must be £0 or more."
        if (
            self.home_organisation_id
            and self.home_organisation_id == self.host_organisation_id
            and "host_organisation" not in errors
        ):
            errors["host_organisation"] = (
                "The host organisation must be different from the home organisation."
            )
        if self.partnership_id:
            parties = {party.organisation_id for party in self.partnership.parties.all()}
            if self.home_organisation_id and self.home_organisation_id not in parties:
                errors["home_organisation"] = (
                    "The home organisation must be a party to the partnership."
                )
            if self.host_organisation_id and self.host_organisation_id not in parties:
                errors.setdefault(
                    "host_organisation", "The host organisation must be a party to the partnership."
                )
        if errors:
            raise ValidationError(errors)


# An organisation's own figures, not a partnership's: its programme managers and executives.
_SET_CAPACITY = Rule(
    WRITE_ROLES,
    "organisation",
    open_only=False,
    message="Only a programme manager or executive of {organisation} can record its "
    "establishment and warning threshold.",
)


class StaffGroupEstablishment(TimeStampedModel):
    """How many FTE an organisation employs in a staff group, so the capacity page can show the
    share of the group seconded away."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="staff_group_establishments"
    )
    staff_group = models.CharField("staff group", max_length=30, choices=DeliveryStaffGroup.choices)
    fte = models.DecimalField("establishment (FTE)", max_digits=10, decimal_places=2)

    history = HistoricalRecords()

    access_route = None
    access_rules = {"set": _SET_CAPACITY}

    class Meta:
        ordering = ["organisation_id", "staff_group"]
        verbose_name = "staff group establishment"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "staff_group"],
                name="establishment_one_per_organisation_and_group",
                violation_error_message="The organisation already has an establishment for this staff group.",
            ),
            models.CheckConstraint(
                condition=Q(fte__gt=0),
                name="establishment_fte_positive",
                violation_error_message="The establishment must be more than 0 FTE.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.get_staff_group_display()}: {self.fte} FTE"


class CapacityThreshold(TimeStampedModel):
    """The share of a staff group an organisation accepts seconded away without backfill before
    the product warns it (the talent-pool warning). Without a row, the default is 5%."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="capacity_threshold"
    )
    unbackfilled_percent = models.DecimalField(
        "warning threshold (%)",
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_THRESHOLD_PERCENT,
        help_text="Warn when more than this share of a staff group is away and not backfilled.",
    )

    history = HistoricalRecords()

    access_route = None
    access_rules = {"set": _SET_CAPACITY}

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(unbackfilled_percent__gt=0, unbackfilled_percent__lte=100),
                name="capacity_threshold_0_to_100",
                violation_error_message="The threshold must be more than 0% and no more than 100%.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.unbackfilled_percent}%"


class TalentPoolRisk(TimeStampedModel):
    """That a "workforce and capacity" risk was raised on a partnership's register from the
    talent-pool warning of one staff group of the home organisation, in one month.

    The unique key (partnership, organisation, staff group, month) is what makes the offer
    "never twice": of two people clicking at once, the second insert waits for the first and
    fails, and that person is shown the risk the first one raised. The risk itself lives in the
    risks app, which this app may not import: it is known by its id and reference.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="talent_pool_risks"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="talent_pool_risks",
        verbose_name="home organisation",
    )
    staff_group = models.CharField("staff group", max_length=30, choices=DeliveryStaffGroup.choices)
    month = models.DateField(help_text="The first day of the month the risk was raised in.")
    # Empty only inside the transaction that claims the key and then raises the risk.
    risk_id = models.UUIDField("risk", null=True, blank=True)
    risk_reference = models.CharField("risk reference", max_length=20, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    access_route = "partnership"
    access_rules = {
        # The warning is the home organisation's: its programme managers and executives raise it.
        "raise": Rule(
            WRITE_ROLES,
            "organisation",
            message="Only a programme manager or executive of {organisation} can raise a risk "
            "about its staff seconded out.",
            closed_message="The partnership is closed, so no risk can be added to its register.",
        ),
    }

    class Meta:
        ordering = ["-month", "organisation_id", "staff_group", "partnership_id"]
        verbose_name = "talent-pool risk raised"
        verbose_name_plural = "talent-pool risks raised"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation", "staff_group", "month"],
                name="talent_pool_risk_once_a_month",
                violation_error_message="A risk was already raised for this staff group this "
                "month in this partnership.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.organisation_id} {self.staff_group} {self.month:%Y-%m}: {self.risk_reference}"
        )
