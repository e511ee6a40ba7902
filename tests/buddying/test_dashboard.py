"""The dashboard: what needs the person's attention, and only what they may see."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.conftest import PERSONAS, READERS
from tests.factories import PartnershipFactory
from tests.risks.factories import RiskAppetiteFactory, RiskFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 10, 1)


def _behind_and_outside(world, n: int = 1):
    """``n`` commitments well behind plan and ``n`` risks above the buddy's tolerance."""
    world.partnership.status = "active"
    world.partnership.save()
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", tolerance=4)
    for i in range(n):
        commitment = CommitmentFactory(
            partnership=world.partnership,
            organisation=world.buddy,
            description=f"Behind {i}",
            planned_quantity=Decimal("100"),
            start_date=dt.date(2026, 4, 1),
            end_date=dt.date(2027, 3, 31),
        )
        DeliveryFactory(commitment=commitment, date=dt.date(2026, 5, 1), quantity=Decimal("1"))
        RiskFactory(partnership=world.partnership, title=f"Outside {i}", category="strategic")


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("persona", PERSONAS)
def test_dashboard_shows_commitments_behind_and_risks_outside_appetite_to_readers_only(
    world, as_user, persona
):
    _behind_and_outside(world)

    response = as_user(world.user(persona)).get(reverse("dashboard"))

    assert response.status_code == 200
    page = response.content.decode()
    shown = persona in READERS
    assert ("Commitments behind plan" in page) is shown
    assert ("Behind 0" in page) is shown
    assert ("Open risks outside a party" in page) is shown
    assert ("Outside 0" in page) is shown
    if shown:  # 1 delivered of about 50 expected, as a whole percentage
        assert ">2%<" in page.replace("\n", "").replace(" ", "")


@time_machine.travel(TODAY, tick=False)
def test_commitments_on_track_and_risks_within_appetite_are_not_listed(world, as_user):
    world.partnership.status = "active"
    world.partnership.save()
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", tolerance=20)
    RiskFactory(partnership=world.partnership, title="Within appetite", category="strategic")
    CommitmentFactory(partnership=world.partnership, organisation=world.buddy, start_date=TODAY)

    page = as_user(world.buddy_exec).get(reverse("dashboard")).content.decode()

    assert "Commitments behind plan" not in page
    assert "Within appetite" not in page


def test_dashboard_signed_out_redirects_to_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@time_machine.travel(TODAY, tick=False)
def test_dashboard_runs_a_fixed_number_of_queries(world, as_user, django_assert_num_queries):
    client = as_user(world.buddy_exec)
    _behind_and_outside(world, n=1)
    PartnershipFactory(buddy=world.buddy, supported=world.unrelated)  # awaiting approval
    client.get(reverse("dashboard"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))
    for _ in range(8):
        PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
    _behind_and_outside(world, n=8)
    with django_assert_num_queries(len(few)):
        client.get(reverse("dashboard"))
