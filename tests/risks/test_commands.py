"""The demo risks command: risks, actions and appetites for the demo partnership, once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from risks import selectors
from risks.models import Risk, RiskAction, RiskAppetite

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_demo_risks_needs_the_demo_partnership():
    with pytest.raises(CommandError, match="seed_demo"):
        run("seed_demo_risks")


def test_seed_demo_risks_adds_risks_and_appetites_once_through_the_services():
    run("import_organisations")
    run("seed_demo")
    assert "Added 6 risks and 11 appetites" in run("seed_demo_risks")
    assert "none were added" in run("seed_demo_risks")
    assert Risk.objects.count() == 6
    assert RiskAction.objects.count() == 6
    assert RiskAppetite.objects.count() == 11
    risk = Risk.objects.get(category="workforce_capacity")
    assert risk.history.get().history_user.username == "ral-manager"
    partnership = risk.partnership
    comparison = selectors.appetite_comparison(risk.owner, partnership)
    divergent = {row.category: row.divergent for row in comparison.categories}
    assert divergent["workforce_capacity"] is True
    assert divergent["financial"] is False
    assert divergent["regulatory"] is None  # the supported trust has not set one
    assert comparison.risks_outside
