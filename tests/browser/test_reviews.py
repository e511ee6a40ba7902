"""Outcome reviews and learning in a browser: the review form lists the objectives with their
baselines and targets; a review is saved, submitted and signed off by both executives, and is
then read only; learning is recorded; the learning library is searched from another trust. axe
finds no WCAG 2.2 AA violation on any of these pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships import services as partnership_services
from partnerships.models import Objective
from partnerships.reviews.models import LearningItem, OutcomeReview
from tests.browser.conftest import axe_violations, describe
from tests.reviews.factories import LearningFactory
from tests.secondments.factories import SecondmentFactory

pytestmark = pytest.mark.browser


def _no_violations(page):
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {describe(violations)}"


@pytest.fixture
def active(world):
    """The world's partnership made active four months ago, so its first quarter is overdue."""
    start = (timezone.localdate() - dt.timedelta(days=120)).replace(day=1)
    partnership = world.partnership
    partnership.planned_start = start
    partnership.planned_end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
    partnership.remuneration_gbp = Decimal("120000")
    partnership.consultancy_equivalent_gbp = Decimal("600000")
    partnership.status = "agreed"
    partnership.save()
    partnership_services.partnership_transition(
        partnership=partnership, to="active", by=world.buddy_pm
    )
    Objective.objects.create(
        partnership=partnership,
        title="Four-hour performance",
        measure="Patients seen within 4 hours",
        baseline="61%",
        target="78%",
    )
    SecondmentFactory(
        partnership=partnership,
        home_organisation=world.buddy,
        host_organisation=world.supported,
        start_date=start,
        end_date=partnership.planned_end,
    )
    return partnership


def _switch(page, sign_in, user):
    page.context.clear_cookies()
    sign_in(user)


def test_a_review_is_written_submitted_signed_off_by_both_executives_and_read_only(
    world, active, page, sign_in
):
    first = OutcomeReview.objects.filter(partnership=active, kind="quarterly").earliest(
        "period_start"
    )
    sign_in(world.buddy_pm)
    page.goto(reverse("partnerships:section", args=[active.pk, "reviews"]))
    row = page.locator(
        "tr", has=page.locator(f'a[href="{reverse("reviews:detail", args=[first.pk])}"]')
    )
    assert "Overdue" in row.inner_text()
    row.get_by_role("link").click()
    page.get_by_role("button", name="Start this review").click()

    # The form: each objective with its baseline and target, the costs pre-filled.
    form = page.locator("form[method=post]")
    assert "Baseline: 61%. Target: 78%" in form.inner_text()
    assert "Pre-filled from 1 secondment in the period" in form.inner_text()
    assert page.locator("#id_cost_secondments_gbp").input_value() != ""
    _no_violations(page)
    objective = active.objectives.get()
    page.locator(f"#id_{objective.pk}-rag").select_option("green")
    page.locator(f"#id_{objective.pk}-measured_value").fill("72%")
    page.get_by_label("Benefits to the supported organisation").fill("Shorter waits.")
    page.get_by_role("radio", name="Amber – some progress, at risk").check()
    page.get_by_role("button", name="Save review").click()
    page.wait_for_url(f"**{reverse('reviews:detail', args=[first.pk])}")
    page.get_by_role("button", name="Submit for sign-off").click()
    assert "Submitted for sign-off" in page.locator("main").inner_text()

    _switch(page, sign_in, world.buddy_exec)
    page.goto(reverse("reviews:detail", args=[first.pk]))
    _no_violations(page)
    page.get_by_role("button", name="Sign off this review").click()
    _switch(page, sign_in, world.supported_exec)
    page.goto(reverse("reviews:detail", args=[first.pk]))
    page.get_by_role("button", name="Sign off this review").click()

    # Signed off: read only, for the executives and the programme managers alike.
    main = page.locator("main")
    assert "Signed off by" in main.inner_text()
    assert page.get_by_role("button", name="Change this review").count() == 0
    assert page.get_by_role("button", name="Sign off this review").count() == 0
    _no_violations(page)
    assert OutcomeReview.objects.get(pk=first.pk).status == "signed_off"
    _switch(page, sign_in, world.buddy_pm)
    page.goto(reverse("reviews:detail", args=[first.pk]))
    assert page.get_by_role("button", name="Change this review").count() == 0
    assert page.goto(reverse("reviews:edit", args=[first.pk])).status == 409
    assert page.problems == []


def test_learning_is_recorded_and_the_library_is_searched_from_another_trust(
    world, active, page, sign_in
):
    LearningFactory(
        partnership=active,
        title="Volunteer discharge buddies",
        description="Volunteers settle patients at home after discharge.",
        direction="supported_to_buddy",
        theme="workforce",
        published=True,
    )
    sign_in(world.supported_pm)
    page.goto(reverse("partnerships:section", args=[active.pk, "learning"]))
    page.get_by_role("button", name="Record learning").click()
    _no_violations(page)
    page.get_by_label("Title").fill("Board rounds twice a day")
    page.get_by_label("Description").fill(
        "Board rounds at 8am and 4pm found a next step for everyone."
    )
    page.get_by_role("radio", name="Buddy to supported").check()
    page.get_by_role("radio", name="Patient flow and operations").check()
    page.get_by_role("checkbox", name="Adopted").check()
    page.get_by_role("checkbox", name="Published").check()
    page.get_by_role("button", name="Save learning").click()
    assert "Learning recorded." in page.locator("body").inner_text()
    _no_violations(page)
    item = LearningItem.objects.get(title="Board rounds twice a day")
    assert (item.direction, item.adopted, item.published) == ("buddy_to_supported", True, True)
    LearningFactory(partnership=active, title="Not for the library", published=False)
    page.goto(reverse("partnerships:section", args=[active.pk, "learning"]))
    balance = page.locator("table", has_text="The balance of learning in each direction")
    assert balance.count() == 1
    _no_violations(page)

    # Someone from an unrelated trust reads, searches and filters the library.
    _switch(page, sign_in, world.outsider)
    page.goto(reverse("reviews:library"))
    results = page.locator("main")
    assert "Board rounds twice a day" in results.inner_text()
    assert "Not for the library" not in results.inner_text()
    _no_violations(page)
    page.locator("#q").fill("rounds")
    page.locator("main").get_by_role("button", name="Search").click()
    text = page.locator("main").inner_text()
    assert "Board rounds twice a day" in text
    assert "Volunteer discharge buddies" not in text
    page.locator("#q").fill("")
    page.get_by_role("checkbox", name="Workforce").check()
    page.locator("main").get_by_role("button", name="Search").click()
    text = page.locator("main").inner_text()
    assert "Volunteer discharge buddies" in text
    assert "Board rounds twice a day" not in text
    _no_violations(page)
    assert page.problems == []
