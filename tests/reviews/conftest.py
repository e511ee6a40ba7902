import datetime as dt

import pytest
import time_machine

from partnerships.choices import PartnershipStatus

# Every test here runs on 10 November 2026 (London) unless it moves the clock itself.
TODAY = dt.date(2026, 11, 10)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def active(world):
    """The world's partnership, agreed and then made active through the services: 1 April 2026
    to 31 March 2027, £120,000 remuneration against a £600,000 consultancy equivalent."""
    from decimal import Decimal

    from partnerships import services

    partnership = world.partnership
    partnership.planned_start = dt.date(2026, 4, 1)
    partnership.planned_end = dt.date(2027, 3, 31)
    partnership.remuneration_gbp = Decimal("120000")
    partnership.consultancy_equivalent_gbp = Decimal("600000")
    partnership.status = PartnershipStatus.AGREED
    partnership.save()
    services.partnership_transition(partnership=partnership, to="active", by=world.buddy_pm)
    partnership.refresh_from_db()
    return partnership
