"""The national delivery log, ``/api/v1/deliveries/``: every delivery a person may see, filtered,
paged by offset or cursor, and exported as one CSV of any length."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from partnerships import access
from partnerships.commitments.api.views import NationalDeliveryViewSet
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.factories import OrganisationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/deliveries/"


@pytest.fixture
def other(world):
    """A delivery of a partnership the world's trusts are not party to."""
    partnership = PartnershipFactory(buddy=world.unrelated, supported=OrganisationFactory())
    item = CommitmentFactory(partnership=partnership, organisation=world.unrelated)
    return DeliveryFactory(commitment=item, date=dt.date(2026, 6, 1))


def _get(client, user, url, **params):
    access.forget_memberships(user)  # each request reads the memberships afresh
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_each_person_sees_the_deliveries_of_the_partnerships_they_may_see(
    world, commitment, other, api_as
):
    ours = DeliveryFactory(commitment=commitment, logged_by=world.buddy_pm)
    seen = {
        persona: {
            row["id"]
            for row in _get(api_as(world.user(persona)), world.user(persona), URL).json()["results"]
        }
        for persona in ("buddy_viewer", "supported_exec", "regulator", "outsider")
    }
    assert seen["buddy_viewer"] == seen["supported_exec"] == {str(ours.pk)}
    assert seen["regulator"] == {str(ours.pk), str(other.pk)}
    assert seen["outsider"] == {str(other.pk)}


def test_a_delivery_says_which_partnership_and_organisation_it_counts_for(
    world, commitment, api_as
):
    DeliveryFactory(commitment=commitment, logged_by=world.buddy_pm, quantity=Decimal("7.5"))
    (row,) = _get(api_as(world.regulator), world.regulator, URL).json()["results"]
    assert row["partnership"] == str(world.partnership.pk)
    assert row["organisation"] == world.buddy.ods_code
    assert row["commitment"] == str(commitment.pk)
    assert row["commitment_reference"] == "C-0001"
    assert row["quantity"] == "7.50"
    assert row["logged_by"] == world.buddy_pm.username


def test_filters_narrow_the_log(world, commitment, other, api_as):
    DeliveryFactory(commitment=commitment, date=dt.date(2026, 5, 1))
    recent = DeliveryFactory(commitment=commitment, date=dt.date(2026, 10, 1))
    client = api_as(world.regulator)

    def ids(**params):
        response = _get(client, world.regulator, URL, **params)
        return {row["id"] for row in response.json()["results"]}

    assert ids(partnership=str(other.commitment.partnership_id)) == {str(other.pk)}
    assert ids(organisation=world.unrelated.ods_code.lower()) == {str(other.pk)}
    assert ids(commitment=str(commitment.pk), date_from="2026-09-01") == {str(recent.pk)}


@pytest.mark.parametrize(
    "query", ["partnership=nope", "commitment=1", "date_from=soon", "updated_since=yesterday"]
)
def test_bad_filters_answer_400_with_the_field(world, api_as, query):
    response = api_as(world.regulator).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize("query", ["", "?cursor=", "?format=csv"])
def test_the_log_runs_a_fixed_number_of_queries(
    world, commitment, api_as, django_assert_num_queries, query
):
    user = world.buddy_viewer
    client = api_as(user)
    DeliveryFactory(commitment=commitment, logged_by=world.buddy_pm)
    few = _count(client, user, URL + query)
    for number in range(10):
        item = CommitmentFactory(
            partnership=world.partnership,
            organisation=world.supported,
            reference=f"C-{number + 2:04d}",
        )
        DeliveryFactory.create_batch(3, commitment=item, logged_by=world.supported_pm)
    access.forget_memberships(user)
    with django_assert_num_queries(few):
        response = client.get(URL + query)
        if response.streaming:
            assert len(b"".join(response.streaming_content).splitlines()) == 32
        else:
            assert len(response.json()["results"]) == 31


def _count(client, user, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    access.forget_memberships(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def test_the_csv_has_every_delivery_once_in_order_across_its_chunks(
    world, commitment, api_as, monkeypatch
):
    # Chunks of 2 rows: the first chunk is read in the request, the rest streamed afterwards.
    monkeypatch.setattr(NationalDeliveryViewSet, "csv_chunk_size", 2)
    made = [
        DeliveryFactory(commitment=commitment, logged_by=world.buddy_pm, date=dt.date(2026, 5, day))
        for day in (3, 1, 5, 2, 4)
    ]
    response = _get(api_as(world.regulator), world.regulator, URL, format="csv")
    rows = _csv(response)
    by_date = sorted(made, key=lambda delivery: delivery.date, reverse=True)
    assert [row["id"] for row in rows] == [str(delivery.pk) for delivery in by_date]
    assert rows[0]["logged_by"] == world.buddy_pm.username
    assert rows[0]["organisation"] == world.buddy.ods_code
    assert list(rows[0])[:3] == ["id", "partnership", "organisation"]


def test_the_csv_is_empty_but_for_its_header_for_someone_who_sees_nothing(
    world, commitment, api_as
):
    DeliveryFactory(commitment=commitment)
    response = _get(api_as(world.outsider), world.outsider, URL, format="csv")
    assert _csv(response) == []
