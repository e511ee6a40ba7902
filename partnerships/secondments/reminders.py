"""Reminders about secondments: one ending within 30 days (DESIGN §4).

Who is told: the programme managers and executives of the home organisation, which plans the
person's return (and whether the post stays backfilled). Cancelled secondments are left out.
"""

from datetime import date, timedelta

from django.db.models import F
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
from partnerships.secondments.models import Secondment

ENDING_WITHIN_DAYS = 30


def secondment_ending_rows(today: date):
    """Secondments running today that end within the next 30 days."""
    secondments = Secondment.objects.filter(
        cancelled=False,
        start_date__lte=today,
        end_date__gte=today,
        end_date__lte=today + timedelta(days=ENDING_WITHIN_DAYS),
    ).exclude(partnership__status=PartnershipStatus.CLOSED)
    columns = reminder_columns(
        item_type="secondments.secondment",
        due_date="end_date",
        text=text_sql(
            F("reference"),
            " ",
            F("role_title"),
            ": the secondment ends on ",
            day_text_sql("end_date"),
        ),
        url=link_sql(lambda pk: reverse("secondments:detail", args=[pk]), "pk"),
    )
    return access.told_rows(secondments, party="home_organisation", columns=columns)


def secondment_ending(today: date):
    return dues_of(secondment_ending_rows(today))


RULES = [
    ReminderRule(
        name="secondment_ending",
        label="Secondment ending within 30 days",
        select=secondment_ending,
        rows=secondment_ending_rows,
        order=40,
    ),
]
