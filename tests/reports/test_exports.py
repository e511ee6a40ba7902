"""Queued exports (``POST reports/ {"kind": "export", ...}``): the worker's file is the streamed
CSV of the same list with the same filters, for the person who asked, and only they read it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from buddying.reports import tasks
from buddying.reports.choices import ReportStatus
from buddying.reports.models import ReportRequest
from partnerships import access
from partnerships.models import Membership
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.factories import OrganisationFactory, PartnershipFactory
from tests.reports.conftest import wait_for

pytestmark = pytest.mark.django_db

A = "/api/v1/reports/"


@pytest.fixture
def deliveries(world):
    """Deliveries of the world's partnership (with a formula in a note), and of one its trusts
    are not party to."""
    ours = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    for day in (1, 2, 3):
        DeliveryFactory(commitment=ours, date=dt.date(2026, 5, day), logged_by=world.buddy_pm)
    DeliveryFactory(commitment=ours, date=dt.date(2026, 5, 4), note='=HYPERLINK("x")')
    partnership = PartnershipFactory(buddy=world.unrelated, supported=OrganisationFactory())
    theirs = CommitmentFactory(partnership=partnership, organisation=world.unrelated)
    DeliveryFactory(commitment=theirs, date=dt.date(2026, 5, 2))
    return ours


def _streamed(api, user, query: str) -> bytes:
    access.forget_memberships(user)
    response = api.get(f"/api/v1/deliveries/?format=csv{query}")
    assert response.status_code == 200
    assert response["Link"] == '</api/v1/reports/>; rel="export-queue"'
    return b"".join(response.streaming_content)


def _queue_and_build(api, user, body) -> dict:
    access.forget_memberships(user)
    response = api.post(A, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    report_id = response.json()["id"]
    assert tasks.build_report.apply(args=[report_id]).get() == "done"
    access.forget_memberships(user)
    return api.get(f"{A}{report_id}/").json()


@pytest.mark.parametrize(
    ("persona", "filters", "query"),
    [
        ("regulator", {}, ""),
        (
            "regulator",
            {"date_from": "2026-05-02", "date_to": "2026-05-03"},
            "&date_from=2026-05-02&date_to=2026-05-03",
        ),
        ("buddy_viewer", {}, ""),
        ("outsider", {}, ""),
    ],
)
def test_the_file_is_the_streamed_csv_of_the_same_list_and_filters(
    world, deliveries, api_as, persona, filters, query
):
    user = world.user(persona)
    api = api_as(user)
    data = _queue_and_build(api, user, {"kind": "export", "list": "deliveries", "filters": filters})
    streamed = _streamed(api, user, query)
    response = api.get(data["files"]["csv"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == streamed
    assert data["row_count"] == len(streamed.splitlines()) - 1
    assert data["list"] == "deliveries"
    assert data["filters"] == filters


def test_the_file_has_only_what_the_requester_sees_and_neutralised_cells(world, deliveries, api_as):
    user = world.buddy_viewer
    data = _queue_and_build(api_as(user), user, {"kind": "export", "list": "deliveries"})
    body = b"".join(api_as(user).get(data["files"]["csv"]).streaming_content).decode()
    assert data["row_count"] == 4  # not the unrelated partnership's delivery
    assert "'=HYPERLINK" in body


@pytest.mark.parametrize(
    ("reader", "expected"),
    [("buddy_viewer", 200), ("buddy_exec", 404), ("regulator", 404), ("outsider", 404)],
)
def test_only_the_requester_reads_an_export(world, deliveries, api_as, as_user, reader, expected):
    owner = world.buddy_viewer
    data = _queue_and_build(api_as(owner), owner, {"kind": "export", "list": "deliveries"})
    user = world.user(reader)
    api = api_as(user)
    assert api.get(f"{A}{data['id']}/").status_code == expected
    assert api.get(f"{A}{data['id']}/download/csv/").status_code == expected
    assert as_user(user).get(f"/reports/{data['id']}/download/csv/").status_code == expected
    page = as_user(user).get(f"/reports/{data['id']}/")
    assert page.status_code == expected
    if expected == 200:
        assert b"Export of deliveries" in page.content
    listed = {row["id"] for row in api.get(A).json()["results"]}
    assert (data["id"] in listed) == (expected == 200)


@pytest.mark.parametrize("change", ["moved", "joined another"])
def test_an_export_is_not_read_once_the_requesters_memberships_change(
    world, deliveries, api_as, as_user, change
):
    """The file holds what the person could see when it was built: once their memberships change
    (moved to another trust, or given another one too) it is no longer theirs (404); asking
    again builds one from what they may see now."""
    user = world.buddy_viewer
    api = api_as(user)
    data = _queue_and_build(api, user, {"kind": "export", "list": "deliveries"})
    assert api.get(data["files"]["csv"]).status_code == 200

    membership = Membership.objects.get(user=user)
    if change == "moved":
        membership.organisation = world.unrelated
        membership.save()
    else:
        Membership.objects.create(user=user, organisation=world.unrelated, role=membership.role)
    access.forget_memberships(user)

    assert api.get(f"{A}{data['id']}/").status_code == 404
    assert api.get(f"{A}{data['id']}/download/csv/").status_code == 404
    assert as_user(user).get(f"/reports/{data['id']}/download/csv/").status_code == 404
    again = _queue_and_build(api, user, {"kind": "export", "list": "deliveries"})
    assert api.get(again["files"]["csv"]).status_code == 200
    assert again["row_count"] == (1 if change == "moved" else 5)


def test_a_queued_export_is_listed_before_it_is_built(world, api_as):
    user = world.buddy_viewer
    api = api_as(user)
    report_id = api.post(A, {"kind": "export", "list": "deliveries"}, format="json").json()["id"]

    assert api.get(f"{A}{report_id}/").json()["status"] == "queued"


def test_a_read_only_token_may_queue_and_read_an_export(world, deliveries, api_as):
    user = world.regulator  # a regulator's token is always read-only
    key = api_as(user).post("/api/v1/tokens/", {"name": "Analysts"}).json()["key"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    data = _queue_and_build(api, user, {"kind": "export", "list": "deliveries"})
    assert data["row_count"] == 5
    assert api.get(data["files"]["csv"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "export"}, "list"),
        ({"kind": "export", "list": "nope"}, "list"),
        ({"kind": "export", "list": "../admin"}, "list"),
        ({"kind": "export", "list": "reports"}, "list"),  # not a list that exports CSV
        ({"kind": "export", "list": "deliveries", "filters": {"bogus": "1"}}, "filters"),
        ({"kind": "export", "list": "deliveries", "filters": {"cursor": "x"}}, "filters"),
        ({"kind": "export", "list": "deliveries", "filters": {"date_from": {"a": 1}}}, "filters"),
        ({"kind": "export", "list": "deliveries", "filters": {"date_from": "soon"}}, "date_from"),
        ({"kind": "export", "list": "deliveries", "filters": {"partnership": "x"}}, "partnership"),
        ({"kind": "export", "list": "deliveries", "filters": "date_from=1"}, "filters"),
    ],
)
def test_a_bad_export_is_400_with_the_field_and_queues_nothing(world, api_as, body, field):
    response = api_as(world.regulator).post(A, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ReportRequest.objects.exists()


def test_someone_with_no_membership_cannot_queue_an_export(world, api_as):
    response = api_as(world.nobody).post(A, {"kind": "export", "list": "deliveries"}, format="json")
    assert response.status_code == 404
    assert not ReportRequest.objects.exists()


def test_the_export_kind_is_not_offered_by_the_browser_form(world, as_user):
    page = as_user(world.regulator).get("/reports/request/")
    assert page.status_code == 200
    assert b'value="export"' not in page.content


def test_the_report_list_runs_a_fixed_number_of_queries_with_exports(world, deliveries, api_as):
    user = world.regulator
    api = api_as(user)

    def queries() -> int:
        access.forget_memberships(user)
        with CaptureQueriesContext(connection) as captured:
            response = api.get(A)
        assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    _queue_and_build(api, user, {"kind": "export", "list": "deliveries"})
    few, one = queries()
    for _ in range(5):
        _queue_and_build(api, user, {"kind": "export", "list": "deliveries"})
    many, six = queries()
    assert (one, six) == (1, 6)
    assert few == many > 0


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_queued_export_the_requester_downloads(
    world, deliveries, api_as, worker
):
    """No eager task: the request queues the export on the broker and returns; an ordinary
    ``celery worker`` process builds the file; the requester downloads the streamed CSV's bytes."""
    user = world.regulator
    api = api_as(user)
    filters = {"date_from": "2026-05-02"}

    response = api.post(A, {"kind": "export", "list": "deliveries", "filters": filters})
    assert response.status_code == 201, response.content
    report_id = response.json()["id"]
    assert response.json()["status"] == "queued"

    def built() -> bool:
        return ReportRequest.objects.filter(pk=report_id, status=ReportStatus.DONE).exists()

    wait_for(built, "the worker never built the export", worker)
    data = api.get(f"{A}{report_id}/").json()
    file = b"".join(api.get(data["files"]["csv"]).streaming_content)
    assert file == _streamed(api, user, "&date_from=2026-05-02")
    assert data["row_count"] == 4  # ours of the 2nd, 3rd and 4th of May, and theirs of the 2nd
