"""Reminders about secondments: one ending within 30 days (DESIGN §4).

Who is told: the programme managers and executives of the home organisation, which plans the
person's return (and whether the post stays backfilled). Cancelled secondments are left out.
"""

from datetime import date, timedelta

from django.urls import reverse

from buddying.common.reminders import ReminderRule, day_text, dues, link
from partnerships import access
from partnerships.choices import PartnershipStatus
from partnerships.secondments.models import Secondment

ENDING_WITHIN_DAYS = 30


def secondment_ending(today: date):
    """Secondments running today that end within the next 30 days."""
    secondments = Secondment.objects.filter(
        cancelled=False,
        start_date__lte=today,
        end_date__gte=today,
        end_date__lte=today + timedelta(days=ENDING_WITHIN_DAYS),
    ).exclude(partnership__status=PartnershipStatus.CLOSED)
    rows = list(secondments.values("pk", "partnership_id", "reference", "role_title", "end_date"))
    secondment_link = link(lambda pk: reverse("secondments:detail", args=[pk]))
    told = access.people_to_tell(secondments, party="home_organisation")
    return dues(
        rows,
        told,
        item_type="secondments.secondment",
        due_date=lambda row: row["end_date"],
        text=lambda row: (
            f"{row['reference']} {row['role_title']}: the secondment ends on "
            f"{day_text(row['end_date'])}"
        ),
        url=lambda row: secondment_link(row["pk"]),
    )


RULES = [
    ReminderRule(
        name="secondment_ending",
        label="Secondment ending within 30 days",
        select=secondment_ending,
        order=40,
    ),
]
