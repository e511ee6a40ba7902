"""Cursor pages by (updated_at, id): stable while rows change, exact for incremental sync."""

import datetime as dt
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from buddying.common.pagination import MAX_OFFSET_ROWS
from partnerships.commitments.models import Commitment
from tests.commitments.factories import CommitmentFactory

URL = "/api/v1/commitments/"


def read_all(client, url, params) -> tuple[list[dict], str]:
    """Follow ``next`` from the first cursor page; the rows read and where to resume."""
    response = client.get(url, params)
    assert response.status_code == 200, response.json()
    body = response.json()
    rows = list(body["results"])
    while body["next"]:
        body = client.get(body["next"]).json()
        rows += body["results"]
    return rows, body["resume"]


def _commitments(world, n):
    return [
        CommitmentFactory(partnership=world.partnership, organisation=world.buddy) for _ in range(n)
    ]


@pytest.mark.django_db
def test_cursor_pages_read_by_updated_at_then_id_without_a_count(world, api_as):
    made = _commitments(world, 5)
    client = api_as(world.regulator)

    body = client.get(URL, {"cursor": "", "page_size": 2}).json()

    assert "count" not in body
    assert len(body["results"]) == 2 and body["next"] and body["previous"] is None
    rows, _ = read_all(client, URL, {"cursor": "", "page_size": 2})
    expected = sorted(made, key=lambda c: (c.updated_at, str(c.pk)))
    assert [row["id"] for row in rows] == [str(c.pk) for c in expected]


@pytest.mark.django_db
def test_previous_goes_back_to_the_same_rows(world, api_as):
    _commitments(world, 5)
    client = api_as(world.regulator)
    first = client.get(URL, {"cursor": "", "page_size": 2}).json()
    second = client.get(first["next"]).json()

    back = client.get(second["previous"]).json()

    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]


@pytest.mark.django_db
def test_rows_changed_and_inserted_between_pages_are_read_once_each_and_nothing_skipped(
    world, api_as
):
    made = _commitments(world, 6)
    client = api_as(world.regulator)
    first = client.get(URL, {"cursor": "", "page_size": 3}).json()
    seen = [row["id"] for row in first["results"]]
    # Between pages: a row already read changes, a row not yet read changes, one is added.
    read_one = Commitment.objects.get(pk=seen[0])
    unread = Commitment.objects.exclude(pk__in=seen).first()
    for commitment in (read_one, unread):
        commitment.description = "Changed between pages"
        commitment.save()
    added = _commitments(world, 1)[0]

    body = client.get(first["next"]).json()
    rows = body["results"]
    while body["next"]:
        body = client.get(body["next"]).json()
        rows += body["results"]
    later = [row["id"] for row in rows]

    # Every object is read; the changed ones again after their change; none twice in one state.
    assert set(seen + later) == {str(c.pk) for c in made} | {str(added.pk)}
    assert later.count(str(unread.pk)) == 1 and str(unread.pk) not in seen
    assert later.count(str(read_one.pk)) == 1  # read again: it changed after it was read
    assert str(added.pk) in later


@pytest.mark.django_db
def test_updated_since_then_resume_gives_each_change_exactly_once(world, api_as):
    _commitments(world, 3)
    client = api_as(world.regulator)
    since = (timezone.now() - timedelta(minutes=1)).isoformat()
    rows, resume = read_all(client, URL, {"cursor": "", "updated_since": since, "page_size": 2})
    assert len(rows) == 3

    again = client.get(resume).json()
    assert again["results"] == [] and again["next"] is None

    changed = Commitment.objects.first()
    changed.description = "New"
    changed.save()
    new = _commitments(world, 1)[0]
    after = client.get(resume).json()
    assert sorted(row["id"] for row in after["results"]) == sorted([str(changed.pk), str(new.pk)])


@pytest.mark.django_db
def test_rows_still_settling_wait_for_a_later_page(world, api_as, settings):
    settings.API_SYNC_SETTLE_SECONDS = 60
    _commitments(world, 2)

    body = api_as(world.regulator).get(URL, {"cursor": ""}).json()

    assert body["results"] == []
    assert "cursor=" in body["resume"]


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["nonsense", "e30", "WyJ4IiwiMSIsIm4iXQ", "%00"])
def test_a_cursor_this_api_did_not_give_is_a_400(world, api_as, cursor):
    response = api_as(world.regulator).get(f"{URL}?cursor={cursor}")

    assert response.status_code == 400
    assert "cursor" in response.json()


@pytest.mark.django_db
def test_a_summary_list_refuses_a_cursor_with_400(world, api_as):
    response = api_as(world.regulator).get("/api/v1/capacity/", {"cursor": ""})

    assert response.status_code == 400


@pytest.mark.django_db
def test_a_deep_cursor_page_runs_the_queries_of_the_first(world, api_as, api_client):
    _commitments(world, 12)
    client = api_as(world.regulator)
    first = client.get(URL, {"cursor": "", "page_size": 2}).json()
    body = first
    for _ in range(4):
        body = client.get(body["next"]).json()

    def queries(url, params=None) -> int:
        fresh = APIClient()
        fresh.force_authenticate(type(world.regulator).objects.get(pk=world.regulator.pk))
        with CaptureQueriesContext(connection) as context:
            assert fresh.get(url, params).status_code == 200
        sql = " ".join(q["sql"] for q in context.captured_queries)
        assert "OFFSET" not in sql and "COUNT(" not in sql
        return len(context)

    assert queries(body["next"]) == queries(URL, {"cursor": "", "page_size": 2})


@pytest.mark.django_db
def test_offset_pages_stop_at_the_cap_and_point_to_the_cursor(world, api_as):
    response = api_as(world.regulator).get(
        URL, {"page": MAX_OFFSET_ROWS // 500 + 1, "page_size": 500}
    )

    assert response.status_code == 400
    assert "cursor" in response.json()["page"][0]


@pytest.mark.django_db
def test_offset_pages_keep_their_count(world, api_as):
    _commitments(world, 3)

    body = api_as(world.regulator).get(URL, {"page_size": 2}).json()

    assert body["count"] == 3 and "page=2" in body["next"]


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_late_is_not_passed_over(world, settings):
    """A write whose transaction commits after a later write has been read must still reach the
    mirror: the settle window holds back rows younger than the longest transaction.

    The clock is held still, so the test does not depend on how fast the machine is: both
    writes are stamped at 09:00:00, read at 09:00:00.3 (both younger than the 1 s window) while
    the slow one is still uncommitted, and read again from ``resume`` at 09:00:02."""
    from django.db import transaction

    settings.API_SYNC_SETTLE_SECONDS = 1
    client = APIClient()
    client.force_authenticate(world.regulator)
    started, release = threading.Event(), threading.Event()
    slow_id = []

    def slow_writer():
        with transaction.atomic():
            slow_id.append(
                CommitmentFactory(partnership=world.partnership, organisation=world.buddy).pk
            )
            started.set()
            release.wait(30)
        connection.close()

    moment = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False) as clock:
        thread = threading.Thread(target=slow_writer)
        thread.start()
        assert started.wait(30)
        CommitmentFactory(partnership=world.partnership, organisation=world.buddy)  # commits first
        clock.shift(0.3)
        rows, resume = read_all(client, URL, {"cursor": ""})  # the fast write is still settling
        release.set()
        thread.join()
        clock.shift(1.7)
        later, _ = read_all(client, resume, None)

    assert str(slow_id[0]) in {row["id"] for row in rows + later}


@pytest.mark.django_db
def test_every_lists_cursor_reads_each_row_once_while_rows_change_between_pages(world, api_as):
    """For every list a mirror reads: a row already read and a row not yet read change between
    pages; following ``next`` reads every row, each changed one once more, nothing twice."""
    from django.apps import apps

    from tests.factories import PartnershipFactory
    from tests.reviews.factories import ReviewFactory
    from tests.sync.test_mirror import KEY, LISTS, _morning, _the_day

    had = _morning(world)
    _the_day(world, had)
    PartnershipFactory(buddy=world.unrelated, supported=world.supported)
    ReviewFactory(partnership=world.partnership, period_start=dt.date(2026, 5, 1))
    client = api_as(world.regulator)
    for kind, (url, label) in LISTS.items():
        model = apps.get_model(label)
        key = KEY.get(kind, "id")
        first = client.get(url, {"cursor": "", "page_size": 1}).json()
        seen = [str(row[key]) for row in first["results"]]
        assert first["next"], f"{kind}: too few rows to page"
        unread = model._base_manager.exclude(pk__in=seen).order_by("updated_at", "pk").first()
        for pk in (seen[0], unread.pk):
            model._base_manager.filter(pk=pk).update(updated_at=timezone.now())

        rows, _ = read_all(client, first["next"], None)
        later = [str(row[key]) for row in rows]

        every = {str(pk) for pk in model._base_manager.values_list("pk", flat=True)}
        assert set(seen + later) == every, kind
        assert len(later) == len(set(later)), f"{kind}: a row read twice after one change"
        assert str(unread.pk) in later and str(seen[0]) in later, kind
