"""The rules of a secondment and the one across secondments: a person is never seconded for more
than 1.0 FTE on any day — on create, on change, and under concurrent saves."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.http import Http404

from buddying.common.errors import StaleVersion, StateConflict
from partnerships.choices import PartnershipStatus
from partnerships.models import Partnership
from partnerships.secondments import services
from partnerships.secondments.models import Secondment
from tests.factories import PartnershipFactory
from tests.secondments.factories import fields, record

pytestmark = pytest.mark.django_db


def close(partnership) -> None:
    Partnership.objects.filter(pk=partnership.pk).update(
        status=PartnershipStatus.CLOSED, closure_outcome="completed", closure_reason="Done"
    )
    partnership.refresh_from_db()


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- One secondment -------------------------------------------------------------------------------


def test_a_good_secondment_is_recorded_with_the_next_reference_and_history(world):
    first = record(world)
    second = record(world, staff_reference="E99999")
    assert (first.reference, second.reference) == ("S-0001", "S-0002")
    assert first.history.first().history_user == world.buddy_pm


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"fte": Decimal("0")}, "fte"),
        ({"fte": Decimal("-0.1")}, "fte"),
        ({"fte": Decimal("1.01")}, "fte"),
        ({"end_date": dt.date(2026, 3, 31)}, "end_date"),
        ({"monthly_recharge": Decimal("-1")}, "monthly_recharge"),
        ({"staff_reference": "   "}, "staff_reference"),
        ({"role_title": ""}, "role_title"),
        ({"staff_group": "wizards"}, "staff_group"),
        ({"band": "10"}, "band"),
        ({"development_objectives": ""}, "development_objectives"),
    ],
)
def test_bad_values_are_refused_by_field(world, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        record(world, **overrides)
    assert field in _errors(excinfo)
    assert not Secondment.objects.exists()


@pytest.mark.parametrize("fte", [Decimal("0.01"), Decimal("1"), Decimal("1.00")])
def test_fte_up_to_and_including_one_is_accepted(world, fte):
    assert record(world, fte=fte).fte == fte


@pytest.mark.parametrize("band", ["1", "5", "8a", "8d", "9", "medical", "vsm"])
def test_agenda_for_change_bands_and_other_grades_are_accepted(world, band):
    assert record(world, band=band).band == band


def test_end_on_the_start_day_and_no_recharge_are_accepted(world):
    day = dt.date(2026, 4, 1)
    secondment = record(world, end_date=day, monthly_recharge=Decimal("0"))
    assert secondment.end_date == day


def test_home_and_host_must_differ(world):
    with pytest.raises(ValidationError) as excinfo:
        record(world, host=world.buddy)
    assert "host_organisation" in _errors(excinfo)


def test_host_must_be_a_party(world):
    with pytest.raises(ValidationError) as excinfo:
        record(world, host=world.unrelated)
    assert "host_organisation" in _errors(excinfo)


def test_home_outside_the_partnership_is_refused(world):
    # The outsider is a programme manager of the unrelated trust: the partnership is not theirs.
    with pytest.raises(Http404):
        record(world, by=world.outsider, home=world.unrelated)


def test_staff_reference_is_kept_upper_case_without_spaces(world):
    assert record(world, staff_reference="  e12 345 ").staff_reference == "E12 345"


# --- Who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["buddy_pm", "buddy_exec"])
def test_home_programme_managers_and_executives_record(world, persona):
    assert record(world, by=world.user(persona)).pk


@pytest.mark.parametrize(
    "persona", ["supported_pm", "supported_exec", "buddy_viewer", "supported_viewer", "regulator"]
)
def test_others_may_not_record_the_home_organisations_secondments(world, persona):
    with pytest.raises(PermissionDenied) as excinfo:
        record(world, by=world.user(persona))
    assert "Royal Free London" in str(excinfo.value) or "ROYAL FREE" in str(excinfo.value)


def test_the_host_records_secondments_of_its_own_staff(world):
    secondment = record(world, by=world.supported_pm, home=world.supported, host=world.buddy)
    assert secondment.home_organisation == world.supported


def test_nothing_changes_once_the_partnership_is_closed(world):
    secondment = record(world)
    close(world.partnership)
    with pytest.raises(StateConflict):
        record(world, staff_reference="E2")
    with pytest.raises(StateConflict):
        services.secondment_update(secondment=secondment, by=world.buddy_pm, role_title="X")


def test_a_stale_version_is_refused(world):
    secondment = record(world)
    services.secondment_update(secondment=secondment, by=world.buddy_exec, role_title="New")
    with pytest.raises(StaleVersion):
        services.secondment_update(
            secondment=secondment, by=world.buddy_pm, version=1, role_title="Mine"
        )
    assert Secondment.objects.get(pk=secondment.pk).role_title == "New"


# --- No more than 1.0 FTE a person on any day ---------------------------------------------------


def test_0_6_and_0_5_overlapping_are_refused_naming_the_overlap(world):
    record(world, fte=Decimal("0.6"))
    with pytest.raises(ValidationError) as excinfo:
        record(
            world,
            fte=Decimal("0.5"),
            start_date=dt.date(2026, 9, 1),
            end_date=dt.date(2027, 8, 31),
        )
    message = " ".join(_errors(excinfo)["fte"])
    assert "1.1 FTE on 1 September 2026" in message
    assert "S-0001 (0.6 FTE, 1 April 2026 to 31 March 2027)" in message
    assert Secondment.objects.count() == 1


def test_0_6_and_0_4_overlapping_add_up_to_exactly_one_and_are_accepted(world):
    record(world, fte=Decimal("0.6"))
    assert record(world, fte=Decimal("0.4")).pk


def test_adjacent_periods_are_allowed_at_full_time(world):
    record(world, fte=Decimal("1"), end_date=dt.date(2026, 9, 30))
    assert record(world, fte=Decimal("1"), start_date=dt.date(2026, 10, 1)).pk


def test_one_day_of_overlap_is_enough_to_refuse(world):
    record(world, fte=Decimal("1"), end_date=dt.date(2026, 10, 1))
    with pytest.raises(ValidationError):
        record(world, fte=Decimal("0.1"), start_date=dt.date(2026, 10, 1))


def test_three_secondments_that_never_overlap_all_at_once_are_accepted(world):
    # 0.5 all year; 0.5 in the first half; 0.5 in the second half: never more than 1.0.
    record(world, fte=Decimal("0.5"))
    record(world, fte=Decimal("0.5"), end_date=dt.date(2026, 9, 30))
    assert record(world, fte=Decimal("0.5"), start_date=dt.date(2026, 10, 1)).pk
    with pytest.raises(ValidationError):
        record(
            world, fte=Decimal("0.1"), start_date=dt.date(2026, 6, 1), end_date=dt.date(2026, 6, 1)
        )


def test_the_same_reference_at_another_home_is_another_person(world):
    record(world, fte=Decimal("1"))
    assert record(
        world, by=world.supported_pm, home=world.supported, host=world.buddy, fte=Decimal("1")
    ).pk


def test_a_cancelled_secondment_does_not_count(world):
    planned = record(
        world, fte=Decimal("1"), start_date=dt.date(2027, 1, 1), end_date=dt.date(2027, 6, 30)
    )
    services.secondment_cancel(secondment=planned, by=world.buddy_pm, reason="Not needed")
    assert record(world, fte=Decimal("1"), start_date=dt.date(2027, 1, 1)).pk


def test_secondments_in_another_partnership_count_and_are_named(world):
    other = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
    services.secondment_create(
        by=world.buddy_pm,
        partnership=other,
        home_organisation=world.buddy,
        host_organisation=world.unrelated,
        **fields(fte=Decimal("0.8")),
    )
    with pytest.raises(ValidationError) as excinfo:
        record(world, fte=Decimal("0.3"))
    assert f"S-0001 in {other.reference}" in " ".join(_errors(excinfo)["fte"])


def test_a_change_that_would_over_allocate_is_refused_and_changes_nothing(world):
    record(world, fte=Decimal("0.5"))
    second = record(world, fte=Decimal("0.5"))
    with pytest.raises(ValidationError) as excinfo:
        services.secondment_update(secondment=second, by=world.buddy_pm, fte=Decimal("0.6"))
    assert "S-0001" in " ".join(_errors(excinfo)["fte"])
    assert Secondment.objects.get(pk=second.pk).fte == Decimal("0.5")


def test_changing_a_secondment_does_not_count_it_against_itself(world):
    secondment = record(world, fte=Decimal("1"))
    services.secondment_update(secondment=secondment, by=world.buddy_pm, fte=Decimal("0.9"))
    assert Secondment.objects.get(pk=secondment.pk).fte == Decimal("0.9")


concurrent = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs on it)"
)


@concurrent
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_that_together_over_allocate_are_refused_once(world):
    for attempt in range(4):
        reference = f"RACE{attempt}"
        barrier = threading.Barrier(2)
        outcomes = []

        def create(fte, reference=reference, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait()
                record(world, staff_reference=reference, fte=fte)
                outcomes.append("saved")
            except ValidationError:
                outcomes.append("refused")
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=create, args=(Decimal(fte),)) for fte in ("0.6", "0.5")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["refused", "saved"]
        assert Secondment.objects.filter(staff_reference=reference).count() == 1


# --- End and cancel -------------------------------------------------------------------------------


def test_ending_early_records_the_date_and_what_was_learned(world):
    secondment = record(world)
    services.secondment_end(
        secondment=secondment,
        by=world.buddy_pm,
        end_date=dt.date(2026, 10, 31),
        learning_outcomes="Ran the flow programme.",
    )
    saved = Secondment.objects.get(pk=secondment.pk)
    assert (saved.end_date, saved.learning_outcomes) == (
        dt.date(2026, 10, 31),
        "Ran the flow programme.",
    )


@pytest.mark.parametrize(
    ("end_date", "outcomes", "field"),
    [
        (dt.date(2026, 10, 31), "", "learning_outcomes"),
        (dt.date(2026, 12, 1), "Learned", "end_date"),  # in the future
        (dt.date(2026, 3, 1), "Learned", "end_date"),  # before it started
        (None, "Learned", "end_date"),  # still running
    ],
)
def test_ending_with_bad_input_is_refused(world, end_date, outcomes, field):
    secondment = record(world)
    with pytest.raises(ValidationError) as excinfo:
        services.secondment_end(
            secondment=secondment, by=world.buddy_pm, end_date=end_date, learning_outcomes=outcomes
        )
    assert field in _errors(excinfo)


def test_a_planned_secondment_cannot_end_but_can_be_cancelled(world):
    planned = record(world, start_date=dt.date(2027, 1, 1))
    with pytest.raises(StateConflict):
        services.secondment_end(secondment=planned, by=world.buddy_pm, learning_outcomes="x")
    services.secondment_cancel(secondment=planned, by=world.buddy_pm, reason="Post filled")
    assert Secondment.objects.get(pk=planned.pk).cancelled


def test_a_started_secondment_cannot_be_cancelled(world):
    with pytest.raises(StateConflict):
        services.secondment_cancel(secondment=record(world), by=world.buddy_pm, reason="x")
