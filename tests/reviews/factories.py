import datetime as dt

import factory

from partnerships.reviews.choices import LearningDirection, LearningTheme, ReviewKind
from partnerships.reviews.models import LearningItem, OutcomeReview


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeReview

    kind = ReviewKind.INTERIM
    period_start = dt.date(2026, 4, 1)
    period_end = dt.date(2026, 6, 30)
    due_date = dt.date(2026, 7, 14)


class LearningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningItem

    title = factory.Sequence(lambda n: f"Learning {n}")
    description = "Daily board rounds shortened the time to discharge."
    direction = LearningDirection.BUDDY_TO_SUPPORTED
    theme = LearningTheme.PATIENT_FLOW
