"""history/ and deleted/: every change and deletion, scoped by the access policy (the mirror built
from them is in ``test_mirror.py``)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from partnerships.commitments import services as commitment_services
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.factories import PartnershipFactory

HISTORY = "/api/v1/history/"
DELETED = "/api/v1/deleted/"
READERS = ["buddy_exec", "buddy_pm", "buddy_viewer", "supported_exec", "regulator"]


@pytest.fixture
def commitment(world):
    return CommitmentFactory(partnership=world.partnership, organisation=world.buddy)


@pytest.mark.django_db
def test_a_create_a_change_and_a_delete_are_each_in_the_history_with_who_and_fields(
    world, api_as, commitment
):
    delivery = commitment_services.delivery_log(
        commitment=commitment, by=world.buddy_pm, date=date(2026, 4, 2), quantity=Decimal("3")
    )
    commitment_services.delivery_update(delivery=delivery, by=world.buddy_exec, quantity=5)
    commitment_services.delivery_delete(delivery=delivery, by=world.buddy_pm)

    body = api_as(world.regulator).get(HISTORY, {"type": "delivery"}).json()

    created, changed, deleted = body["results"]
    assert [created["action"], changed["action"], deleted["action"]] == [
        "created",
        "changed",
        "deleted",
    ]
    assert {e["object_id"] for e in body["results"]} == {str(delivery.pk)}
    assert created["partnership"] == str(world.partnership.pk)
    assert created["who"]["username"] == world.buddy_pm.username
    assert created["changes"]["quantity"] == {"old": None, "new": "3.00"}
    assert changed["who"]["username"] == world.buddy_exec.username
    assert changed["changes"] == {"quantity": {"old": "3.00", "new": "5.00"}}
    assert deleted["changes"] == {}


@pytest.mark.django_db
def test_bulk_logged_deliveries_are_in_the_history(world, api_as, commitment):
    commitment_services.deliveries_log(
        commitment=commitment,
        by=world.buddy_pm,
        entries=[
            {"date": date(2026, 4, 2), "quantity": 1},
            {"date": date(2026, 4, 3), "quantity": 2},
        ],
    )

    body = api_as(world.regulator).get(HISTORY, {"type": "delivery", "action": "created"}).json()

    assert len(body["results"]) == 2
    assert {e["who"]["username"] for e in body["results"]} == {world.buddy_pm.username}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", READERS)
def test_readers_of_the_partnership_see_its_history_and_deletions(world, api_as, persona):
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    pk = str(commitment.pk)
    commitment.delete()
    client = api_as(world.user(persona))

    history = client.get(HISTORY, {"type": "commitment"}).json()["results"]
    deleted = client.get(DELETED).json()["results"]

    assert [e["action"] for e in history] == ["created", "deleted"]
    assert [(d["type"], d["object_id"]) for d in deleted] == [("commitment", pk)]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "nobody"])
def test_others_see_none_of_the_partnerships_history(world, api_as, persona):
    CommitmentFactory(partnership=world.partnership, organisation=world.buddy).delete()
    client = api_as(world.user(persona))

    assert client.get(HISTORY, {"partnership": str(world.partnership.pk)}).json()["results"] == []
    assert client.get(DELETED).json()["results"] == []


@pytest.mark.django_db
def test_history_filters_by_partnership_type_organisation_and_updated_since(world, api_as):
    other = PartnershipFactory(buddy=world.supported, supported=world.unrelated)
    mine = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    CommitmentFactory(partnership=other, organisation=world.supported)
    mine._history_user = world.buddy_pm
    mine.description = "Changed by the buddy"
    mine.save()
    client = api_as(world.regulator)

    def ids(**params):
        return [(e["type"], e["action"]) for e in client.get(HISTORY, params).json()["results"]]

    assert ("commitment", "changed") in ids(partnership=str(world.partnership.pk))
    assert all(t == "commitment" for t, _ in ids(type="commitment"))
    assert ids(organisation="ral") == [("commitment", "changed")]
    assert ids(organisation="RDD") == []
    assert ids(updated_since="2999-01-01T00:00:00Z") == []
    assert client.get(HISTORY, {"updated_since": "yesterday"}).status_code == 400


@pytest.mark.django_db
def test_deleting_a_partnership_records_every_object_it_removes(world, api_as, commitment):
    delivery = DeliveryFactory(commitment=commitment)
    expected = {
        ("partnership", str(world.partnership.pk)),
        ("commitment", str(commitment.pk)),
        ("delivery", str(delivery.pk)),
    }
    world.partnership.delete()

    deleted = api_as(world.regulator).get(DELETED).json()["results"]

    assert expected <= {(d["type"], d["object_id"]) for d in deleted}


@pytest.mark.django_db
def test_deleted_filters_by_type(world, api_as, commitment):
    DeliveryFactory(commitment=commitment).delete()
    commitment.delete()
    client = api_as(world.regulator)

    assert [d["type"] for d in client.get(DELETED, {"type": "delivery"}).json()["results"]] == [
        "delivery"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [HISTORY, DELETED])
def test_feeds_run_the_same_number_of_queries_for_1_or_40_entries(world, url):
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    DeliveryFactory(commitment=commitment).delete()

    def count(user) -> int:
        client = APIClient()
        client.force_authenticate(type(user).objects.get(pk=user.pk))
        with CaptureQueriesContext(connection) as context:
            assert client.get(url, {"cursor": ""}).status_code == 200
        return len(context)

    few = {persona: count(world.user(persona)) for persona in ("regulator", "buddy_viewer")}
    for _ in range(20):
        DeliveryFactory(commitment=commitment).delete()
    assert {persona: count(world.user(persona)) for persona in few} == few


# --- One object's history ------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_objects_history_lists_its_changes_only_oldest_first(world, api_as, commitment):
    other = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    commitment_services.commitment_update(
        commitment=commitment, by=world.buddy_pm, description="Moved to the day unit"
    )
    commitment_services.commitment_update(
        commitment=other, by=world.buddy_pm, description="Not this one"
    )

    body = api_as(world.buddy_viewer).get(f"/api/v1/commitments/{commitment.pk}/history/").json()

    assert [(e["object_id"], e["action"]) for e in body["results"]] == [
        (str(commitment.pk), "created"),
        (str(commitment.pk), "changed"),
    ]
    assert body["results"][1]["changes"]["description"]["new"] == "Moved to the day unit"
    assert body["results"][1]["who"]["username"] == world.buddy_pm.username


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "nobody"])
def test_one_objects_history_is_not_found_for_those_who_may_not_see_it(
    world, api_as, commitment, persona
):
    response = api_as(world.user(persona)).get(f"/api/v1/commitments/{commitment.pk}/history/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_one_objects_history_pages_by_cursor_in_a_fixed_number_of_queries(world, commitment):
    url = f"/api/v1/commitments/{commitment.pk}/history/"

    def count() -> int:
        client = APIClient()
        client.force_authenticate(type(world.regulator).objects.get(pk=world.regulator.pk))
        with CaptureQueriesContext(connection) as context:
            body = client.get(url, {"cursor": "", "page_size": 50}).json()
        assert body["results"]
        return len(context)

    few = count()
    for n in range(10):
        commitment_services.commitment_update(
            commitment=commitment, by=world.buddy_pm, description=f"Draft {n}"
        )
    assert count() == few


@pytest.mark.django_db
def test_a_deletion_stays_in_the_feed_after_thirteen_months(world, api_as):
    """No job prunes the log; a mirror that comes back after more than a year still learns."""
    import time_machine
    from django.utils import timezone

    long_ago = timezone.now() - timedelta(days=14 * 31)
    with time_machine.travel(long_ago, tick=False):
        doomed = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
        pk = str(doomed.pk)
        doomed.delete()
    since = (long_ago - timedelta(days=1)).isoformat()
    deleted = api_as(world.regulator).get(DELETED, {"updated_since": since}).json()["results"]
    assert [(d["type"], d["object_id"]) for d in deleted] == [("commitment", pk)]
