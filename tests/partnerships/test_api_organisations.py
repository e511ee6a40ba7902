"""``/api/v1/organisations/``: reference data for every member of the service, filterable, CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerships.choices import OrganisationKind
from partnerships.models import Organisation
from tests.conftest import PERSONAS
from tests.factories import OrganisationFactory, RegulatorFactory

URL = "/api/v1/organisations/"
MEMBERS = [persona for persona in PERSONAS if persona != "nobody"]


def codes(response) -> list[str]:
    return [row["ods_code"] for row in response.json()["results"]]


# --- who sees what -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_organisation_list_shows_every_organisation_to_members_and_none_to_nobody(
    world, api_as, persona
):
    response = api_as(world.user(persona)).get(URL)

    assert response.status_code == 200
    expected = ["RAL", "RDD", "RRK", "X24"] if persona in MEMBERS else []
    assert codes(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_organisation_detail_is_found_by_members_and_404_for_nobody(world, api_as, persona):
    response = api_as(world.user(persona)).get(f"{URL}RAL/")

    if persona in MEMBERS:
        assert response.status_code == 200
        assert response.json()["ods_code"] == "RAL"
        assert response.json()["display_name"] == "Royal Free London NHS Foundation Trust"
    else:
        assert response.status_code == 404


@pytest.mark.django_db
def test_organisation_detail_accepts_a_code_in_lower_case(world, api_as):
    response = api_as(world.buddy_viewer).get(f"{URL}rrk/")

    assert response.status_code == 200
    assert response.json()["ods_code"] == "RRK"


@pytest.mark.django_db
def test_organisation_detail_of_an_unknown_code_is_404(world, api_as):
    assert api_as(world.regulator).get(f"{URL}ZZZ/").status_code == 404
    assert api_as(world.regulator).get(f"{URL}R%20AL/").status_code == 404


def test_organisation_list_needs_credentials(api_client, db):
    assert api_client.get(URL).status_code == 401
    assert api_client.get(f"{URL}RAL/").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_organisations_are_read_only_in_the_api(world, api_as, method):
    client = api_as(world.buddy_exec)
    target = URL if method == "post" else f"{URL}RAL/"

    response = getattr(client, method)(target, {"name": "Renamed"}, format="json")

    assert response.status_code == 405
    assert Organisation.objects.get(ods_code="RAL").name == "ROYAL FREE LONDON NHS FOUNDATION TRUST"


# --- filters -------------------------------------------------------------------------------------


@pytest.fixture
def varied(world):
    OrganisationFactory(
        ods_code="QHL",
        name="NHS BIRMINGHAM AND SOLIHULL INTEGRATED CARE BOARD",
        kind=OrganisationKind.ICB,
        region_code="Y60",
        icb_code="QHL",
    )
    OrganisationFactory(
        ods_code="RA3",
        name="WESTON AREA HEALTH NHS TRUST",
        kind=OrganisationKind.TRUST,
        region_code="Y58",
        icb_code="QUY",
        active=False,
        segment=4,
    )
    Organisation.objects.filter(ods_code="RRK").update(region_code="Y60", icb_code="QHL", segment=1)
    return world


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=icb", ["QHL"]),
        ("kind=regulator&kind=icb", ["QHL", "X24"]),
        ("region=Y60", ["QHL", "RRK"]),
        ("icb=QHL", ["QHL", "RRK"]),
        ("segment=4", ["RA3"]),
        ("active=false", ["RA3"]),
        ("search=weston", ["RA3"]),
        ("search=rrk", ["RRK"]),
        ("search=RAL", ["RAL"]),
    ],
)
def test_organisation_list_filters(varied, api_as, query, expected):
    response = api_as(varied.regulator).get(f"{URL}?{query}")

    assert response.status_code == 200
    assert sorted(codes(response)) == expected


@pytest.mark.django_db
def test_organisation_list_filters_by_updated_since(world, api_as):
    old = timezone.now() - timedelta(days=10)
    Organisation.objects.exclude(ods_code="RRK").update(updated_at=old)
    since = (timezone.now() - timedelta(days=1)).isoformat()

    response = api_as(world.regulator).get(URL, {"updated_since": since})

    assert codes(response) == ["RRK"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("updated_since=yesterday", "updated_since"),
        ("updated_since=2026-13-01T00:00:00Z", "updated_since"),
        ("kind=hospital", "kind"),
        ("segment=abc", "segment"),
        ("search=%00", "search"),
    ],
)
def test_organisation_list_rejects_a_bad_filter_with_400(world, api_as, query, field):
    response = api_as(world.regulator).get(f"{URL}?{query}")

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_organisation_list_is_paginated(world, api_as):
    response = api_as(world.regulator).get(URL, {"page_size": 2})

    body = response.json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    assert "page=2" in body["next"]
    assert api_as(world.regulator).get(URL, {"page": 99}).status_code == 404


# --- CSV -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_organisation_csv_export_streams_a_header_and_every_filtered_row(world, api_as):
    response = api_as(world.regulator).get(URL, {"format": "csv", "kind": ["trust", "acute"]})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="organisations.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["ods_code", "name", "display_name"]
    assert sorted(row[0] for row in rows[1:]) == ["RAL", "RDD", "RRK"]


@pytest.mark.django_db
def test_organisation_csv_error_is_json_naming_the_filter(world, api_as):
    response = api_as(world.regulator).get(URL, {"format": "csv", "kind": "hospital"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["kind"]


# --- queries -------------------------------------------------------------------------------------


def _queries(api_client, user, url) -> int:
    # A fresh user object per request, as in real use (memberships are cached on the object).
    api_client.force_authenticate(type(user).objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as context:
        assert api_client.get(url).status_code == 200
    return len(context)


@pytest.mark.django_db
def test_organisation_list_runs_the_same_number_of_queries_for_1_or_30_rows(world, api_client):
    url = f"{URL}?kind=regulator"
    one = _queries(api_client, world.regulator, url)

    RegulatorFactory.create_batch(30)
    many = _queries(api_client, world.regulator, url)

    assert api_client.get(url).json()["count"] == 31
    assert one == many
    assert many <= 4
