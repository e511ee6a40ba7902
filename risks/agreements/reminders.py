"""Reminders about shared-risk agreements (DESIGN §4): one awaiting signatures for more than
7 days, and one in force whose review date is within 30 days.

Who is told: for signatures, the executives of the parties that have not signed yet (only
executives sign; a party that has signed has nothing left to do); for the review, the programme
managers and executives of every party.
"""

from datetime import date, timedelta

from django.db.models import CharField, DateField, Exists, F, OuterRef
from django.db.models.functions import Cast
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
from partnerships.rules import EXECUTIVE_ROLES
from risks.agreements.choices import AgreementStatus
from risks.agreements.models import Agreement, Signature

SIGNATURE_WAIT_DAYS = 7
REVIEW_WITHIN_DAYS = 30


def _agreement_link():
    return link_sql(lambda pk: reverse("agreements:detail", args=[pk]), "pk")


def _not_signed(organisation: str):
    """The party (``organisation``: the lookup to its id) has not signed the agreement."""
    return ~Exists(
        Signature.objects.filter(
            agreement_id=OuterRef("pk"), organisation_id=OuterRef(organisation)
        )
    )


def agreement_awaiting_signature_rows(today: date):
    """Agreements put to signature more than 7 days ago and not yet signed by every party."""
    agreements = (
        Agreement.objects.filter(
            status=AgreementStatus.AWAITING_SIGNATURES,
            submitted_at__date__lt=today - timedelta(days=SIGNATURE_WAIT_DAYS),
        )
        .exclude(partnership__status=PartnershipStatus.CLOSED)
        .annotate(submitted_on=Cast("submitted_at", DateField()))
    )
    columns = reminder_columns(
        item_type="agreements.agreement",
        due_date=Cast(F("submitted_on") + timedelta(days=SIGNATURE_WAIT_DAYS), DateField()),
        text=text_sql(
            "Shared-risk agreement version ",
            Cast("number", CharField()),
            " has waited for signatures since ",
            day_text_sql("submitted_on"),
        ),
        url=_agreement_link(),
    )
    return access.told_rows(
        agreements, roles=EXECUTIVE_ROLES, party_condition=_not_signed, columns=columns
    )


def agreement_review_due_rows(today: date):
    """Agreements in force whose review date falls within the next 30 days."""
    agreements = Agreement.objects.filter(
        status=AgreementStatus.IN_FORCE,
        review_date__gte=today,
        review_date__lte=today + timedelta(days=REVIEW_WITHIN_DAYS),
    ).exclude(partnership__status=PartnershipStatus.CLOSED)
    columns = reminder_columns(
        item_type="agreements.agreement",
        due_date="review_date",
        text=text_sql(
            "Shared-risk agreement version ",
            Cast("number", CharField()),
            " is due for review on ",
            day_text_sql("review_date"),
        ),
        url=_agreement_link(),
    )
    return access.told_rows(agreements, columns=columns)


def agreement_awaiting_signature(today: date):
    return dues_of(agreement_awaiting_signature_rows(today))


def agreement_review_due(today: date):
    return dues_of(agreement_review_due_rows(today))


RULES = [
    ReminderRule(
        name="agreement_awaiting_signature",
        label="Agreement awaiting signatures for more than 7 days",
        select=agreement_awaiting_signature,
        rows=agreement_awaiting_signature_rows,
        order=50,
    ),
    ReminderRule(
        name="agreement_review_due",
        label="Agreement review date within 30 days",
        select=agreement_review_due,
        rows=agreement_review_due_rows,
        order=51,
    ),
]
