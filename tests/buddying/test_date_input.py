"""Dates are entered as the NHS.UK date input: day, month and year boxes."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from partnerships.models import Objective

pytestmark = pytest.mark.django_db


def _add_objective(client, partnership, **dates):
    url = reverse("partnerships:objective-add", args=[partnership.pk])
    return client.post(url, {"title": "Reduce waits", **dates})


def test_a_date_typed_as_day_month_and_year_is_saved(world, as_user):
    response = _add_objective(
        as_user(world.buddy_pm),
        world.partnership,
        target_date_day="1",
        target_date_month="4",
        target_date_year="2027",
    )
    assert response.status_code == 302
    assert Objective.objects.get().target_date == dt.date(2027, 4, 1)


def test_an_impossible_date_is_refused_and_what_was_typed_is_kept(world, as_user):
    response = _add_objective(
        as_user(world.buddy_pm),
        world.partnership,
        target_date_day="31",
        target_date_month="2",
        target_date_year="2027",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a real date" in page
    assert 'href="#id_target_date_day"' in page  # the error summary links to the day box
    assert re.search(r'<input[^>]*name="target_date_day"[^>]*value="31"', page)
    assert not Objective.objects.exists()


def test_the_form_shows_three_labelled_boxes_for_a_date(world, as_user):
    url = reverse("partnerships:objective-add", args=[world.partnership.pk])
    page = as_user(world.buddy_pm).get(url).content.decode()
    for part in ("day", "month", "year"):
        assert f'id="id_target_date_{part}"' in page
    assert "nhsuk-date-input" in page
