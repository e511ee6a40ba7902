"""Every list and feed of the API runs the same number of queries whatever the page size (one row
or every row), read by offset pages or by cursor, for a regulator and for a member of a party."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from buddying.tokens import services as token_services
from tests.sync.test_mirror import LISTS, _morning, _the_day

FEEDS = ["/api/v1/history/", "/api/v1/deleted/"]
# A person's own tokens and queued reports: lists with offset pages only (nothing to sync).
OWN = ["/api/v1/tokens/", "/api/v1/reports/"]
FHIR = "/api/v1/fhir/OrganizationAffiliation"


@pytest.fixture
def day(world):
    from buddying.reports.models import ReportRequest

    had = _morning(world)
    _the_day(world, had)
    for start in ("2026-06-01", "2026-06-08"):
        ReportRequest.objects.create(
            kind="partnership_weekly",
            partnership=world.partnership,
            period_start=start,
            period_end=start[:-2] + f"{int(start[-2:]) + 6:02d}",
        )
    for persona in ("regulator", "buddy_viewer"):
        for name in ("Nightly mirror", "Ad hoc"):
            token_services.token_create(user=world.user(persona), name=name, read_only=True)
    return had


def _queries(user, url, params) -> int:
    client = APIClient()
    client.force_authenticate(type(user).objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.content[:300])
    body = response.json()
    rows = body["entry"] if url == FHIR else body["results"]
    assert rows, f"{url} has nothing to show, so its count proves nothing"
    return len(context)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["regulator", "buddy_viewer"])
@pytest.mark.parametrize("mode", ["page", "cursor"])
def test_every_list_and_feed_runs_the_same_queries_for_one_row_or_all(world, day, persona, mode):
    user = world.user(persona)
    commitment = day["commitment"]
    urls = [
        *(url for url, _ in LISTS.values()),
        *FEEDS,
        f"/api/v1/commitments/{commitment.pk}/deliveries/",
        *(OWN if mode == "page" else []),
    ]
    cursor = {"cursor": ""} if mode == "cursor" else {}
    one, every = {}, {}
    for url in urls:
        one[url] = _queries(user, url, {"page_size": 1, **cursor})
        every[url] = _queries(user, url, {"page_size": 500, **cursor})
    one[FHIR] = _queries(user, FHIR, {"_count": 1})
    every[FHIR] = _queries(user, FHIR, {"_count": 500})

    assert one == every
