"""``rag=red`` reads the stored first red day (``red_from``): it must say what the RAG figure says
on every day, and stay right through every write that moves it."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command

from partnerships.commitments import selectors, services
from partnerships.commitments.models import Commitment
from tests.commitments.conftest import TODAY
from tests.commitments.factories import CommitmentFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 1)


def _red_by_figure(today: dt.date) -> set:
    figures = selectors.with_figures(Commitment.objects.all(), today)
    return set(figures.filter(rag="red").values_list("pk", flat=True))


def _red_by_day(today: dt.date) -> set:
    return set(Commitment.objects.filter(red_from__lte=today).values_list("pk", flat=True))


def test_the_first_red_day_agrees_with_the_rag_figure_on_every_boundary(world):
    """Periods, plans and totals at and either side of the 70 % line, checked on each day where
    either rule could change its answer (and around it)."""
    periods = [1, 2, 7, 31, 365, 1000]
    plans = [Decimal("0.01"), Decimal("1"), Decimal("3"), Decimal("100"), Decimal("7777.77")]
    for number, (days, planned) in enumerate(itertools.product(periods, plans)):
        for share in ("0", "0.01", "0.5", "0.69", "0.7", "0.71", "1"):
            delivered = (planned * Decimal(share)).quantize(Decimal("0.01"))
            for nudge in (Decimal("-0.01"), Decimal("0"), Decimal("0.01")):
                commitment = CommitmentFactory(
                    partnership=world.partnership,
                    organisation=world.buddy,
                    reference=f"C-{number}-{share}-{nudge}",
                    planned_quantity=planned,
                    start_date=START,
                    end_date=START + dt.timedelta(days=days - 1),
                )
                Commitment.objects.filter(pk=commitment.pk).update(
                    delivered_total=max(delivered + nudge, Decimal(0))
                )
    services.store_red_from(Commitment.objects.all())
    stored = Commitment.objects.exclude(red_from=None).values_list("red_from", flat=True)
    days = {START - dt.timedelta(days=1), START + dt.timedelta(days=1001)}
    for day in {*stored, *(START + dt.timedelta(days=n - 1) for n in periods)}:
        days.update(day + dt.timedelta(days=offset) for offset in (-1, 0, 1))

    assert len(stored) > 100  # most of them turn red at some point
    for today in sorted(days):
        assert _red_by_day(today) == _red_by_figure(today), today


def test_a_commitment_is_not_red_before_it_starts_or_when_its_plan_is_met(world):
    later = CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        start_date=TODAY + dt.timedelta(days=1),
        end_date=TODAY + dt.timedelta(days=30),
    )
    met = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    Commitment.objects.filter(pk=met.pk).update(delivered_total=met.planned_quantity)
    services.store_red_from(Commitment.objects.filter(pk=met.pk))
    met.refresh_from_db()

    assert later.red_from > TODAY
    assert met.red_from is None


def test_logging_and_changing_move_the_red_list(world, api_as):
    """The default commitment (100 hours, 1 April 2026 to 31 March 2027) is red on 10 November
    with nothing delivered; logging 60 hours takes it off the red list, and doubling its plan
    puts it back."""
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    client = api_as(world.regulator)

    def red() -> list[str]:
        response = client.get("/api/v1/commitments/?rag=red")
        assert response.status_code == 200
        return [row["reference"] for row in response.json()["results"]]

    assert red() == [commitment.reference]

    services.deliveries_log(
        commitment=commitment,
        by=world.buddy_pm,
        entries=[{"quantity": Decimal("20"), "date": dt.date(2026, 11, day)} for day in (2, 3, 4)],
    )
    assert red() == []

    commitment.refresh_from_db()
    services.commitment_update(
        commitment=commitment,
        by=world.buddy_pm,
        version=commitment.version,
        planned_quantity=Decimal("200"),
    )
    assert red() == [commitment.reference]
    assert client.get("/api/v1/commitments/?rag=red&rag=green").json()["count"] == 1


def test_the_recompute_command_reports_and_fixes_a_wrong_first_red_day(world, capsys):
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    right = commitment.red_from
    Commitment.objects.filter(pk=commitment.pk).update(red_from=None)

    with pytest.raises(SystemExit):
        call_command("recompute_commitment_totals")
    assert "1 commitment(s) with a wrong first red day" in capsys.readouterr().out

    call_command("recompute_commitment_totals", "--fix")
    commitment.refresh_from_db()
    assert commitment.red_from == right
    call_command("recompute_commitment_totals")  # nothing drifted: no exit
