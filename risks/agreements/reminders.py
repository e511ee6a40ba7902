"""Reminders about shared-risk agreements (DESIGN §4): one awaiting signatures for more than
7 days, and one in force whose review date is within 30 days.

Who is told: for signatures, the executives of the parties (only executives sign); for the
review, the programme managers and executives of every party.
"""

from datetime import date, timedelta

from django.db.models import DateField
from django.db.models.functions import Cast
from django.urls import reverse

from buddying.common.reminders import ReminderRule, day_text, dues, link
from partnerships import access
from partnerships.choices import PartnershipStatus
from partnerships.rules import EXECUTIVE_ROLES
from risks.agreements.choices import AgreementStatus
from risks.agreements.models import Agreement

SIGNATURE_WAIT_DAYS = 7
REVIEW_WITHIN_DAYS = 30


def _agreement_link():
    agreement_link = link(lambda pk: reverse("agreements:detail", args=[pk]))
    return lambda row: agreement_link(row["pk"])


def agreement_awaiting_signature(today: date):
    """Agreements put to signature more than 7 days ago and not yet signed by every party."""
    agreements = Agreement.objects.filter(
        status=AgreementStatus.AWAITING_SIGNATURES,
        submitted_at__date__lt=today - timedelta(days=SIGNATURE_WAIT_DAYS),
    ).exclude(partnership__status=PartnershipStatus.CLOSED)
    rows = list(
        agreements.values(
            "pk", "partnership_id", "number", submitted_on=Cast("submitted_at", DateField())
        )
    )
    told = access.people_to_tell(agreements, roles=EXECUTIVE_ROLES)
    return dues(
        rows,
        told,
        item_type="agreements.agreement",
        due_date=lambda row: row["submitted_on"] + timedelta(days=SIGNATURE_WAIT_DAYS),
        text=lambda row: (
            f"Shared-risk agreement version {row['number']} has waited for signatures since "
            f"{day_text(row['submitted_on'])}"
        ),
        url=_agreement_link(),
    )


def agreement_review_due(today: date):
    """Agreements in force whose review date falls within the next 30 days."""
    agreements = Agreement.objects.filter(
        status=AgreementStatus.IN_FORCE,
        review_date__gte=today,
        review_date__lte=today + timedelta(days=REVIEW_WITHIN_DAYS),
    ).exclude(partnership__status=PartnershipStatus.CLOSED)
    rows = list(agreements.values("pk", "partnership_id", "number", "review_date"))
    told = access.people_to_tell(agreements)
    return dues(
        rows,
        told,
        item_type="agreements.agreement",
        due_date=lambda row: row["review_date"],
        text=lambda row: (
            f"Shared-risk agreement version {row['number']} is due for review on "
            f"{day_text(row['review_date'])}"
        ),
        url=_agreement_link(),
    )


RULES = [
    ReminderRule(
        name="agreement_awaiting_signature",
        label="Agreement awaiting signatures for more than 7 days",
        select=agreement_awaiting_signature,
        order=50,
    ),
    ReminderRule(
        name="agreement_review_due",
        label="Agreement review date within 30 days",
        select=agreement_review_due,
        order=51,
    ),
]
