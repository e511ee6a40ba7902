import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from partnerships.choices import PartnershipStatus
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.reviews.factories import ReviewFactory
from tests.risks.factories import RiskAppetiteFactory, RiskFactory
from tests.secondments.factories import SecondmentFactory

TODAY = dt.date(2026, 6, 10)  # a Wednesday: the last complete week is 1 to 7 June 2026


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def figures(world, frozen):
    """Hand-computed data for the world's partnership (see test_figures.py for the sums)."""
    partnership = world.partnership
    partnership.status = PartnershipStatus.ACTIVE
    partnership.remuneration_gbp = Decimal("50000")
    partnership.consultancy_equivalent_gbp = Decimal("120000")
    partnership.save()
    hours = CommitmentFactory(
        partnership=partnership,
        organisation=world.buddy,
        planned_quantity=Decimal("100"),
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 3, 31),
    )
    for day, quantity in (
        (dt.date(2026, 4, 10), "7.5"),
        (dt.date(2026, 5, 15), "10"),
        (dt.date(2026, 6, 3), "5"),
    ):
        DeliveryFactory(commitment=hours, date=day, quantity=Decimal(quantity))
    RiskFactory(partnership=partnership, owner=world.buddy_pm, category="strategic")  # 3 × 3 = 9
    RiskFactory(
        partnership=partnership,
        owner=world.buddy_pm,
        category="financial",
        current_likelihood=1,
        current_consequence=2,
        target_likelihood=1,
        target_consequence=1,
    )
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", tolerance=6)
    SecondmentFactory(
        partnership=partnership,
        home_organisation=world.buddy,
        host_organisation=world.supported,
        fte=Decimal("0.5"),
        backfilled=False,
    )
    ReviewFactory(partnership=partnership, due_date=dt.date(2026, 6, 1))  # overdue
    return partnership
