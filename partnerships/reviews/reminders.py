"""Reminders about outcome reviews: due within 14 days, and overdue (DESIGN §4).

Who is told: the programme managers and executives of the buddy and the supported party (those
who write and sign off a review). Reviews stay due after a partnership closes, so a closed
partnership's final review is still reminded of.
"""

from datetime import date, timedelta

from django.urls import reverse

from buddying.common.reminders import ReminderRule, day_text, dues, link
from partnerships import access
from partnerships.reviews.choices import ReviewKind, ReviewStatus
from partnerships.reviews.models import OutcomeReview
from partnerships.rules import PRINCIPAL_PARTY

DUE_SOON_DAYS = 14
NOT_STARTED_OR_DRAFT = [ReviewStatus.SCHEDULED, ReviewStatus.DRAFT]
_FIELDS = ("pk", "partnership_id", "kind", "due_date", "period_start", "period_end")


def _describe(row) -> str:
    kind = ReviewKind(row["kind"]).label
    return (
        f"{kind} review of {day_text(row['period_start'])} to {day_text(row['period_end'])}, "
        f"due on {day_text(row['due_date'])}"
    )


def _reviews(queryset):
    rows = list(queryset.values(*_FIELDS))
    review_link = link(lambda pk: reverse("reviews:detail", args=[pk]))
    told = access.people_to_tell(queryset, party=PRINCIPAL_PARTY)
    return dues(
        rows,
        told,
        item_type="reviews.outcomereview",
        due_date=lambda row: row["due_date"],
        text=_describe,
        url=lambda row: review_link(row["pk"]),
    )


def review_due_soon(today: date):
    """Reviews not yet submitted that fall due within the next 14 days (today included)."""
    return _reviews(
        OutcomeReview.objects.filter(
            status__in=NOT_STARTED_OR_DRAFT,
            due_date__gte=today,
            due_date__lte=today + timedelta(days=DUE_SOON_DAYS),
        )
    )


def review_overdue(today: date):
    """Reviews past their due date and not yet signed off."""
    return _reviews(
        OutcomeReview.objects.filter(due_date__lt=today).exclude(status=ReviewStatus.SIGNED_OFF)
    )


RULES = [
    ReminderRule(
        name="review_due_soon",
        label="Outcome review due within 14 days",
        select=review_due_soon,
        order=10,
    ),
    ReminderRule(
        name="review_overdue",
        label="Outcome review overdue",
        select=review_overdue,
        order=11,
    ),
]
