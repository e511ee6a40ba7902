import datetime as dt

import pytest
import time_machine

# Every test here runs on 10 November 2026 (London) unless it moves the clock itself.
TODAY = dt.date(2026, 11, 10)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC), tick=False):
        yield
