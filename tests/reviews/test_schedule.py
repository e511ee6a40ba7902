"""The review schedule on crafted dates: quarterly reviews to the planned end and a final review,
rescheduled when the planned end changes, the final review left due when the partnership closes."""

import datetime as dt

import pytest

from partnerships import services as partnership_services
from partnerships.reviews.choices import ReviewKind, ReviewStatus
from partnerships.reviews.models import OutcomeReview
from partnerships.reviews.schedule import Slot, add_months, slots

pytestmark = pytest.mark.django_db
D = dt.date


def _schedule(partnership):
    return [
        (r.kind, r.period_start, r.period_end, r.due_date, r.status)
        for r in OutcomeReview.objects.filter(partnership=partnership).order_by(
            "period_end", "kind"
        )
    ]


def test_add_months_keeps_the_day_or_takes_the_last_day_of_a_shorter_month():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 15), 3) == D(2027, 2, 15)


def test_a_year_has_three_quarterly_reviews_and_a_final_review_for_the_last_quarter():
    assert slots(D(2026, 4, 1), D(2027, 3, 31)) == [
        Slot(ReviewKind.QUARTERLY, D(2026, 4, 1), D(2026, 6, 30)),
        Slot(ReviewKind.QUARTERLY, D(2026, 7, 1), D(2026, 9, 30)),
        Slot(ReviewKind.QUARTERLY, D(2026, 10, 1), D(2026, 12, 31)),
        Slot(ReviewKind.FINAL, D(2026, 4, 1), D(2027, 3, 31)),
    ]


def test_a_part_quarter_at_the_end_is_covered_by_the_final_review():
    kinds = [(s.kind, s.period_end) for s in slots(D(2026, 4, 1), D(2026, 11, 15))]
    assert kinds == [
        (ReviewKind.QUARTERLY, D(2026, 6, 30)),
        (ReviewKind.QUARTERLY, D(2026, 9, 30)),
        (ReviewKind.FINAL, D(2026, 11, 15)),
    ]


def test_without_a_planned_end_the_first_years_quarters_are_scheduled_and_no_final_review():
    wanted = slots(D(2026, 4, 1), None)
    assert [s.kind for s in wanted] == [ReviewKind.QUARTERLY] * 4


def test_becoming_active_schedules_the_reviews_each_due_14_days_after_its_period(active):
    assert _schedule(active) == [
        ("quarterly", D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 14), "scheduled"),
        ("quarterly", D(2026, 7, 1), D(2026, 9, 30), D(2026, 10, 14), "scheduled"),
        ("quarterly", D(2026, 10, 1), D(2026, 12, 31), D(2027, 1, 14), "scheduled"),
        ("final", D(2026, 4, 1), D(2027, 3, 31), D(2027, 4, 14), "scheduled"),
    ]


def test_without_a_planned_start_the_schedule_starts_on_the_day_it_became_active(world):
    partnership = world.partnership
    partnership.planned_end = D(2027, 5, 9)
    partnership.status = "agreed"
    partnership.save()
    partnership_services.partnership_transition(
        partnership=partnership, to="active", by=world.buddy_pm
    )
    first = OutcomeReview.objects.filter(partnership=partnership).order_by("period_start").first()
    assert first.period_start == D(2026, 11, 10)


def test_changing_the_planned_end_reschedules_only_the_reviews_not_yet_started(world, active):
    started = OutcomeReview.objects.get(partnership=active, period_start=D(2026, 7, 1))
    from partnerships.reviews import services

    services.review_update(review=started, by=world.buddy_pm, benefits_buddy="Started")
    partnership_services.partnership_update(
        partnership=active, by=world.buddy_pm, planned_end=D(2026, 9, 15)
    )
    assert _schedule(active) == [
        ("quarterly", D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 14), "scheduled"),
        ("final", D(2026, 4, 1), D(2026, 9, 15), D(2026, 9, 29), "scheduled"),
        # Started: kept as it was, though it now ends after the planned end.
        ("quarterly", D(2026, 7, 1), D(2026, 9, 30), D(2026, 10, 14), "draft"),
    ]


def test_extending_the_planned_end_adds_quarterly_reviews(world, active):
    partnership_services.partnership_update(
        partnership=active, by=world.buddy_pm, planned_end=D(2027, 9, 30)
    )
    kinds = [(kind, end) for kind, _, end, _, _ in _schedule(active)]
    assert kinds[-3:] == [
        ("quarterly", D(2027, 3, 31)),
        ("quarterly", D(2027, 6, 30)),
        ("final", D(2027, 9, 30)),
    ]


def test_closing_drops_later_quarters_not_started_and_leaves_the_final_review_due(world, active):
    partnership_services.partnership_transition(
        partnership=active,
        to="closed",
        by=world.buddy_exec,
        outcome="terminated_early",
        reason="Support no longer needed",
        actual_end=D(2026, 11, 10),
    )
    assert _schedule(active) == [
        ("quarterly", D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 14), "scheduled"),
        ("quarterly", D(2026, 7, 1), D(2026, 9, 30), D(2026, 10, 14), "scheduled"),
        ("final", D(2026, 4, 1), D(2026, 11, 10), D(2026, 11, 24), "scheduled"),
    ]
    final = OutcomeReview.objects.get(partnership=active, kind="final")
    # The final review can still be written and signed off after the partnership closed.
    from partnerships.reviews import services

    services.review_update(review=final, by=world.buddy_pm, overall_rag="green")
    assert OutcomeReview.objects.get(pk=final.pk).status == ReviewStatus.DRAFT


def test_a_partnership_that_never_became_active_has_no_reviews(world):
    partnership_services.partnership_transition(
        partnership=world.partnership,
        to="closed",
        by=world.buddy_exec,
        outcome="terminated_early",
        reason="Not needed",
    )
    assert not OutcomeReview.objects.filter(partnership=world.partnership).exists()
