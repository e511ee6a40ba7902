"""An objective's progress over time: measured values recorded by date, shown as a chart with its
table, the baseline and target drawn; the latest on the partnership's overview."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.models import ObjectiveMeasurement

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 10, 1)


@pytest.fixture
def objective(world):
    return world.partnership.objectives.create(
        title="Reduce A&E waits", measure="4-hour standard (%)", baseline="62%", target="78%"
    )


def _url(world, objective):
    return reverse("partnerships:objective-detail", args=[world.partnership.pk, objective.pk])


def _post(client, world, objective, day, value, note=""):
    return client.post(
        _url(world, objective),
        {
            "measured_on_day": str(day.day),
            "measured_on_month": str(day.month),
            "measured_on_year": str(day.year),
            "value": value,
            "note": note,
        },
    )


@time_machine.travel(TODAY, tick=False)
def test_a_programme_manager_records_values_over_time_and_sees_them_charted(
    world, as_user, objective
):
    client = as_user(world.buddy_pm)
    for day, value in [
        (dt.date(2026, 7, 1), "64.5"),
        (dt.date(2026, 9, 1), "71"),
        (dt.date(2026, 8, 1), "1,200"),
    ]:
        response = _post(client, world, objective, day, value, note="Rota")
        assert response.status_code == 302
        assert response.url == _url(world, objective)

    assert [
        (m.measured_on, m.value, m.recorded_by)
        for m in ObjectiveMeasurement.objects.order_by("measured_on")
    ] == [
        (dt.date(2026, 7, 1), Decimal("64.50"), world.buddy_pm),
        (dt.date(2026, 8, 1), Decimal("1200.00"), world.buddy_pm),
        (dt.date(2026, 9, 1), Decimal("71.00"), world.buddy_pm),
    ]
    page = client.get(_url(world, objective)).content.decode()
    assert (
        'id="objective-chart-title">Latest 71 on 1 September 2026, against a target of 78%</title>'
        in page
    )
    assert page.count("<circle ") == 3  # one point per measurement, in date order
    assert ">Baseline</text>" in page and ">Target</text>" in page
    # The table has the same figures, latest first.
    cells = re.findall(
        r"<td[^>]*nhsuk-table__cell--numeric[^>]*>.*?</span>\s*([\d,.]+)\s*</td>", page, re.S
    )
    assert cells == ["71", "1,200", "64.5"]
    # The overview shows the latest measured value, and links to the objective's page.
    overview = client.get(
        reverse("partnerships:detail", args=[world.partnership.pk])
    ).content.decode()
    assert "71 on 1 September 2026" in overview
    assert f'href="{_url(world, objective)}"' in overview


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("day", "value", "message"),
    [
        (dt.date(2026, 10, 2), "70", "The date measured must be today or in the past"),
        (dt.date(2026, 9, 1), "", "Enter the value"),
        (dt.date(2026, 9, 1), "seventy", "Enter a number, for example, 71.5 or 1,200"),
        (dt.date(2026, 9, 1), "1,2", "Enter a number, for example, 71.5 or 1,200"),
        (dt.date(2026, 9, 1), "70.123", "no more than 2 decimal places"),
    ],
)
def test_bad_measurements_are_refused_with_a_message_and_change_nothing(
    world, as_user, objective, day, value, message
):
    response = _post(as_user(world.buddy_exec), world, objective, day, value)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert not ObjectiveMeasurement.objects.exists()


def test_readers_see_progress_without_the_form_and_cannot_record(world, as_user, objective):
    ObjectiveMeasurement.objects.create(
        objective=objective, measured_on=dt.date(2026, 7, 1), value=65
    )
    for persona in ["buddy_viewer", "regulator"]:
        client = as_user(world.user(persona))
        page = client.get(_url(world, objective)).content.decode()
        assert "Record a measurement" not in page
        assert "Latest 65 on 1 July 2026" in page
        assert _post(client, world, objective, dt.date(2026, 7, 2), "66").status_code == 403
    outsider = as_user(world.outsider)
    assert outsider.get(_url(world, objective)).status_code == 404
    assert _post(outsider, world, objective, dt.date(2026, 7, 2), "66").status_code == 404
    assert ObjectiveMeasurement.objects.count() == 1


def test_the_objective_page_runs_the_same_queries_however_many_measurements(
    world, as_user, objective
):
    client = as_user(world.buddy_pm)
    client.get(_url(world, objective))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url(world, objective)).status_code == 200
        return len(captured)

    ObjectiveMeasurement.objects.create(
        objective=objective, measured_on=dt.date(2026, 1, 1), value=1, recorded_by=world.buddy_pm
    )
    one = queries()
    for month in range(2, 13):
        ObjectiveMeasurement.objects.create(
            objective=objective,
            measured_on=dt.date(2026, month, 1),
            value=month,
            recorded_by=world.buddy_exec,
        )
    assert queries() == one


def test_a_target_in_words_is_not_drawn_and_says_so(world, as_user, objective):
    objective.target = "Sustained"
    objective.save()
    ObjectiveMeasurement.objects.create(
        objective=objective, measured_on=dt.date(2026, 7, 1), value=65
    )
    page = as_user(world.buddy_pm).get(_url(world, objective)).content.decode()
    assert ">Target</text>" not in page
    assert "The target is not a number, so it is not drawn." in page


def test_the_api_reads_each_objectives_measurements_and_a_new_one_marks_the_partnership_changed(
    world, as_user, objective, api_client
):
    from partnerships import services

    before = type(world.partnership).objects.get(pk=world.partnership.pk).updated_at
    services.objective_measurement_record(
        objective=objective, by=world.buddy_pm, measured_on=dt.date(2026, 9, 1), value=Decimal("71")
    )
    services.objective_measurement_record(
        objective=objective,
        by=world.buddy_pm,
        measured_on=dt.date(2026, 8, 1),
        value=Decimal("66.5"),
    )

    api_client.force_authenticate(world.regulator)
    body = api_client.get(f"/api/v1/partnerships/{world.partnership.pk}/").json()
    (read,) = [o for o in body["objectives"] if o["id"] == str(objective.pk)]
    assert [(m["measured_on"], m["value"]) for m in read["measurements"]] == [
        ("2026-08-01", "66.50"),
        ("2026-09-01", "71.00"),
    ]
    after = type(world.partnership).objects.get(pk=world.partnership.pk).updated_at
    assert after > before  # a mirror following updated_since reads the partnership again
    api_client.force_authenticate(world.outsider)
    assert api_client.get(f"/api/v1/partnerships/{world.partnership.pk}/").status_code == 404


# --- Correcting and deleting a measurement ---------------------------------------------------------


def _measurement(world, objective, value=64, day=dt.date(2026, 7, 1)):
    return ObjectiveMeasurement.objects.create(
        objective=objective, measured_on=day, value=value, note="Rota", recorded_by=world.buddy_pm
    )


def _change_url(world, objective, measurement, what="update"):
    return reverse(
        f"partnerships:measurement-{what}",
        args=[world.partnership.pk, objective.pk, measurement.pk],
    )


def _change(client, world, objective, measurement, value, version, day=dt.date(2026, 7, 1)):
    return client.post(
        _change_url(world, objective, measurement),
        {
            "measured_on_day": str(day.day),
            "measured_on_month": str(day.month),
            "measured_on_year": str(day.year),
            "value": value,
            "note": "Rota",
            "version": str(version),
        },
    )


@time_machine.travel(TODAY, tick=False)
def test_a_mistaken_measurement_is_corrected_and_the_history_keeps_both_values(
    world, as_user, objective
):
    measurement = _measurement(world, objective)
    client = as_user(world.buddy_exec)
    page = client.get(_url(world, objective)).content.decode()
    assert f'href="{_change_url(world, objective, measurement)}"' in page
    assert f'href="{_change_url(world, objective, measurement, "delete")}"' in page
    form = client.get(_change_url(world, objective, measurement)).content.decode()
    assert 'value="64' in form and 'name="version" value="1"' in form

    response = _change(client, world, objective, measurement, "46", version=1)
    assert response.status_code == 302 and response.url == _url(world, objective)
    measurement.refresh_from_db()
    assert (measurement.value, measurement.version) == (Decimal("46.00"), 2)
    assert measurement.recorded_by == world.buddy_pm  # who first recorded it stays
    history = client.get(
        reverse("partnerships:history", args=[world.partnership.pk])
    ).content.decode()
    assert "Measurement of Reduce A&amp;E waits" in history
    assert "64.00" in history and "46.00" in history


@time_machine.travel(TODAY, tick=False)
def test_a_correction_from_a_stale_page_is_refused_and_changes_nothing(world, as_user, objective):
    measurement = _measurement(world, objective)
    exec_client, pm_client = as_user(world.buddy_exec), as_user(world.buddy_pm)
    assert _change(pm_client, world, objective, measurement, "65", version=1).status_code == 302
    response = _change(exec_client, world, objective, measurement, "66", version=1)
    page = response.content.decode()
    assert response.status_code == 200
    assert "since you opened it" in page and "Saved meanwhile: 65" in page
    measurement.refresh_from_db()
    assert measurement.value == Decimal("65.00")


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("day", "value", "message"),
    [
        (dt.date(2026, 10, 2), "70", "The date measured must be today or in the past"),
        (dt.date(2026, 9, 1), "seventy", "Enter a number, for example, 71.5 or 1,200"),
    ],
)
def test_a_bad_correction_shows_the_error_and_changes_nothing(
    world, as_user, objective, day, value, message
):
    measurement = _measurement(world, objective)
    response = _change(
        as_user(world.buddy_pm), world, objective, measurement, value, version=1, day=day
    )
    assert response.status_code == 200 and message in response.content.decode()
    measurement.refresh_from_db()
    assert (measurement.value, measurement.measured_on, measurement.version) == (
        Decimal("64.00"),
        dt.date(2026, 7, 1),
        1,
    )


def test_a_measurement_is_deleted_after_confirming_and_the_history_keeps_it(
    world, as_user, objective
):
    measurement = _measurement(world, objective)
    client = as_user(world.supported_exec)
    confirm = client.get(_change_url(world, objective, measurement, "delete")).content.decode()
    assert "Are you sure you want to delete this measurement?" in confirm
    response = client.post(_change_url(world, objective, measurement, "delete"))
    assert response.status_code == 302 and response.url == _url(world, objective)
    assert not ObjectiveMeasurement.objects.exists()
    history = client.get(
        reverse("partnerships:history", args=[world.partnership.pk])
    ).content.decode()
    assert "Measurement of Reduce A&amp;E waits" in history and "Deleted" in history


def test_only_those_who_may_change_the_partnership_correct_or_delete(world, as_user, objective):
    measurement = _measurement(world, objective)
    for persona, status in [("buddy_viewer", 403), ("regulator", 403), ("outsider", 404)]:
        client = as_user(world.user(persona))
        assert _change(client, world, objective, measurement, "1", version=1).status_code == status
        delete = client.post(_change_url(world, objective, measurement, "delete"))
        assert delete.status_code == status
        if status == 403:
            page = client.get(_url(world, objective)).content.decode()
            assert _change_url(world, objective, measurement) not in page
    measurement.refresh_from_db()
    assert measurement.value == Decimal("64.00")
    # A measurement of another objective cannot be reached through this one.
    other = world.partnership.objectives.create(title="Cut delayed discharges")
    url = reverse(
        "partnerships:measurement-update", args=[world.partnership.pk, other.pk, measurement.pk]
    )
    assert as_user(world.buddy_pm).get(url).status_code == 404
