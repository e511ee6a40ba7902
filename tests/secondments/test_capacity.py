"""Capacity figures against hand-computed cases: FTE away today, people, backfill, the share of
the establishment, the threshold warning and the months."""

import datetime as dt
from decimal import Decimal

import pytest

from partnerships.secondments import selectors, services
from partnerships.secondments.models import Secondment
from tests.factories import PartnershipFactory
from tests.secondments.factories import SecondmentFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _add(world, **values):
    values.setdefault("partnership", world.partnership)
    values.setdefault("home_organisation", world.buddy)
    values.setdefault("host_organisation", world.supported)
    return SecondmentFactory(**values)


@pytest.fixture
def seconded(world):
    """Today (10 November 2026) the buddy has, in medical and dental: E1 0.6 (not backfilled) and
    E1 again 0.4 (backfilled) — one person, 1.0 FTE — and E2 0.5 (not backfilled); in nursing E3
    1.0 (backfilled). Ended, planned and cancelled ones do not count today."""
    _add(world, staff_reference="E1", fte=D("0.6"))
    _add(world, staff_reference="E1", fte=D("0.4"), backfilled=True)
    _add(world, staff_reference="E2", fte=D("0.5"))
    _add(world, staff_reference="E3", fte=D("1"), staff_group="nursing_midwifery", backfilled=True)
    _add(world, staff_reference="E4", fte=D("1"), end_date=dt.date(2026, 11, 9))  # ended
    _add(world, staff_reference="E5", fte=D("1"), start_date=dt.date(2026, 11, 11))  # planned
    _add(world, staff_reference="E6", fte=D("1"), cancelled=True)
    # The supported trust's own secondment to the buddy is the supported trust's figure.
    _add(
        world,
        staff_reference="S1",
        fte=D("0.2"),
        home_organisation=world.supported,
        host_organisation=world.buddy,
    )


def _rows(user):
    return {
        (row["home_organisation_id"], row["staff_group"]): row
        for row in selectors.capacity_rows(selectors.access.visible(Secondment, user))
    }


def test_fte_people_and_not_backfilled_today(world, seconded):
    rows = _rows(world.regulator)
    medical = rows[("RAL", "medical_dental")]
    assert (medical["fte_out"], medical["people"], medical["fte_not_backfilled"]) == (
        D("1.5"),
        2,
        D("1.1"),
    )
    nursing = rows[("RAL", "nursing_midwifery")]
    assert (nursing["fte_out"], nursing["people"], nursing["fte_not_backfilled"]) == (
        D("1"),
        1,
        D("0"),
    )
    assert rows[("RDD", "medical_dental")]["fte_out"] == D("0.2")
    assert medical["establishment"] is None and medical["warning"] is False


def test_share_of_the_establishment_and_the_default_5_percent_threshold(world, seconded):
    services.establishment_set(
        organisation=world.buddy, staff_group="medical_dental", fte=D("20"), by=world.buddy_pm
    )
    medical = _rows(world.buddy_pm)[("RAL", "medical_dental")]
    # 1.5 of 20 away = 7.5%; 1.1 of 20 not backfilled = 5.5% > 5%.
    assert (medical["percent_away"], medical["percent_not_backfilled"]) == (D("7.5"), D("5.5"))
    assert medical["threshold_percent"] == D("5")
    assert medical["warning"] is True


def test_the_organisations_own_threshold_and_exactly_at_it_is_no_warning(world, seconded):
    services.establishment_set(
        organisation=world.buddy, staff_group="medical_dental", fte=D("22"), by=world.buddy_exec
    )
    services.capacity_threshold_set(
        organisation=world.buddy, unbackfilled_percent=D("5"), by=world.buddy_exec
    )
    # 1.1 of 22 = exactly 5%: not above the threshold.
    assert _rows(world.buddy_pm)[("RAL", "medical_dental")]["warning"] is False
    services.capacity_threshold_set(
        organisation=world.buddy, unbackfilled_percent=D("4.9"), by=world.buddy_exec
    )
    assert _rows(world.buddy_pm)[("RAL", "medical_dental")]["warning"] is True


def test_backfilling_a_post_clears_the_warning(world, seconded):
    services.establishment_set(
        organisation=world.buddy, staff_group="medical_dental", fte=D("20"), by=world.buddy_pm
    )
    e2 = Secondment.objects.get(staff_reference="E2")
    services.secondment_update(secondment=e2, by=world.buddy_pm, backfilled=True)
    medical = _rows(world.buddy_pm)[("RAL", "medical_dental")]
    assert (medical["fte_not_backfilled"], medical["warning"]) == (D("0.6"), False)


def test_only_secondments_of_partnerships_the_person_sees_count(world, seconded):
    other = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
    _add(
        world,
        partnership=other,
        staff_reference="E9",
        host_organisation=world.unrelated,
        fte=D("1"),
    )
    assert _rows(world.supported_pm)[("RAL", "medical_dental")]["fte_out"] == D("1.5")
    assert _rows(world.buddy_pm)[("RAL", "medical_dental")]["fte_out"] == D("2.5")
    assert _rows(world.outsider)[("RAL", "medical_dental")]["fte_out"] == D("1")


def test_month_by_month_counts_the_secondments_running_at_each_month_end(world):
    _add(
        world,
        staff_reference="A",
        fte=D("0.5"),
        start_date=dt.date(2026, 1, 15),
        end_date=dt.date(2026, 3, 31),
    )
    _add(
        world,
        staff_reference="B",
        fte=D("1"),
        backfilled=True,
        start_date=dt.date(2026, 2, 1),
        end_date=dt.date(2026, 2, 27),
    )
    _add(
        world,
        staff_reference="C",
        fte=D("0.3"),
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 4, 30),
    )
    months = selectors.monthly_capacity(Secondment.objects.all())
    assert [(m.month_end, m.fte_out, m.fte_not_backfilled) for m in months] == [
        (dt.date(2026, 1, 31), D("0.5"), D("0.5")),
        (dt.date(2026, 2, 28), D("0.5"), D("0.5")),  # B ended on the 27th
        (dt.date(2026, 3, 31), D("0.8"), D("0.8")),
        (dt.date(2026, 4, 30), D("0.3"), D("0.3")),
    ]


def test_months_over_the_partnerships_life(world):
    world.partnership.planned_start = dt.date(2026, 4, 1)
    world.partnership.planned_end = dt.date(2027, 3, 31)
    world.partnership.save()
    _add(world, staff_reference="A", fte=D("0.5"))
    figures = selectors.organisation_capacity(world.buddy, world.buddy_pm, world.partnership)
    assert len(figures.months) == 12
    assert figures.months[0].month_end == dt.date(2026, 4, 30)
    assert figures.peak_fte == D("0.5")
