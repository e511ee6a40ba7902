"""A partnership's risk counts (its overview and risks section), counted from grouped rows, agree
with the register's own filters: open, outside a party's appetite, review overdue, the bands, and
the overdue actions (read by the partnership stored on each action)."""

import datetime as dt

import pytest
from django.utils import timezone

from risks import selectors
from risks.models import Risk
from risks.selectors import outside_appetite_q, review_overdue_q
from tests.factories import PartnershipFactory
from tests.risks.factories import RiskActionFactory, RiskAppetiteFactory, RiskFactory

pytestmark = pytest.mark.django_db


def _risk(partnership, owner, category, likelihood, consequence, **extra):
    extra.setdefault("next_review_date", timezone.localdate() + dt.timedelta(days=30))
    return RiskFactory(
        partnership=partnership,
        owner=owner,
        category=category,
        inherent_likelihood=5,
        inherent_consequence=5,
        current_likelihood=likelihood,
        current_consequence=consequence,
        target_likelihood=1,
        target_consequence=1,
        **extra,
    )


def test_counts_agree_with_the_registers_filters(world):
    today = timezone.localdate()
    # The lowest tolerance of the parties decides: financial 6 (supported), strategic 12.
    RiskAppetiteFactory(organisation=world.buddy, category="financial", tolerance=10)
    RiskAppetiteFactory(organisation=world.supported, category="financial", tolerance=6)
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", tolerance=12)
    owner = world.buddy_pm
    ship = world.partnership
    past = today - dt.timedelta(days=3)
    risks = [
        _risk(ship, owner, "financial", 2, 4),  # 8: outside 6
        _risk(ship, owner, "financial", 2, 3),  # 6: inside
        _risk(ship, owner, "strategic", 4, 4, next_review_date=past),  # 16: outside 12
        _risk(ship, owner, "strategic", 3, 4),  # 12: inside
        _risk(ship, owner, "regulatory", 5, 5, next_review_date=past),  # no appetite set
        _risk(ship, owner, "financial", 5, 5, status="closed", closing_reason="Gone"),
    ]
    RiskActionFactory(risk=risks[0], owner=owner, due_date=past)
    RiskActionFactory(risk=risks[0], owner=owner, due_date=past, status="done")
    RiskActionFactory(risk=risks[2], owner=owner, due_date=today + dt.timedelta(days=5))
    # Another partnership's risks and overdue actions are not counted.
    other = _risk(PartnershipFactory(buddy=world.buddy), owner, "financial", 5, 5)
    RiskActionFactory(risk=other, owner=owner, due_date=past)

    headline = selectors.partnership_risks_headline(ship, world.buddy_pm)
    section = selectors.partnership_risks(ship, world.buddy_pm)
    register = Risk.objects.filter(partnership=ship)
    for summary in (headline, section):
        assert summary.open_count == register.filter(status="open").count() == 5
        assert summary.outside_appetite_count == register.filter(outside_appetite_q()).count() == 2
        assert summary.review_overdue_count == register.filter(review_overdue_q()).count() == 2
        assert summary.bands == selectors.band_counts(register)
        assert summary.bands == {"low": 0, "moderate": 1, "high": 2, "extreme": 2}
        assert summary.overdue_action_count == 1
    assert headline.top == []
    assert [risk.current_score for risk in section.top] == [25, 16, 12, 8, 6]
