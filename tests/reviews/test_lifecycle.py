"""The review lifecycle (scheduled → draft → submitted → signed off), sign-off by both parties'
executives, read only afterwards, and the cost and saving figures against hand-computed cases."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from buddying.common.errors import StaleVersion, StateConflict
from partnerships.models import Objective
from partnerships.reviews import selectors, services
from partnerships.reviews.models import OutcomeReview

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(active):
    return Objective.objects.create(
        partnership=active, title="Four-hour performance", baseline="61%", target="78%"
    )


@pytest.fixture
def first_quarter(active):
    return OutcomeReview.objects.get(
        partnership=active, period_start=dt.date(2026, 4, 1), kind="quarterly"
    )


def _fill_and_submit(world, review, objective):
    services.review_update(
        review=review,
        by=world.buddy_pm,
        overall_rag="amber",
        assessments={str(objective.pk): {"rag": "amber", "measured_value": "70%", "comment": "Up"}},
    )
    return services.review_submit(review=review, by=world.supported_pm)


def test_starting_a_review_prefills_the_cost_pro_rata(world, first_quarter):
    services.review_update(review=first_quarter, by=world.buddy_pm)
    review = OutcomeReview.objects.get(pk=first_quarter.pk)
    # 91 of the 365 days: £120,000 × 91 / 365 = £29,917.81; £600,000 × 91 / 365 = £149,589.04.
    assert review.status == "draft"
    assert review.cost_remuneration_gbp == Decimal("29917.81")
    assert review.consultancy_equivalent_gbp == Decimal("149589.04")


def test_cost_of_support_and_saving_against_hand_computed_figures(world, first_quarter):
    services.review_update(
        review=first_quarter,
        by=world.buddy_pm,
        cost_remuneration_gbp=Decimal("30000"),
        cost_secondments_gbp=Decimal("12500.50"),
        consultancy_equivalent_gbp=Decimal("150000"),
    )
    review = selectors.with_figures(OutcomeReview.objects.filter(pk=first_quarter.pk)).get()
    assert review.cost_of_support == review.total_cost == Decimal("42500.50")
    assert review.saving == review.saving_gbp == Decimal("107499.50")


def test_value_for_money_adds_up_submitted_quarterly_reviews_then_uses_the_final(
    world, active, objective
):
    reviews = OutcomeReview.objects.filter(partnership=active).order_by("period_start", "kind")
    q1, q2 = [r for r in reviews if r.kind == "quarterly"][:2]
    for review, cost in ((q1, "30000"), (q2, "20000")):
        services.review_update(
            review=review,
            by=world.buddy_pm,
            cost_remuneration_gbp=Decimal(cost),
            cost_secondments_gbp=Decimal("5000"),
            consultancy_equivalent_gbp=Decimal("100000"),
        )
        _fill_and_submit(world, review, objective)
    figures = selectors.value_for_money(active)
    assert figures.reviews_counted == 2
    assert figures.cost_to_date == Decimal("60000")  # 30,000 + 5,000 + 20,000 + 5,000
    assert figures.consultancy_to_date == Decimal("200000")
    assert figures.saving_to_date == Decimal("140000")
    assert figures.planned_saving == Decimal("480000")

    final = reviews.get(kind="final")
    services.review_update(
        review=final,
        by=world.buddy_pm,
        cost_remuneration_gbp=Decimal("120000"),
        cost_secondments_gbp=Decimal("40000"),
        consultancy_equivalent_gbp=Decimal("600000"),
    )
    _fill_and_submit(world, final, objective)
    figures = selectors.value_for_money(active)
    assert (figures.reviews_counted, figures.saving_to_date) == (1, Decimal("440000"))


def test_submitting_needs_an_overall_rag_and_a_rag_for_each_objective(
    world, first_quarter, objective
):
    services.review_update(review=first_quarter, by=world.buddy_pm)
    with pytest.raises(ValidationError) as error:
        services.review_submit(review=first_quarter, by=world.buddy_pm)
    assert set(error.value.message_dict) == {"overall_rag", "assessments"}


def test_a_scheduled_review_cannot_be_submitted(world, first_quarter):
    with pytest.raises(StateConflict):
        services.review_submit(review=first_quarter, by=world.buddy_pm)


def test_sign_off_needs_an_executive_of_the_buddy_and_of_the_supported_party(
    world, first_quarter, objective
):
    _fill_and_submit(world, first_quarter, objective)
    with pytest.raises(PermissionDenied):
        services.review_sign_off(review=first_quarter, by=world.buddy_pm)
    services.review_sign_off(review=first_quarter, by=world.buddy_exec)
    assert OutcomeReview.objects.get(pk=first_quarter.pk).status == "submitted"
    with pytest.raises(StateConflict):
        services.review_sign_off(review=first_quarter, by=world.buddy_exec)
    services.review_sign_off(review=first_quarter, by=world.supported_exec)
    review = OutcomeReview.objects.get(pk=first_quarter.pk)
    assert review.status == "signed_off"
    assert review.sign_offs.count() == 2


def test_a_signed_off_review_is_read_only(world, first_quarter, objective):
    _fill_and_submit(world, first_quarter, objective)
    services.review_sign_off(review=first_quarter, by=world.buddy_exec)
    services.review_sign_off(review=first_quarter, by=world.supported_exec)
    with pytest.raises(StateConflict):
        services.review_update(review=first_quarter, by=world.buddy_pm, benefits_buddy="Late")


def test_changing_a_submitted_review_returns_it_to_draft_and_withdraws_sign_offs(
    world, first_quarter, objective
):
    _fill_and_submit(world, first_quarter, objective)
    services.review_sign_off(review=first_quarter, by=world.buddy_exec)
    services.review_update(review=first_quarter, by=world.buddy_pm, benefits_buddy="More")
    review = OutcomeReview.objects.get(pk=first_quarter.pk)
    assert (review.status, review.sign_offs.count()) == ("draft", 0)


def test_an_edit_from_an_old_version_is_refused(world, first_quarter):
    services.review_update(review=first_quarter, by=world.buddy_pm, benefits_buddy="One")
    with pytest.raises(StaleVersion):
        services.review_update(
            review=first_quarter, by=world.supported_pm, version=1, benefits_buddy="Two"
        )


def test_an_assessment_of_another_partnerships_objective_is_refused(world, first_quarter):
    from tests.factories import PartnershipFactory

    other = Objective.objects.create(partnership=PartnershipFactory(), title="Elsewhere")
    with pytest.raises(ValidationError):
        services.review_update(
            review=first_quarter, by=world.buddy_pm, assessments={str(other.pk): {"rag": "red"}}
        )
