"""``/api/v1/partnerships/``: who sees and changes what, bad input, filters, CSV and query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerships.choices import PartnershipKind, PartnershipStatus
from partnerships.models import Organisation, Partnership
from tests.conftest import PERSONAS, READERS, WRITERS
from tests.factories import OrganisationFactory, PartnershipFactory

URL = "/api/v1/partnerships/"
NOT_READERS = [persona for persona in PERSONAS if persona not in READERS]
READ_ONLY = [persona for persona in READERS if persona not in WRITERS]


def detail(partnership) -> str:
    return f"{URL}{partnership.pk}/"


def references(response) -> list[str]:
    return [row["reference"] for row in response.json()["results"]]


# --- list and detail -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_partnership_list_shows_parties_and_regulators_and_nothing_to_others(
    world, api_as, persona
):
    PartnershipFactory(buddy=world.unrelated, supported=OrganisationFactory())

    response = api_as(world.user(persona)).get(URL)

    assert response.status_code == 200
    if persona == "regulator":
        assert response.json()["count"] == 2
    elif persona == "outsider":
        # The outsider's own trust has a partnership; they see that one and never Basildon's.
        assert world.partnership.reference not in references(response)
        assert response.json()["count"] == 1
    elif persona in READERS:
        assert references(response) == [world.partnership.reference]
    else:
        assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_partnership_detail_is_404_for_those_who_may_not_see_it(world, api_as, persona):
    response = api_as(world.user(persona)).get(detail(world.partnership))

    if persona in READERS:
        assert response.status_code == 200
        body = response.json()
        assert body["reference"] == world.partnership.reference
        assert {party["organisation"]["ods_code"] for party in body["parties"]} == {"RAL", "RDD"}
        assert body["objectives"] == []
        assert body["approvals"] == []
    else:
        assert response.status_code == 404


@pytest.mark.django_db
def test_partnership_list_row_shows_related_organisations_briefly(world, api_as):
    row = api_as(world.buddy_viewer).get(URL).json()["results"][0]

    buddy = next(party for party in row["parties"] if party["role"] == "buddy")
    assert buddy["organisation"] == {
        "ods_code": "RAL",
        "name": "Royal Free London NHS Foundation Trust",
    }
    assert "objectives" not in row


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["not-a-uuid/", "123/", "00000000-0000-0000-0000-00000000000g/", "%00/"]
)
def test_partnership_detail_with_an_id_that_is_not_a_uuid_is_404(world, api_as, path):
    response = api_as(world.regulator).get(f"{URL}{path}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_partnership_detail_of_an_unknown_uuid_is_404(world, api_as):
    response = api_as(world.regulator).get(f"{URL}00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404


def test_partnership_endpoints_need_credentials(api_client, world):
    assert api_client.get(URL).status_code == 401
    assert api_client.get(detail(world.partnership)).status_code == 401
    assert api_client.post(URL, {}, format="json").status_code == 401
    assert api_client.patch(detail(world.partnership), {}, format="json").status_code == 401


@pytest.mark.django_db
def test_partnerships_cannot_be_deleted_or_replaced_through_the_api(world, api_as):
    client = api_as(world.buddy_exec)

    assert client.delete(detail(world.partnership)).status_code == 405
    assert client.put(detail(world.partnership), {}, format="json").status_code == 405
    assert Partnership.objects.filter(pk=world.partnership.pk).exists()


# --- create --------------------------------------------------------------------------------------


@pytest.fixture
def new_trust(world) -> Organisation:
    return OrganisationFactory(ods_code="RJL", name="NORTHERN LINCOLNSHIRE AND GOOLE NHS FT")


def proposal(**overrides) -> dict:
    body = {
        "title": "Maternity improvement",
        "kind": "buddying",
        "buddy": "RAL",
        "supported": "RJL",
        "shared_intent": "Safer maternity care in Lincolnshire.",
        "planned_start": "2026-09-01",
        "planned_end": "2027-08-31",
        "remuneration_gbp": "120000.00",
        "funding_source": "nhs_england",
        "buddy_sponsor": {"sponsor_name": "Dr Asha Patel", "sponsor_job_title": "Chief executive"},
        "supported_sponsor": {"sponsor_name": "Mr Tom Hughes", "deputy_name": "Ms Jo Lee"},
        "objectives": [
            {"title": "Fewer serious incidents", "target": "Halve", "target_date": "2027-06-30"}
        ],
    }
    body.update(overrides)
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["buddy_exec", "buddy_pm"])
def test_a_programme_manager_or_executive_proposes_a_partnership_of_their_organisation(
    world, api_as, new_trust, persona
):
    response = api_as(world.user(persona)).post(URL, proposal(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "proposed"
    assert body["reference"].startswith(f"BP-{timezone.localdate().year}-")
    assert body["title"] == "Maternity improvement"
    assert body["remuneration_gbp"] == "120000.00"
    parties = {party["role"]: party for party in body["parties"]}
    assert parties["buddy"]["organisation"]["ods_code"] == "RAL"
    assert parties["buddy"]["sponsor_name"] == "Dr Asha Patel"
    assert parties["supported"]["organisation"]["ods_code"] == "RJL"
    assert parties["supported"]["deputy_name"] == "Ms Jo Lee"
    assert [objective["title"] for objective in body["objectives"]] == ["Fewer serious incidents"]
    partnership = Partnership.objects.get(pk=body["id"])
    assert partnership.history.get().history_user == world.user(persona)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["buddy_viewer", "supported_pm", "regulator", "outsider", "nobody"]
)
def test_only_a_writer_of_a_party_may_propose_a_partnership(world, api_as, new_trust, persona):
    # supported_pm and the outsider are programme managers, but of neither RAL nor RJL.
    response = api_as(world.user(persona)).post(URL, proposal(), format="json")

    assert response.status_code == 403
    assert not Partnership.objects.filter(title="Maternity improvement").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"supported": "NOPE"}, "supported"),
        ({"buddy": ""}, "buddy"),
        ({"kind": "takeover"}, "kind"),
        ({"planned_start": "2027-09-01", "planned_end": "2027-08-31"}, "planned_end"),
        ({"planned_start": "1 September 2026"}, "planned_start"),
        ({"supported": "RAL"}, "supported"),
        ({"remuneration_gbp": "-1"}, "remuneration_gbp"),
        ({"remuneration_gbp": "1e400"}, "remuneration_gbp"),
        ({"funding_source": "lottery"}, "funding_source"),
        ({"objectives": [{"target": "Halve"}]}, "objectives"),
        ({"objectives": "many"}, "objectives"),
        ({"buddy_sponsor": "Dr Patel"}, "buddy_sponsor"),
        ({"title": "Nul\u0000l"}, "title"),
    ],
)
def test_proposing_with_bad_input_is_400_with_field_errors(world, api_as, new_trust, change, field):
    body = proposal(**change)
    if change.get("title") is None and "title" in change:
        del body["title"]

    response = api_as(world.buddy_pm).post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Partnership.objects.exclude(pk=world.partnership.pk).exists()


@pytest.mark.django_db
def test_proposing_the_same_organisation_twice_says_so(world, api_as):
    response = api_as(world.buddy_pm).post(URL, proposal(supported="RAL"), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "supported": ["The supported organisation must be different from the buddy."]
    }


@pytest.mark.django_db
def test_a_bad_objective_writes_nothing_at_all(world, api_as, new_trust):
    body = proposal(objectives=[{"title": "Good"}, {"title": "Bad", "target_date": "soon"}])

    response = api_as(world.buddy_pm).post(URL, body, format="json")

    assert response.status_code == 400
    assert "target_date" in response.json()["objectives"]["1"]
    assert Partnership.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["{not json", "[1, 2", '{"title": }'])
def test_malformed_json_is_400(world, api_as, body):
    client = api_as(world.buddy_pm)

    created = client.post(URL, body, content_type="application/json")
    changed = client.patch(detail(world.partnership), body, content_type="application/json")

    assert created.status_code == changed.status_code == 400
    assert "JSON parse error" in created.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[]", "null", '"text"', "42"])
def test_json_that_is_not_an_object_is_400(world, api_as, body):
    client = api_as(world.buddy_pm)

    assert client.post(URL, body, content_type="application/json").status_code == 400
    assert (
        client.patch(detail(world.partnership), body, content_type="application/json").status_code
        == 400
    )


@pytest.mark.django_db
def test_a_form_encoded_proposal_works_too(world, api_as, new_trust):
    response = api_as(world.buddy_pm).post(
        URL, {"title": "Form", "buddy": "RAL", "supported": "RJL"}, format="multipart"
    )

    assert response.status_code == 201


# --- change --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_change_a_partnership(world, api_as, persona):
    response = api_as(world.user(persona)).patch(
        detail(world.partnership), {"title": "Renamed"}, format="json"
    )

    world.partnership.refresh_from_db()
    if persona in WRITERS:
        assert response.status_code == 200
        assert response.json()["title"] == "Renamed"
        assert world.partnership.title == "Renamed"
        assert world.partnership.history.first().history_user == world.user(persona)
    else:
        assert response.status_code == (403 if persona in READ_ONLY else 404)
        assert world.partnership.title == "Basildon recovery"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"kind": "takeover"}, "kind"),
        ({"planned_start": "2026-09-01", "planned_end": "2026-08-01"}, "planned_end"),
        ({"consultancy_equivalent_gbp": "lots"}, "consultancy_equivalent_gbp"),
    ],
)
def test_changing_with_bad_input_is_400_with_field_errors(world, api_as, change, field):
    response = api_as(world.supported_pm).patch(detail(world.partnership), change, format="json")

    assert response.status_code == 400
    assert field in response.json()
    world.partnership.refresh_from_db()
    assert world.partnership.title == "Basildon recovery"


@pytest.mark.django_db
def test_an_end_before_the_stored_start_is_refused(world, api_as):
    Partnership.objects.filter(pk=world.partnership.pk).update(planned_start="2026-09-01")

    response = api_as(world.buddy_pm).patch(
        detail(world.partnership), {"planned_end": "2026-01-01"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "planned_end": ["The planned end must be on or after the planned start."]
    }


@pytest.mark.django_db
def test_status_and_reference_cannot_be_changed_by_patch(world, api_as):
    response = api_as(world.buddy_exec).patch(
        detail(world.partnership), {"status": "closed", "reference": "BP-1999-0001"}, format="json"
    )

    assert response.status_code == 200
    world.partnership.refresh_from_db()
    assert world.partnership.status == PartnershipStatus.PROPOSED
    assert world.partnership.reference != "BP-1999-0001"


@pytest.mark.django_db
def test_a_closed_partnership_cannot_be_changed(world, api_as):
    Partnership.objects.filter(pk=world.partnership.pk).update(
        status=PartnershipStatus.CLOSED, closure_outcome="terminated_early", closure_reason="Ended"
    )

    response = api_as(world.buddy_exec).patch(
        detail(world.partnership), {"title": "Renamed"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "A closed partnership cannot be changed."}


# --- filters -------------------------------------------------------------------------------------


@pytest.fixture
def several(world):
    north = OrganisationFactory(ods_code="RTD", region_code="Y63")
    mentoring = PartnershipFactory(
        buddy=north,
        supported=world.supported,
        kind=PartnershipKind.MENTORING,
        status=PartnershipStatus.ACTIVE,
    )
    elsewhere = PartnershipFactory(buddy=north, supported=world.unrelated)
    return {"basildon": world.partnership, "mentoring": mentoring, "elsewhere": elsewhere}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"basildon", "mentoring", "elsewhere"}),
        ("status=active", {"mentoring"}),
        ("status=proposed&status=active", {"basildon", "mentoring", "elsewhere"}),
        ("kind=mentoring", {"mentoring"}),
        ("kind=buddying", {"basildon", "elsewhere"}),
        ("organisation=RDD", {"basildon", "mentoring"}),
        ("organisation=rrk", {"elsewhere"}),
        ("organisation=NOPE", set()),
        ("region=Y63", {"mentoring", "elsewhere"}),
        ("region=y56", {"basildon", "mentoring", "elsewhere"}),
        ("search=basildon", {"basildon"}),
    ],
)
def test_partnership_list_filters(world, api_as, several, query, expected):
    response = api_as(world.regulator).get(f"{URL}?{query}")

    assert response.status_code == 200
    names = {name for name, p in several.items() if p.reference in references(response)}
    assert names == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.django_db
def test_filters_never_widen_what_a_person_sees(world, api_as, several):
    response = api_as(world.buddy_viewer).get(URL, {"organisation": "RRK"})

    assert response.json()["count"] == 0


@pytest.mark.django_db
def test_partnership_list_filters_by_updated_since(world, api_as, several):
    long_ago = timezone.now() - timedelta(days=30)
    Partnership.objects.exclude(pk=several["mentoring"].pk).update(updated_at=long_ago)

    response = api_as(world.regulator).get(
        URL, {"updated_since": (timezone.now() - timedelta(days=1)).isoformat()}
    )

    assert references(response) == [several["mentoring"].reference]


@pytest.mark.django_db
def test_updated_since_takes_a_date_as_well_as_a_date_and_time(world, api_as):
    response = api_as(world.regulator).get(URL, {"updated_since": "2000-01-01"})

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("updated_since=last-week", "updated_since"),
        ("updated_since=2026-02-30T00:00:00Z", "updated_since"),
        ("status=finished", "status"),
        ("kind=takeover", "kind"),
        ("organisation=%00", "organisation"),
    ],
)
def test_partnership_list_rejects_a_bad_filter_with_400(world, api_as, query, field):
    response = api_as(world.regulator).get(f"{URL}?{query}")

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_partnership_list_is_ordered_newest_first_and_paginated(world, api_as, several):
    response = api_as(world.regulator).get(URL, {"page_size": 2})

    body = response.json()
    assert body["count"] == 3
    assert references(response) == [several["elsewhere"].reference, several["mentoring"].reference]
    second = api_as(world.regulator).get(body["next"]).json()
    assert [row["reference"] for row in second["results"]] == [world.partnership.reference]


# --- CSV -----------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.django_db
def test_partnership_csv_export_streams_a_header_row_and_the_filtered_rows(world, api_as, several):
    response = api_as(world.regulator).get(URL, {"format": "csv", "organisation": "RDD"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="partnerships.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    header = rows[0]
    assert header[:3] == ["id", "reference", "title"]
    assert "parties" in header
    reference = header.index("reference")
    assert sorted(row[reference] for row in rows[1:]) == sorted(
        [world.partnership.reference, several["mentoring"].reference]
    )
    by_reference = {row[reference]: row for row in rows[1:]}
    assert by_reference[world.partnership.reference][header.index("parties")] == (
        "buddy RAL; supported RDD"
    )
    assert by_reference[world.partnership.reference][header.index("status")] == "proposed"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "nobody"])
def test_partnership_csv_export_has_only_the_header_for_those_who_see_nothing(
    world, api_as, persona
):
    rows = csv_rows(api_as(world.user(persona)).get(URL, {"format": "csv"}))

    assert len(rows) == 1
    assert rows[0][1] == "reference"


@pytest.mark.django_db
def test_partnership_csv_with_a_bad_filter_is_a_400_in_plain_text(world, api_as):
    response = api_as(world.regulator).get(URL, {"format": "csv", "status": "finished"})

    assert response.status_code == 400
    assert "ErrorDetail" not in response.content.decode()


def test_partnership_csv_needs_credentials(api_client, world):
    assert api_client.get(URL, {"format": "csv"}).status_code == 401


# --- queries -------------------------------------------------------------------------------------


def _queries(api_client, user, url, **params) -> tuple[int, int]:
    # A fresh user object per request, as in real use (memberships are cached on the object).
    api_client.force_authenticate(type(user).objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as context:
        response = api_client.get(url, params)
        assert response.status_code == 200
    return len(context), response.json()["count"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["regulator", "buddy_viewer"])
def test_partnership_list_runs_the_same_number_of_queries_for_1_or_30_rows(
    world, api_client, persona
):
    user = world.user(persona)
    one, count = _queries(api_client, user, URL)
    assert count == 1

    for _ in range(29):
        PartnershipFactory(buddy=world.buddy, supported=OrganisationFactory())
    many, count = _queries(api_client, user, URL)

    assert count == 30
    assert one == many
    assert many <= 5


@pytest.mark.django_db
def test_partnership_detail_runs_a_fixed_number_of_queries(world, api_client):
    user = world.regulator
    for title in ("One", "Two", "Three"):
        world.partnership.objectives.create(title=title)
    api_client.force_authenticate(type(user).objects.get(pk=user.pk))

    with CaptureQueriesContext(connection) as context:
        assert api_client.get(detail(world.partnership)).status_code == 200

    assert len(context) <= 6


@pytest.mark.django_db
def test_partnership_csv_export_runs_the_same_number_of_queries_for_1_or_30_rows(world, api_client):
    def export_queries() -> tuple[int, int]:
        api_client.force_authenticate(type(world.regulator).objects.get(pk=world.regulator.pk))
        with CaptureQueriesContext(connection) as context:
            rows = csv_rows(api_client.get(URL, {"format": "csv"}))
        return len(context), len(rows) - 1

    one, count = export_queries()
    assert count == 1
    for _ in range(29):
        PartnershipFactory(buddy=world.buddy, supported=OrganisationFactory())
    many, count = export_queries()

    assert count == 30
    assert one == many
