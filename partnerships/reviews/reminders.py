"""Reminders about outcome reviews: due within 14 days, and overdue (DESIGN §4).

Who is told: the programme managers and executives of the buddy and the supported party (those
who write and sign off a review). Reviews stay due after a partnership closes, so a closed
partnership's final review is still reminded of.
"""

from datetime import date, timedelta

from django.db.models import Case, CharField, Value, When
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
from partnerships.reviews.choices import ReviewKind, ReviewStatus
from partnerships.reviews.models import OutcomeReview
from partnerships.rules import PRINCIPAL_PARTY

DUE_SOON_DAYS = 14
NOT_STARTED_OR_DRAFT = [ReviewStatus.SCHEDULED, ReviewStatus.DRAFT]


def _kind_label():
    return Case(
        *[When(kind=kind, then=Value(kind.label)) for kind in ReviewKind],
        default=Value("Outcome"),
        output_field=CharField(),
    )


def _rows(queryset):
    columns = reminder_columns(
        item_type="reviews.outcomereview",
        due_date="due_date",
        text=text_sql(
            _kind_label(),
            " review of ",
            day_text_sql("period_start"),
            " to ",
            day_text_sql("period_end"),
            ", due on ",
            day_text_sql("due_date"),
        ),
        url=link_sql(lambda pk: reverse("reviews:detail", args=[pk]), "pk"),
    )
    return access.told_rows(queryset, party=PRINCIPAL_PARTY, columns=columns)


def review_due_soon_rows(today: date):
    """Reviews not yet submitted that fall due within the next 14 days (today included)."""
    return _rows(
        OutcomeReview.objects.filter(
            status__in=NOT_STARTED_OR_DRAFT,
            due_date__gte=today,
            due_date__lte=today + timedelta(days=DUE_SOON_DAYS),
        )
    )


def review_overdue_rows(today: date):
    """Reviews past their due date and not yet signed off."""
    return _rows(
        OutcomeReview.objects.filter(due_date__lt=today).exclude(status=ReviewStatus.SIGNED_OFF)
    )


def review_due_soon(today: date):
    return dues_of(review_due_soon_rows(today))


def review_overdue(today: date):
    return dues_of(review_overdue_rows(today))


RULES = [
    ReminderRule(
        name="review_due_soon",
        label="Outcome review due within 14 days",
        select=review_due_soon,
        rows=review_due_soon_rows,
        order=10,
    ),
    ReminderRule(
        name="review_overdue",
        label="Outcome review overdue",
        select=review_overdue,
        rows=review_overdue_rows,
        order=11,
    ),
]
