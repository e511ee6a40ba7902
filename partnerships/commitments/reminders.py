"""Reminders about commitments: under-delivering, and no delivery for 14 days (DESIGN §4).

Who is told: the programme managers and executives of the committing organisation (a
commitment's owner is a name, not a person who signs in). Only commitments whose period is
running, in partnerships that are not closed.

- Under-delivering: delivered below 80% of what is expected by now (the figures of
  ``selectors.with_figures``). Its due date is the Monday of the week, so while a commitment
  stays behind its people hear of it at most once a week.
- No delivery for 14 days: nothing logged for 14 days since the last delivery (or since the start).
  Its due date is that 14th day, so logging a delivery moves the date, and a later silence is a
  new reminder.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from buddying.common.reminders import ReminderRule, day_text, dues, link
from partnerships import access
from partnerships.choices import PartnershipStatus
from partnerships.commitments.models import Commitment
from partnerships.commitments.selectors import with_figures

UNDER_DELIVERING_SHARE = Decimal("0.8")
SILENT_DAYS = 14
_FIELDS = ("pk", "partnership_id", "reference", "description")


def _running(today: date):
    return Commitment.objects.filter(start_date__lte=today, end_date__gte=today).exclude(
        partnership__status=PartnershipStatus.CLOSED
    )


def _told(queryset):
    # The figures are not needed to know who is told: ask about the bare rows.
    return access.people_to_tell(
        Commitment.objects.filter(pk__in=queryset.values("pk")), party="organisation"
    )


def _url():
    commitment_link = link(lambda pk: reverse("commitments:detail", args=[pk]))
    return lambda row: commitment_link(row["pk"])


def commitment_under_delivering(today: date):
    """Running commitments that have delivered less than 80% of what is expected by today."""
    behind = with_figures(_running(today), today).filter(
        expected__gt=0, delivered__lt=F("expected") * UNDER_DELIVERING_SHARE
    )
    rows = list(behind.values(*_FIELDS, "delivered", "expected", "percent_of_expected"))
    monday = today - timedelta(days=today.weekday())
    return dues(
        rows,
        _told(behind),
        item_type="commitments.commitment",
        due_date=lambda row: monday,
        text=lambda row: (
            f"{row['reference']} {row['description']}: {row['percent_of_expected']}% of what "
            "was expected by now has been delivered"
        ),
        url=_url(),
    )


def commitment_no_recent_delivery(today: date):
    """Running commitments with nothing delivered in the last 14 days (nor since they started)."""
    quiet_since = today - timedelta(days=SILENT_DAYS)
    silent = (
        with_figures(_running(today), today)
        .annotate(quiet_from=Coalesce("last_delivery_on", "start_date"))
        .filter(Q(quiet_from__lte=quiet_since))
    )
    rows = list(silent.values(*_FIELDS, "quiet_from", "last_delivery_on"))
    return dues(
        rows,
        _told(silent),
        item_type="commitments.commitment",
        due_date=lambda row: row["quiet_from"] + timedelta(days=SILENT_DAYS),
        text=lambda row: (
            f"{row['reference']} {row['description']}: nothing delivered since "
            f"{day_text(row['last_delivery_on'])}"
            if row["last_delivery_on"]
            else f"{row['reference']} {row['description']}: nothing delivered since it started "
            f"on {day_text(row['quiet_from'])}"
        ),
        url=_url(),
    )


RULES = [
    ReminderRule(
        name="commitment_under_delivering",
        label="Commitment delivering below 80% of what was expected",
        select=commitment_under_delivering,
        order=30,
    ),
    ReminderRule(
        name="commitment_no_recent_delivery",
        label="Commitment with no delivery for 14 days",
        select=commitment_no_recent_delivery,
        order=31,
    ),
]
