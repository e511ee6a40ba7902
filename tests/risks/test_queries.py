"""Lists, the heat map, the comparison and the endpoints run the same number of queries for one
risk as for many (no query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PartnershipFactory
from tests.risks.factories import RiskActionFactory, RiskAppetiteFactory, RiskFactory

pytestmark = pytest.mark.django_db


def _add_risks(world, count, partnership=None):
    partnership = partnership or world.partnership
    for index in range(count):
        risk = RiskFactory(
            partnership=partnership,
            owner=[world.buddy_pm, world.buddy_exec][index % 2],
            category=["financial", "strategic", "regulatory"][index % 3],
            # The first risk scores 25: outside every tolerance, so no list starts empty.
            current_likelihood=5 - index % 5,
            current_consequence=5 - (index * 2) % 5,
            target_likelihood=1,
            target_consequence=1,
        )
        RiskActionFactory(risk=risk, owner=world.supported_pm)
        RiskActionFactory(risk=risk, owner=world.buddy_pm, status="done")


def _appetites(world):
    for organisation in (world.buddy, world.supported):
        for category in ("financial", "strategic"):
            RiskAppetiteFactory(organisation=organisation, category=category, tolerance=6)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries)


PAGES = [
    ("risks:register", ""),
    ("risks:register", "?category=financial&band=extreme&outside_appetite=true&sort=-next_review"),
    ("risks:register", "?sort=title&page=2"),  # past 50 risks: a second page
    ("risks:heat_map", ""),
    ("risks:comparison", ""),
]


@pytest.mark.parametrize(("name", "query"), PAGES)
def test_partnership_pages_run_a_fixed_number_of_queries(
    world, as_user, django_assert_num_queries, name, query
):
    _appetites(world)
    _add_risks(world, 1)
    client = as_user(world.buddy_pm)
    url = reverse(name, args=[world.partnership.pk]) + query
    few = _count(client, url)
    _add_risks(world, 60)
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


def test_risk_page_runs_a_fixed_number_of_queries_whatever_the_actions(
    world, as_user, django_assert_num_queries
):
    _appetites(world)
    risk = RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    RiskActionFactory(risk=risk, owner=world.buddy_pm)
    client = as_user(world.buddy_pm)
    url = reverse("risks:detail", args=[risk.pk])
    few = _count(client, url)
    for _ in range(15):
        RiskActionFactory(risk=risk, owner=world.supported_pm)
    with django_assert_num_queries(few):
        client.get(url)


ENDPOINTS = [
    "/api/v1/risks/",
    "/api/v1/risks/?outside_appetite=true&band=high&band=extreme&sort=-score",
    "/api/v1/risks/?format=csv",
    "/api/v1/risk-actions/",
    "/api/v1/risk-actions/?format=csv",
    "/api/v1/risk-appetites/",
    "/api/v1/risk-appetite-comparisons/{partnership}/",
]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("persona", ["buddy_viewer", "regulator"])
def test_endpoints_run_a_fixed_number_of_queries(
    world, api_as, django_assert_num_queries, path, persona
):
    _appetites(world)
    _add_risks(world, 1)
    client = api_as(world.user(persona))
    url = path.format(partnership=world.partnership.pk)
    _count(client, url)  # the person's memberships are then cached on the user, as in a request
    few = _count(client, url)
    _add_risks(world, 25)
    _add_risks(world, 5, partnership=PartnershipFactory(buddy=world.buddy))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert len(queries) == few, [q["sql"][:120] for q in queries.captured_queries]
    del django_assert_num_queries


def test_risk_endpoint_runs_a_fixed_number_of_queries_whatever_the_actions(
    world, api_as, django_assert_num_queries
):
    _appetites(world)
    risk = RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    RiskActionFactory(risk=risk, owner=world.buddy_pm)
    client = api_as(world.regulator)
    url = f"/api/v1/risks/{risk.pk}/"
    _count(client, url)
    few = _count(client, url)
    for _ in range(15):
        RiskActionFactory(risk=risk, owner=world.supported_pm)
    with django_assert_num_queries(few):
        assert len(client.get(url).json()["actions"]) == 16
