import datetime as dt

import pytest
import time_machine

from partnerships.models import ReferenceCounter

# Every test here runs on 10 November 2026 (London) unless it moves the clock itself.
TODAY = dt.date(2026, 11, 10)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def commitment(world):
    """The buddy's commitment C-0001: 100 hours from 1 April 2026 to 31 March 2027."""
    from tests.commitments.factories import CommitmentFactory

    ReferenceCounter.objects.update_or_create(
        scope=f"C-{world.partnership.reference}", defaults={"last": 1}
    )
    return CommitmentFactory(
        partnership=world.partnership, organisation=world.buddy, reference="C-0001"
    )
