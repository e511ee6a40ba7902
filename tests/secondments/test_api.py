"""The secondments and capacity API: who reads and writes, filters, ETag/If-Match, CSV, fixed
query counts, no 500 for any input."""

import datetime as dt
from decimal import Decimal

import pytest

from partnerships.secondments.models import Secondment
from tests.conftest import PERSONAS, READERS
from tests.factories import PartnershipFactory
from tests.secondments.factories import SecondmentFactory, record

pytestmark = pytest.mark.django_db

URL = "/api/v1/secondments/"


def _payload(world, **overrides) -> dict:
    payload = {
        "partnership": str(world.partnership.pk),
        "home_organisation": "RAL",
        "host_organisation": "RDD",
        "staff_reference": "E12345",
        "role_title": "Matron",
        "staff_group": "nursing_midwifery",
        "band": "8a",
        "fte": "0.6",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "backfilled": True,
        "monthly_recharge": "3000",
        "development_objectives": "Lead the ward improvement plan.",
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def secondment(world):
    return record(world)


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_and_detail_per_persona(world, api_as, secondment, persona):
    client = api_as(world.user(persona))
    listed = client.get(URL)
    detail = client.get(f"{URL}{secondment.pk}/")
    if persona == "nobody" or persona == "outsider":
        assert listed.json()["results"] == []
        assert detail.status_code == 404
    else:
        assert [row["reference"] for row in listed.json()["results"]] == ["S-0001"]
        assert detail.status_code == 200
        assert detail["ETag"] == f'"{detail.json()["version"]}"'
        assert detail.json()["status"] == "active"


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_per_persona(world, api_as, persona):
    response = api_as(world.user(persona)).post(URL, _payload(world), format="json")
    expected = {"buddy_exec": 201, "buddy_pm": 201, "nobody": 403}.get(persona)
    if expected is None:
        expected = 403 if persona in READERS else 400  # outsiders cannot name the partnership
    assert response.status_code == expected, response.content
    if expected == 201:
        assert response.json()["reference"] == "S-0001"


@pytest.mark.parametrize("persona", PERSONAS)
def test_patch_per_persona(world, api_as, secondment, persona):
    response = api_as(world.user(persona)).patch(
        f"{URL}{secondment.pk}/", {"role_title": "Clinical lead"}, format="json"
    )
    expected = 200 if persona in ("buddy_exec", "buddy_pm") else 403 if persona in READERS else 404
    assert response.status_code == expected


def test_over_allocation_is_a_400_naming_the_overlap(world, api_as, secondment):
    response = api_as(world.buddy_pm).post(
        URL, _payload(world, fte="0.5", staff_reference="e12345"), format="json"
    )
    assert response.status_code == 400
    assert "S-0001" in response.json()["fte"][0]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"fte": "0"}, "fte"),
        ({"fte": "1.5"}, "fte"),
        ({"fte": "abc"}, "fte"),
        ({"end_date": "2026-01-01"}, "end_date"),
        ({"monthly_recharge": "-5"}, "monthly_recharge"),
        ({"host_organisation": "RAL"}, "host_organisation"),
        ({"host_organisation": "NOPE"}, "host_organisation"),
        ({"band": "8e"}, "band"),
        ({"staff_group": "x"}, "staff_group"),
        ({"partnership": "not-a-uuid"}, "partnership"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(world, api_as, overrides, field):
    response = api_as(world.buddy_pm).post(URL, _payload(world, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_if_match_stale_is_412_and_current_succeeds(world, api_as, secondment):
    client = api_as(world.buddy_pm)
    etag = client.get(f"{URL}{secondment.pk}/")["ETag"]
    assert client.get(f"{URL}{secondment.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    ok = client.patch(f"{URL}{secondment.pk}/", {"fte": "0.5"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok["ETag"] != etag
    stale = client.patch(
        f"{URL}{secondment.pk}/", {"fte": "0.4"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    assert Secondment.objects.get(pk=secondment.pk).fte == Decimal("0.5")


def test_filters(world, api_as):
    record(world, staff_reference="A")
    record(world, staff_reference="B", staff_group="allied_health", start_date=dt.date(2027, 1, 1))
    record(
        world, by=world.supported_pm, home=world.supported, host=world.buddy, staff_reference="C"
    )
    client = api_as(world.regulator)

    def refs(**params):
        return sorted(row["staff_reference"] for row in client.get(URL, params).json()["results"])

    assert refs(partnership=str(world.partnership.pk)) == ["A", "B", "C"]
    assert refs(home="ral") == ["A", "B"]
    assert refs(host="RAL") == ["C"]
    assert refs(organisation="RDD") == ["A", "B", "C"]
    assert refs(staff_group="allied_health") == ["B"]
    assert refs(status="planned") == ["B"]
    assert refs(status=["active", "planned"]) == ["A", "B", "C"]
    assert refs(updated_since="2030-01-01T00:00:00Z") == []
    assert refs(updated_since="2026-11-10T00:00:00Z") == ["A", "B", "C"]
    assert client.get(URL, {"status": "nonsense"}).status_code == 400
    assert client.get(URL, {"updated_since": "yesterday"}).status_code == 400


def _csv(client, url, **params) -> str:
    return b"".join(client.get(url, {"format": "csv", **params}).streaming_content).decode()


def test_csv_export_has_objectives_and_outcomes(world, api_as):
    record(world)
    header = _csv(api_as(world.regulator), URL).splitlines()[0]
    assert "development_objectives" in header and "learning_outcomes" in header


def test_csv_export_is_injection_safe(world, api_as):
    record(world, development_objectives="=HYPERLINK(1)")
    assert ",=HYPERLINK" not in _csv(api_as(world.regulator), URL)


def test_list_query_count_does_not_grow_with_rows(world, api_as, django_assert_max_num_queries):
    for _n in range(15):
        SecondmentFactory(
            partnership=world.partnership,
            home_organisation=world.buddy,
            host_organisation=world.supported,
        )
    client = api_as(world.buddy_pm)
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200


# --- Capacity ------------------------------------------------------------------------------------

CAPACITY = "/api/v1/capacity/"


@pytest.mark.parametrize("persona", PERSONAS)
def test_capacity_per_persona(world, api_as, secondment, persona):
    response = api_as(world.user(persona)).get(CAPACITY)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == (1 if persona in READERS else 0)


def test_capacity_figures_and_warning_flag(world, api_as):
    record(world, staff_reference="A", fte=Decimal("1"))
    record(world, staff_reference="B", fte=Decimal("0.5"), backfilled=True)
    from partnerships.secondments import services

    services.establishment_set(
        organisation=world.buddy, staff_group="medical_dental", fte=Decimal("10"), by=world.buddy_pm
    )
    client = api_as(world.supported_viewer)
    [row] = client.get(CAPACITY, {"organisation": "RAL"}).json()["results"]
    assert row == {
        "organisation": "RAL",
        "organisation_name": world.buddy.name,
        "staff_group": "medical_dental",
        "fte_seconded_out": "1.50",
        "people": 2,
        "fte_not_backfilled": "1.00",
        "establishment_fte": "10.00",
        "percent_away": "15.0",
        "percent_not_backfilled": "10.0",
        "threshold_percent": "5.0",
        "warning": True,
        "risk_raised_this_month": False,
        "risks_raised_this_month": [],
    }
    assert client.get(CAPACITY, {"date": "2028-01-01"}).json()["results"] == []
    assert client.get(CAPACITY, {"date": "soon"}).status_code == 400
    assert client.get(CAPACITY, {"staff_group": "nursing_midwifery"}).json()["results"] == []
    csv = b"".join(client.get(CAPACITY, {"format": "csv"}).streaming_content).decode()
    assert csv.splitlines()[0].startswith("organisation,organisation_name,staff_group")


def test_capacity_query_count_does_not_grow(world, api_as, django_assert_max_num_queries):
    other = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
    for n, group in enumerate(["medical_dental", "allied_health", "admin_clerical"] * 5):
        SecondmentFactory(
            partnership=other if n % 2 else world.partnership,
            home_organisation=world.buddy,
            host_organisation=world.unrelated if n % 2 else world.supported,
            staff_group=group,
        )
    with django_assert_max_num_queries(5):
        response = api_as(world.regulator).get(CAPACITY)
    assert len(response.json()["results"]) == 3
