"""Shared fixtures for the notifications tests: a frozen clock, and the world's reminders."""

import datetime as dt

import pytest
import time_machine

from buddying.notifications import services

# A Tuesday.
TODAY = dt.date(2026, 7, 21)
MORNING = dt.datetime(2026, 7, 21, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def run_job():
    """Run the rules for a day (today by default) and return the result."""

    def run(day=TODAY, **kwargs):
        return services.raise_reminders(today=day, **kwargs)

    return run


def told(rule_result, item) -> set:
    """The personas' usernames told about ``item`` by a rule's due items."""
    from django.contrib.auth import get_user_model

    ids = set()
    for due in rule_result:
        if due.item_id == item.pk:
            ids |= set(due.user_ids)
    return set(get_user_model().objects.filter(pk__in=ids).values_list("username", flat=True))
