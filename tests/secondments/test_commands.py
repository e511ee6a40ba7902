"""seed_demo_secondments: realistic secondments for the demo partnership, once."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from partnerships.models import Organisation
from partnerships.secondments import selectors
from partnerships.secondments.models import Secondment, StaffGroupEstablishment

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_demo_secondments_needs_the_demo_partnership():
    with pytest.raises(CommandError, match="seed_demo"):
        run("seed_demo_secondments")


def test_seed_demo_secondments_adds_them_once_with_a_talent_pool_warning():
    run("import_organisations")
    run("seed_demo")
    assert "Added 9 secondments and 6 establishments to BP-" in run("seed_demo_secondments")
    assert "none were added" in run("seed_demo_secondments")
    assert Secondment.objects.count() == 9
    assert StaffGroupEstablishment.objects.count() == 6
    statuses = sorted(
        selectors.with_status(Secondment.objects.all()).values_list("status", flat=True)
    )
    assert statuses == ["active"] * 4 + ["cancelled"] + ["ended"] * 3 + ["planned"]
    ended = selectors.with_status(Secondment.objects.all()).filter(status="ended")
    assert all(secondment.learning_outcomes for secondment in ended)
    assert {s.home_organisation_id for s in ended} == {"RAL", "RF4"}  # learning both ways
    first = Secondment.objects.get(staff_reference="RAL-ESR-204417")
    assert first.history.last().history_user.username == "ral-manager"
    # The Royal Free's senior managers away unbackfilled: 1.6 of 28 FTE = 5.7%, above 5%.
    ral = Organisation.objects.get(pk="RAL")
    manager = first.history.last().history_user
    figures = selectors.organisation_capacity(ral, manager)
    [warning] = figures.warnings
    assert (warning.staff_group, warning.percent_not_backfilled) == (
        "senior_managers",
        Decimal("5.7"),
    )
    assert [offer.can_raise for offer in figures.risk_offers["senior_managers"]] == [True]
