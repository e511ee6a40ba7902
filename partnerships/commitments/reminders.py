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

from django.db.models import Case, CharField, DateField, F, Q, Value, When
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse

from buddying.common.reminders import (
    ReminderRule,
    day_text_sql,
    dues_of,
    link_sql,
    reminder_columns,
    text_sql,
)
from partnerships import access
from partnerships.choices import PartnershipStatus
from partnerships.commitments.models import Commitment
from partnerships.commitments.selectors import with_figures

UNDER_DELIVERING_SHARE = Decimal("0.8")
SILENT_DAYS = 14


def _running(today: date):
    return Commitment.objects.filter(start_date__lte=today, end_date__gte=today).exclude(
        partnership__status=PartnershipStatus.CLOSED
    )


def _url():
    return link_sql(lambda pk: reverse("commitments:detail", args=[pk]), "pk")


def commitment_under_delivering_rows(today: date):
    """Running commitments that have delivered less than 80% of what is expected by today."""
    behind = with_figures(_running(today), today).filter(
        expected__gt=0, delivered__lt=F("expected") * UNDER_DELIVERING_SHARE
    )
    monday = today - timedelta(days=today.weekday())
    columns = reminder_columns(
        item_type="commitments.commitment",
        due_date=Value(monday, output_field=DateField()),
        text=text_sql(
            F("reference"),
            " ",
            F("description"),
            ": ",
            Cast("percent_of_expected", CharField()),
            "% of what was expected by now has been delivered",
        ),
        url=_url(),
    )
    return access.told_rows(behind, party="organisation", columns=columns)


def commitment_no_recent_delivery_rows(today: date):
    """Running commitments with nothing delivered in the last 14 days (nor since they started)."""
    quiet_since = today - timedelta(days=SILENT_DAYS)
    silent = (
        _running(today)
        .annotate(quiet_from=Coalesce("last_delivery_on", "start_date"))
        .filter(Q(quiet_from__lte=quiet_since))
    )
    columns = reminder_columns(
        item_type="commitments.commitment",
        due_date=Cast(F("quiet_from") + timedelta(days=SILENT_DAYS), DateField()),
        text=text_sql(
            F("reference"),
            " ",
            F("description"),
            ": nothing delivered since ",
            Case(
                When(last_delivery_on__isnull=False, then=day_text_sql("last_delivery_on")),
                default=text_sql("it started on ", day_text_sql("quiet_from")),
            ),
        ),
        url=_url(),
    )
    return access.told_rows(silent, party="organisation", columns=columns)


def commitment_under_delivering(today: date):
    return dues_of(commitment_under_delivering_rows(today))


def commitment_no_recent_delivery(today: date):
    return dues_of(commitment_no_recent_delivery_rows(today))


RULES = [
    ReminderRule(
        name="commitment_under_delivering",
        label="Commitment delivering below 80% of what was expected",
        select=commitment_under_delivering,
        rows=commitment_under_delivering_rows,
        order=30,
    ),
    ReminderRule(
        name="commitment_no_recent_delivery",
        label="Commitment with no delivery for 14 days",
        select=commitment_no_recent_delivery,
        rows=commitment_no_recent_delivery_rows,
        order=31,
    ),
]
