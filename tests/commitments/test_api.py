"""The commitments API: access for every persona, writes, bulk deliveries, filters, CSV, queries."""

import datetime as dt
from decimal import Decimal

import pytest

from partnerships import access
from partnerships.commitments.models import Commitment, Delivery
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.conftest import PERSONAS, READERS

pytestmark = pytest.mark.django_db

BUDDY_WRITERS = ["buddy_exec", "buddy_pm"]


def _new_commitment(world, **overrides):
    data = {
        "partnership": str(world.partnership.pk),
        "organisation": world.buddy.ods_code,
        "category": "executive_time",
        "description": "Chief executive mentoring",
        "unit": "hours",
        "planned_quantity": "48",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "owner": "Dr Asha Patel, Chief executive",
    }
    data.update(overrides)
    return data


# --- Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_commitment_list_shows_commitments_only_to_readers(world, commitment, api_as, persona):
    response = api_as(world.user(persona)).get("/api/v1/commitments/")
    assert response.status_code == 200
    expected = [str(commitment.pk)] if persona in READERS else []
    assert [row["id"] for row in response.json()["results"]] == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_commitment_detail_is_404_for_outsiders(world, commitment, api_as, persona):
    response = api_as(world.user(persona)).get(f"/api/v1/commitments/{commitment.pk}/")
    assert response.status_code == (200 if persona in READERS else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_deliveries_list_is_404_for_outsiders(world, commitment, api_as, persona):
    DeliveryFactory(commitment=commitment)
    response = api_as(world.user(persona)).get(f"/api/v1/commitments/{commitment.pk}/deliveries/")
    assert response.status_code == (200 if persona in READERS else 404)
    if persona in READERS:
        assert response.json()["count"] == 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_committing_organisations_writers_create_commitments(world, api_as, persona):
    response = api_as(world.user(persona)).post(
        "/api/v1/commitments/", _new_commitment(world), format="json"
    )
    if persona in BUDDY_WRITERS:
        assert response.status_code == 201, response.json()
        assert response.json()["reference"] == "C-0001"
    elif persona in READERS or persona == "nobody":
        # Readers may not write; with no membership at all, nothing is writable.
        assert response.status_code == 403
    else:
        # The partnership is invisible to them, so it "does not exist".
        assert response.status_code == 400
        assert "partnership" in response.json()
    assert Commitment.objects.count() == (1 if persona in BUDDY_WRITERS else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_committing_organisations_writers_change_commitments(
    world, commitment, api_as, persona
):
    response = api_as(world.user(persona)).patch(
        f"/api/v1/commitments/{commitment.pk}/", {"planned_quantity": "120"}, format="json"
    )
    expected = 200 if persona in BUDDY_WRITERS else 403 if persona in READERS else 404
    assert response.status_code == expected
    commitment.refresh_from_db()
    assert commitment.planned_quantity == (120 if persona in BUDDY_WRITERS else 100)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_committing_organisations_writers_log_deliveries(
    world, commitment, api_as, persona
):
    response = api_as(world.user(persona)).post(
        f"/api/v1/commitments/{commitment.pk}/deliveries/",
        {"date": "2026-11-09", "quantity": "3.5", "staff_group": "medical_dental"},
        format="json",
    )
    expected = 201 if persona in BUDDY_WRITERS else 403 if persona in READERS else 404
    assert response.status_code == expected
    assert Delivery.objects.count() == (1 if persona in BUDDY_WRITERS else 0)


def test_anonymous_caller_gets_401_or_403(commitment, api_client):
    response = api_client.get("/api/v1/commitments/")
    assert response.status_code in (401, 403)


def test_non_uuid_ids_are_404(world, api_as):
    client = api_as(world.buddy_pm)
    assert client.get("/api/v1/commitments/not-a-uuid/").status_code == 404
    assert client.get("/api/v1/commitments/123/deliveries/").status_code == 404


# --- Representation and writes -------------------------------------------------------------------


def test_commitment_representation_includes_the_figures(world, commitment, api_as):
    DeliveryFactory(commitment=commitment, quantity=Decimal("30"), date=dt.date(2026, 5, 1))
    data = api_as(world.regulator).get(f"/api/v1/commitments/{commitment.pk}/").json()
    # 223 of the period's 365 days have gone by before 10 November: 100 × 223 / 365 = 61.10.
    assert data["delivered_to_date"] == "30.00"
    assert data["expected_to_date"] == "61.10"
    assert data["variance"] == "-31.10"
    assert data["percent_of_expected"] == "49.1"
    assert data["rag"] == "red"
    assert data["organisation"] == {
        "ods_code": "RAL",
        "name": "Royal Free London NHS Foundation Trust",
    }
    assert data["partnership"]["reference"] == world.partnership.reference


def test_create_commitment_refuses_bad_input_with_field_errors(world, api_as):
    response = api_as(world.buddy_pm).post(
        "/api/v1/commitments/",
        _new_commitment(world, planned_quantity="0", end_date="2026-03-01"),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["planned_quantity"] == ["The planned quantity must be more than 0."]
    assert body["end_date"] == ["The end date must be the same as or after the start date."]


def test_create_commitment_refuses_an_organisation_that_is_not_a_party(world, api_as):
    from partnerships.choices import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.buddy_pm, organisation=world.unrelated, role=Role.EXECUTIVE)
    response = api_as(world.buddy_pm).post(
        "/api/v1/commitments/",
        _new_commitment(world, organisation=world.unrelated.ods_code),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["organisation"] == [
        "The committing organisation must be a party to the partnership."
    ]


@pytest.mark.parametrize(
    "payload",
    [
        {"partnership": "not-a-uuid"},
        {"organisation": "NOPE"},
        {"category": "gardening"},
        {"unit": "miles"},
        {"planned_quantity": "lots"},
        {"start_date": "31/31/2026"},
        {"planned_quantity": "1" * 30},
    ],
)
def test_create_commitment_answers_400_never_500_for_bad_values(world, api_as, payload):
    response = api_as(world.buddy_pm).post(
        "/api/v1/commitments/", _new_commitment(world, **payload), format="json"
    )
    assert response.status_code == 400
    assert set(payload) <= set(response.json())


def test_patch_refuses_a_start_after_logged_deliveries(world, commitment, api_as):
    DeliveryFactory(commitment=commitment, date=dt.date(2026, 4, 10))
    response = api_as(world.buddy_pm).patch(
        f"/api/v1/commitments/{commitment.pk}/", {"start_date": "2026-05-01"}, format="json"
    )
    assert response.status_code == 400
    assert "start_date" in response.json()


def test_a_closed_partnerships_commitments_cannot_change(world, commitment, api_as):
    world.partnership.status = "closed"
    world.partnership.closure_outcome = "terminated_early"
    world.partnership.closure_reason = "Ended by agreement."
    world.partnership.save()
    response = api_as(world.buddy_pm).patch(
        f"/api/v1/commitments/{commitment.pk}/", {"owner": "Someone else"}, format="json"
    )
    assert response.status_code == 409


def test_single_delivery_records_who_logged_it_and_ignores_a_client_value(
    world, commitment, api_as
):
    response = api_as(world.buddy_pm).post(
        f"/api/v1/commitments/{commitment.pk}/deliveries/",
        {"date": "2026-11-10", "quantity": "2", "logged_by": "regulator"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["logged_by"] == "buddy_pm"
    assert Delivery.objects.get().logged_by == world.buddy_pm


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"date": "2026-11-11", "quantity": "1"}, "date", "The date must be today or in the past."),
        (
            {"date": "2026-03-31", "quantity": "1"},
            "date",
            "The date must be on or after the commitment starts (1 April 2026).",
        ),
        ({"date": "2026-11-10", "quantity": "0"}, "quantity", "The quantity must be more than 0."),
        ({"date": "2026-11-10", "quantity": "-2"}, "quantity", "The quantity must be more than 0."),
    ],
)
def test_single_delivery_rules(world, commitment, api_as, payload, field, message):
    response = api_as(world.buddy_pm).post(
        f"/api/v1/commitments/{commitment.pk}/deliveries/", payload, format="json"
    )
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not Delivery.objects.exists()


def test_a_list_of_deliveries_is_saved_together(world, commitment, api_as):
    response = api_as(world.buddy_pm).post(
        f"/api/v1/commitments/{commitment.pk}/deliveries/",
        [{"date": "2026-11-01", "quantity": "1"}, {"date": "2026-11-02", "quantity": "2"}],
        format="json",
    )
    assert response.status_code == 201
    assert [row["quantity"] for row in response.json()] == ["1.00", "2.00"]
    assert Delivery.objects.count() == 2
    assert Delivery.history.filter(history_user=world.buddy_pm).count() == 2


def test_a_bad_entry_in_a_list_saves_nothing_and_errors_are_by_index(world, commitment, api_as):
    response = api_as(world.buddy_pm).post(
        f"/api/v1/commitments/{commitment.pk}/deliveries/",
        [
            {"date": "2026-11-01", "quantity": "1"},
            {"date": "2026-12-01", "quantity": "1"},
            {"date": "2026-11-03", "quantity": "3"},
        ],
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"1": {"date": ["The date must be today or in the past."]}}
    assert not Delivery.objects.exists()


def test_a_malformed_entry_in_a_list_is_reported_by_index(world, commitment, api_as):
    response = api_as(world.buddy_pm).post(
        f"/api/v1/commitments/{commitment.pk}/deliveries/",
        [{"date": "2026-11-01", "quantity": "1"}, {"date": "yesterday", "quantity": "x"}],
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["1"]
    assert set(errors["1"]) == {"date", "quantity"}
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("payload", ["just text", 42, [], [1, 2]])
def test_deliveries_endpoint_answers_400_for_nonsense(world, commitment, api_as, payload):
    response = api_as(world.buddy_pm).post(
        f"/api/v1/commitments/{commitment.pk}/deliveries/", payload, format="json"
    )
    assert response.status_code == 400


# --- Filters and CSV -----------------------------------------------------------------------------


@pytest.fixture
def three_commitments(world, commitment):
    """C-0001 (buddy, hours, red), C-0002 (supported, finance, green), C-0003 (not started)."""
    DeliveryFactory(commitment=commitment, quantity=Decimal("1"), date=dt.date(2026, 5, 1))
    finance = CommitmentFactory(
        partnership=world.partnership,
        organisation=world.supported,
        reference="C-0002",
        category="finance",
        unit="gbp",
        planned_quantity=Decimal("1000"),
    )
    DeliveryFactory(commitment=finance, quantity=Decimal("1000"), date=dt.date(2026, 6, 1))
    later = CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        reference="C-0003",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 6, 30),
    )
    return commitment, finance, later


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("organisation=RDD", ["C-0002"]),
        ("organisation=ral", ["C-0001", "C-0003"]),
        ("category=finance", ["C-0002"]),
        ("rag=red", ["C-0001"]),
        ("rag=green&rag=grey", ["C-0002", "C-0003"]),
        ("unit=gbp", ["C-0002"]),
        ("updated_since=2030-01-01T00:00:00Z", []),
    ],
)
def test_commitment_filters(world, three_commitments, api_as, query, expected):
    response = api_as(world.regulator).get(f"/api/v1/commitments/?{query}")
    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == expected


def test_partnership_filter(world, three_commitments, api_as):
    from tests.factories import PartnershipFactory

    other = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
    CommitmentFactory(partnership=other, organisation=world.buddy, reference="C-0001")
    client = api_as(world.regulator)
    response = client.get(f"/api/v1/commitments/?partnership={world.partnership.pk}")
    assert response.json()["count"] == 3
    assert client.get("/api/v1/commitments/").json()["count"] == 4


@pytest.mark.parametrize(
    "query", ["partnership=nope", "rag=purple", "updated_since=yesterday", "category=x"]
)
def test_bad_filters_answer_400(world, api_as, query):
    assert api_as(world.regulator).get(f"/api/v1/commitments/?{query}").status_code == 400


def test_commitments_export_as_streamed_csv(world, three_commitments, api_as):
    response = api_as(world.buddy_viewer).get("/api/v1/commitments/?format=csv&unit=hours")
    assert response.status_code == 200
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,reference,partnership,organisation,category")
    assert "delivered_to_date" in lines[0]
    assert len(lines) == 3
    assert ",C-0001," in lines[1]
    assert ",RAL," in lines[1]


def test_deliveries_export_as_streamed_csv(world, commitment, api_as):
    DeliveryFactory(commitment=commitment, note="Theatre list, with a comma")
    response = api_as(world.regulator).get(
        f"/api/v1/commitments/{commitment.pk}/deliveries/?format=csv"
    )
    assert response.status_code == 200
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == (
        "id,commitment,commitment_reference,date,quantity,staff_group,note,logged_by,"
        "created_at,version,updated_at"
    )
    assert '"Theatre list, with a comma"' in lines[1]


def test_deliveries_csv_is_404_for_an_outsider(world, commitment, api_as):
    response = api_as(world.outsider).get(
        f"/api/v1/commitments/{commitment.pk}/deliveries/?format=csv"
    )
    assert response.status_code == 404


# --- Query counts --------------------------------------------------------------------------------


def _many(world, commitments=20, deliveries=5):
    for number in range(commitments):
        item = CommitmentFactory(
            partnership=world.partnership,
            organisation=world.buddy if number % 2 else world.supported,
            reference=f"C-{number + 10:04d}",
        )
        DeliveryFactory.create_batch(deliveries, commitment=item)
    return item


def _get(client, user, url):
    access.forget_memberships(user)  # each request reads the memberships afresh
    response = client.get(url)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("persona", ["buddy_viewer", "regulator"])
def test_commitment_list_runs_a_fixed_number_of_queries(
    world, commitment, api_as, django_assert_num_queries, persona
):
    user = world.user(persona)
    client = api_as(user)
    DeliveryFactory(commitment=commitment)
    with django_assert_num_queries(3):  # memberships, count, page
        assert len(_get(client, user, "/api/v1/commitments/")["results"]) == 1
    _many(world)
    with django_assert_num_queries(3):
        assert len(_get(client, user, "/api/v1/commitments/")["results"]) == 21


def test_commitment_detail_runs_a_fixed_number_of_queries(
    world, commitment, api_as, django_assert_num_queries
):
    user = world.supported_viewer
    client = api_as(user)
    url = f"/api/v1/commitments/{commitment.pk}/"
    with django_assert_num_queries(2):  # memberships, the commitment with its figures
        _get(client, user, url)
    DeliveryFactory.create_batch(40, commitment=commitment)
    with django_assert_num_queries(2):
        assert _get(client, user, url)["delivered_to_date"] == "300.00"


def test_delivery_list_runs_a_fixed_number_of_queries(
    world, commitment, api_as, django_assert_num_queries
):
    user = world.buddy_viewer
    DeliveryFactory(commitment=commitment, logged_by=world.buddy_pm)
    client = api_as(user)
    url = f"/api/v1/commitments/{commitment.pk}/deliveries/"
    with django_assert_num_queries(4):  # memberships, commitment, count, page
        assert _get(client, user, url)["count"] == 1
    DeliveryFactory.create_batch(30, commitment=commitment, logged_by=world.supported_pm)
    with django_assert_num_queries(4):
        assert _get(client, user, url)["count"] == 31


def test_a_programme_manager_cannot_plan_for_another_party(world, api_as):
    response = api_as(world.buddy_pm).post(
        "/api/v1/commitments/",
        _new_commitment(world, organisation=world.supported.ods_code),
        format="json",
    )
    assert response.status_code == 403
    assert not Commitment.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"planned_quantity": "0"}, "planned_quantity"),
        ({"end_date": "2026-01-01"}, "end_date"),
        ({"unit": "miles"}, "unit"),
        ({"start_date": "soon"}, "start_date"),
    ],
)
def test_patch_refuses_bad_values_with_field_errors(world, commitment, api_as, payload, field):
    response = api_as(world.buddy_pm).patch(
        f"/api/v1/commitments/{commitment.pk}/", payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    commitment.refresh_from_db()
    assert commitment.planned_quantity == 100


def test_patch_cannot_move_a_commitment_to_another_organisation(world, commitment, api_as):
    response = api_as(world.buddy_pm).patch(
        f"/api/v1/commitments/{commitment.pk}/",
        {"organisation": "RDD", "partnership": "00000000-0000-0000-0000-000000000000"},
        format="json",
    )
    assert response.status_code == 200
    commitment.refresh_from_db()
    assert commitment.organisation_id == "RAL"


@pytest.mark.parametrize("persona", PERSONAS)
def test_commitments_csv_export_for_every_persona(world, commitment, api_as, persona):
    response = api_as(world.user(persona)).get("/api/v1/commitments/?format=csv")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == (2 if persona in READERS else 1)  # the header, and the row if visible


def test_posting_a_list_runs_the_same_queries_for_2_or_50_entries(world, commitment, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(world.buddy_pm)
    url = f"/api/v1/commitments/{commitment.pk}/deliveries/"

    def post(count):
        entries = [{"date": "2026-11-01", "quantity": "1"} for _ in range(count)]
        access.forget_memberships(world.buddy_pm)
        with CaptureQueriesContext(connection) as queries:
            assert client.post(url, entries, format="json").status_code == 201
        return len(queries)

    assert post(2) == post(50)
    assert Delivery.objects.count() == 52
