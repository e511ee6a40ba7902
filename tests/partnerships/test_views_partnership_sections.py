"""A partnership's overview, its sub-navigation and a page per registered section."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from partnerships import sections
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.conftest import PERSONAS, READERS
from tests.risks.factories import RiskAppetiteFactory, RiskFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 10, 1)
SECTION_NAMES = [section.name for section in sections.registered()]


def test_every_app_registers_its_section_with_a_summary():
    assert SECTION_NAMES == [
        "commitments",
        "risks",
        "agreements",
        "secondments",
        "reviews",
        "learning",
    ]
    assert all(section.summary_template and section.title for section in sections.registered())


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", [*SECTION_NAMES, "history"])
def test_each_section_page_is_shown_to_readers_and_hidden_from_everyone_else(
    world, as_user, persona, name
):
    url = (
        reverse("partnerships:history", args=[world.partnership.pk])
        if name == "history"
        else reverse("partnerships:section", args=[world.partnership.pk, name])
    )
    response = as_user(world.user(persona)).get(url)
    assert response.status_code == (200 if persona in READERS else 404)
    if persona in READERS:
        page = response.content.decode()
        assert 'aria-current="page"' in page
        assert 'aria-label="Partnership sections"' in page


def test_an_unknown_section_is_not_found(world, as_user):
    url = reverse("partnerships:section", args=[world.partnership.pk, "nonsense"])
    assert as_user(world.buddy_exec).get(url).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_the_overview_has_a_headline_per_section_and_links_to_each_page(world, as_user):
    world.partnership.status = "active"
    world.partnership.save()
    commitment = CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        planned_quantity=Decimal("1000.55"),
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 3, 31),
    )
    DeliveryFactory(commitment=commitment, date=dt.date(2026, 9, 1), quantity=Decimal("391.23"))
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", tolerance=4)
    RiskFactory(partnership=world.partnership, category="strategic")

    page = (
        as_user(world.buddy_viewer)
        .get(reverse("partnerships:detail", args=[world.partnership.pk]))
        .content.decode()
    )

    for name in SECTION_NAMES:
        assert reverse("partnerships:section", args=[world.partnership.pk, name]) in page
    assert reverse("partnerships:history", args=[world.partnership.pk]) in page
    # One measure of delivery, rounded as a board reads it: whole hours, the plan beside it.
    assert (
        "391 hours delivered of 502 hours expected by now (78%); 1,001 hours planned in all" in page
    )
    assert "391.23" not in page
    assert "1 open risk, 1 outside a party&#39;s appetite" in page
    assert "Not recorded" in page or "None" not in page
    # The overview no longer carries the history or every section in full.
    assert "Each commitment" not in page
    assert '<h2 class="nhsuk-table__caption' not in page or "History" not in page


def test_the_overview_is_small(world, as_user):
    page = as_user(world.regulator).get(reverse("partnerships:detail", args=[world.partnership.pk]))
    assert len(page.content) < 150_000


def test_the_propose_form_pre_selects_the_persons_own_trust(world, as_user):
    page = as_user(world.buddy_pm).get(reverse("partnerships:create")).content.decode()
    assert '<option value="RAL" selected' in " ".join(page.split())
    assert 'data-module="app-autocomplete"' in page
    assert "accessible-autocomplete.min.js" in page


def test_the_account_area_links_to_the_persons_own_risk_appetite(world, as_user):
    page = as_user(world.supported_viewer).get(reverse("dashboard")).content.decode()
    assert reverse("risks:appetite", args=["RDD"]) in page
    assert "Your risk appetite" in page


def test_only_regulators_have_api_in_the_navigation(world, as_user):
    nav = '<a class="nhsuk-header__navigation-link" href="/api/docs/"'
    assert nav not in " ".join(
        as_user(world.buddy_exec).get(reverse("partnerships:list")).content.decode().split()
    )


def test_the_overview_counts_learning_and_reviews_without_listing_them(world, as_user):
    from tests.reviews.factories import LearningFactory, ReviewFactory

    items = [
        LearningFactory(partnership=world.partnership, adopted=True),
        LearningFactory(partnership=world.partnership),
        LearningFactory(partnership=world.partnership),
    ]
    ReviewFactory(partnership=world.partnership)
    url = reverse("partnerships:detail", args=[world.partnership.pk])
    page = as_user(world.buddy_viewer).get(url).content.decode()
    assert "3 items of learning recorded, 1 adopted." in page
    assert "0 of 1 reviews signed off." in page
    # The items themselves are the learning section's.
    assert not [item for item in items if item.title in page]
