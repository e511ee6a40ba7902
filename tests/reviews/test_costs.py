"""The cost of support pre-filled from the data: secondment recharges prorated by day from the
secondments app, remuneration and the consultancy equivalent pro rata, on the form and in the API,
against hand-computed cases.

The partnership (``active``) runs from 1 April 2026 to 31 March 2027 with £120,000 remuneration
and a £600,000 consultancy estimate; its first quarter is 1 April to 30 June 2026 (91 days). A
day of a secondment costs its monthly recharge × 12 / 365.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerships.reviews import selectors, services
from partnerships.reviews.models import OutcomeReview
from partnerships.secondments import selectors as secondment_selectors
from tests.factories import PartnershipFactory
from tests.secondments.factories import SecondmentFactory

pytestmark = pytest.mark.django_db

Q1_START, Q1_END = dt.date(2026, 4, 1), dt.date(2026, 6, 30)
# 15 days × £120 + 11 days × £60 + 1 day × £1,000 × 12 / 365:
# (3,650 × 15 + 1,825 × 11 + 1,000 × 1) × 12 / 365 = 75,825 × 12 / 365 = £2,492.876… → £2,492.88
Q1_RECHARGES = Decimal("2492.88")


def _secondment(partnership, world, start, end, monthly, **extra):
    return SecondmentFactory(
        partnership=partnership,
        home_organisation=world.buddy,
        host_organisation=world.supported,
        start_date=start,
        end_date=end,
        monthly_recharge=Decimal(monthly),
        **extra,
    )


@pytest.fixture
def secondments(world, active):
    """Three that overlap the first quarter, and three that must not count."""
    # Starts before the quarter: 1 to 15 April count (15 days at £3,650 a month = £120 a day).
    _secondment(active, world, dt.date(2026, 3, 1), dt.date(2026, 4, 15), "3650")
    # Ends after the quarter: 20 to 30 June count (11 days at £1,825 a month = £60 a day).
    _secondment(active, world, dt.date(2026, 6, 20), dt.date(2026, 12, 31), "1825")
    # One day, the quarter's last.
    _secondment(active, world, dt.date(2026, 6, 30), dt.date(2026, 6, 30), "1000")
    # Not counted: cancelled, wholly after the quarter, another partnership's.
    _secondment(active, world, Q1_START, Q1_END, "10000", cancelled=True)
    _secondment(active, world, dt.date(2026, 7, 1), dt.date(2026, 9, 30), "9000")
    other = PartnershipFactory()
    _secondment(other, world, Q1_START, Q1_END, "8000")


@pytest.fixture
def first_quarter(active):
    return OutcomeReview.objects.get(partnership=active, period_start=Q1_START, kind="quarterly")


def test_recharges_are_prorated_by_day_overlap_at_both_ends_and_cancelled_left_out(
    world, active, secondments, django_assert_num_queries
):
    with django_assert_num_queries(1):
        recharges = secondment_selectors.recharges_between(active, Q1_START, Q1_END)
    assert (recharges.amount, recharges.secondments) == (Q1_RECHARGES, 3)
    # A whole (non-leap) year of one secondment is exactly twelve months' recharge.
    _secondment(active, world, dt.date(2027, 1, 1), dt.date(2027, 12, 31), "1000")
    year = secondment_selectors.recharges_between(
        active, dt.date(2027, 1, 1), dt.date(2027, 12, 31)
    )
    assert (year.amount, year.secondments) == (Decimal("12000.00"), 1)


def test_no_secondment_in_the_period_gives_nothing_to_prefill(world, active, first_quarter):
    recharges = secondment_selectors.recharges_between(active, Q1_START, Q1_END)
    assert (recharges.amount, recharges.secondments) == (Decimal("0.00"), 0)
    services.review_update(review=first_quarter, by=world.buddy_pm)
    review = OutcomeReview.objects.get(pk=first_quarter.pk)
    assert review.cost_secondments_gbp is None
    assert review.cost_of_support == Decimal("29917.81")  # the remuneration alone


def test_starting_a_review_prefills_the_recharges_and_the_figures_add_up(
    world, active, secondments, first_quarter
):
    services.review_update(review=first_quarter, by=world.buddy_pm)
    review = selectors.with_figures(OutcomeReview.objects.filter(pk=first_quarter.pk)).get()
    assert review.status == "draft"
    assert review.cost_secondments_gbp == Q1_RECHARGES
    # £29,917.81 remuneration (91/365 of £120,000) + £2,492.88 = £32,410.69, against £149,589.04.
    assert review.total_cost == review.cost_of_support == Decimal("32410.69")
    assert review.saving_gbp == review.saving == Decimal("117178.35")


def test_value_for_money_counts_the_prefilled_recharges(
    world, active, secondments, first_quarter, as_user, api_as
):
    from partnerships.models import Objective

    objective = Objective.objects.create(
        partnership=active, title="Four-hour performance", baseline="61%", target="78%"
    )
    services.review_update(
        review=first_quarter,
        by=world.buddy_pm,
        overall_rag="green",
        assessments={str(objective.pk): {"rag": "green", "measured_value": "70%", "comment": ""}},
    )
    services.review_submit(review=first_quarter, by=world.buddy_pm)
    figures = selectors.value_for_money(active)
    assert figures.cost_to_date == Decimal("32410.69")
    assert figures.saving_to_date == Decimal("117178.35")
    overview = as_user(world.buddy_viewer).get(reverse("partnerships:detail", args=[active.pk]))
    assert (
        "Value for money to date: support cost £32,411 against £149,589 for consultancy, "
        "a saving of £117,178." in overview.content.decode()
    )
    api = api_as(world.regulator).get(f"/api/v1/value-for-money/{active.pk}/").json()
    assert (api["cost_to_date_gbp"], api["saving_to_date_gbp"]) == ("32410.69", "117178.35")


def test_a_figure_the_writer_gives_is_kept_even_blank(world, active, secondments, first_quarter):
    services.review_update(review=first_quarter, by=world.buddy_pm, cost_secondments_gbp=None)
    review = OutcomeReview.objects.get(pk=first_quarter.pk)
    assert review.cost_secondments_gbp is None
    assert review.cost_remuneration_gbp == Decimal("29917.81")  # not given, so pre-filled


def test_the_form_offers_the_prefilled_figures_and_says_where_they_come_from(
    world, active, secondments, first_quarter, as_user
):
    client = as_user(world.buddy_pm)
    url = reverse("reviews:edit", args=[first_quarter.pk])
    page = client.get(url).content.decode()
    assert 'value="2492.88"' in page
    assert 'value="29917.81"' in page
    assert "Pre-filled from 3 secondments in the period" in page
    # The reviewer may change the offered figure.
    form = {
        "period_start": "2026-04-01",
        "period_end": "2026-06-30",
        "due_date": "2026-07-14",
        "cost_remuneration_gbp": "29917.81",
        "cost_secondments_gbp": "2000",
        "consultancy_equivalent_gbp": "149589.04",
        "version": str(first_quarter.version),
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    review = OutcomeReview.objects.get(pk=first_quarter.pk)
    assert review.cost_secondments_gbp == Decimal("2000")
    page = client.get(url).content.decode()
    assert "The data gives £2,492.88 from 3 secondments in the period" in page


def test_the_form_without_secondments_says_none_are_recorded(world, active, first_quarter, as_user):
    page = as_user(world.buddy_pm).get(reverse("reviews:edit", args=[first_quarter.pk]))
    assert "No secondments are recorded for the period" in page.content.decode()


def test_the_api_prefills_an_omitted_figure_on_create_and_keeps_a_given_one(
    world, active, secondments, api_as
):
    client = api_as(world.buddy_pm)
    base = {
        "partnership": str(active.pk),
        "period_start": "2026-04-01",
        "period_end": "2026-06-30",
        "due_date": "2026-07-14",
    }
    created = client.post("/api/v1/reviews/", base, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["cost_secondments_gbp"] == "2492.88"
    assert body["cost_of_support_gbp"] == "32410.69"
    given = client.post(
        "/api/v1/reviews/", {**base, "cost_secondments_gbp": "100.00"}, format="json"
    ).json()
    assert given["cost_secondments_gbp"] == "100.00"


def test_the_api_prefills_when_a_patch_starts_a_scheduled_review(
    world, active, secondments, first_quarter, api_as
):
    client = api_as(world.buddy_pm)
    response = client.patch(
        f"/api/v1/reviews/{first_quarter.pk}/", {"benefits_buddy": "Insight"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["cost_secondments_gbp"] == "2492.88"
