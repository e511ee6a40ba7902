"""fhir/OrganizationAffiliation: who is buddying whom, as a FHIR R4 searchset Bundle."""

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organizationaffiliation import OrganizationAffiliation

from partnerships.choices import PartnershipStatus
from tests.factories import PartnershipFactory

URL = "/api/v1/fhir/OrganizationAffiliation"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"


@pytest.mark.django_db
def test_the_bundle_validates_as_fhir_r4_and_names_both_trusts_by_ods_code(world, api_as):
    response = api_as(world.regulator).get(URL, HTTP_ACCEPT="application/fhir+json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(response.json())
    assert bundle.type == "searchset"
    (entry,) = bundle.entry
    resource = entry.resource
    assert resource.get_resource_type() == "OrganizationAffiliation"
    assert resource.organization.identifier.system == ODS
    assert resource.organization.identifier.value == "RDD"
    assert resource.participatingOrganization.identifier.value == "RAL"
    assert resource.code[0].coding[0].code == "buddy"
    assert resource.active is (world.partnership.status in ("agreed", "active"))


@pytest.mark.django_db
def test_the_bundle_searches_by_organisation_role_and_active(world, api_as):
    other = PartnershipFactory(buddy=world.unrelated, supported=world.supported)
    other.status = PartnershipStatus.ACTIVE
    other.save()
    client = api_as(world.regulator)

    def buddies(**params):
        entries = client.get(URL, params).json()["entry"]
        return sorted(
            e["resource"]["participatingOrganization"]["identifier"]["value"] for e in entries
        )

    assert buddies() == ["RAL", "RRK"]
    assert buddies(**{"participating-organization": "rrk"}) == ["RRK"]
    assert buddies(organization=f"{ODS}|RDD") == ["RAL", "RRK"]
    assert buddies(active="true") == ["RRK"]
    assert buddies(role="broker") == []
    assert client.get(URL, {"role": "boss"}).status_code == 400
    assert client.get(URL, {"_count": "x"}).status_code == 400
    assert client.get(URL, {"organization": "R\x00D"}).status_code == 400


@pytest.mark.django_db
def test_the_bundle_pages_with_a_next_link(world, api_as):
    PartnershipFactory(buddy=world.unrelated, supported=world.supported)
    client = api_as(world.regulator)

    first = client.get(URL, {"_count": 1}).json()
    (next_link,) = [link["url"] for link in first["link"] if link["relation"] == "next"]
    second = client.get(next_link).json()

    assert len(first["entry"]) == len(second["entry"]) == 1
    assert first["entry"][0]["fullUrl"] != second["entry"][0]["fullUrl"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "count"), [("buddy_viewer", 1), ("outsider", 0), ("nobody", 0)]
)
def test_the_bundle_holds_only_partnerships_the_caller_may_see(world, api_as, persona, count):
    assert len(api_as(world.user(persona)).get(URL).json()["entry"]) == count


def _buddy_party(world):
    return world.partnership.parties.get(organisation=world.buddy)


@pytest.mark.django_db
def test_one_affiliation_is_read_at_its_full_url_and_validates(world, api_as):
    client = api_as(world.regulator)
    (entry,) = client.get(URL).json()["entry"]

    response = client.get(entry["fullUrl"], HTTP_ACCEPT="application/fhir+json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    resource = OrganizationAffiliation.model_validate(response.json())
    assert response.json() == entry["resource"]
    assert resource.id == f"party-{_buddy_party(world).pk}"
    assert resource.participatingOrganization.identifier.value == "RAL"


def _outcome(response, status: int) -> OperationOutcome:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/fhir+json")
    return OperationOutcome.model_validate(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "resource_id",
    ["party-0", "party-x", "organisation-1", "party-99999999999999999999", "party-١"],
)
def test_an_unknown_affiliation_is_a_not_found_operation_outcome(world, api_as, resource_id):
    response = api_as(world.regulator).get(f"{URL}/{resource_id}")

    outcome = _outcome(response, 404)
    assert [issue.code for issue in outcome.issue] == ["not-found"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/fhir/Patient", "/api/v1/fhir/OrganizationAffiliation/", "/api/v1/fhir/"]
)
def test_anything_else_under_fhir_is_a_not_found_operation_outcome(world, api_as, path):
    (issue,) = _outcome(api_as(world.regulator).get(path), 404).issue
    assert issue.code == "not-found"
    assert "OrganizationAffiliation" in issue.diagnostics


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "nobody"])
def test_an_affiliation_out_of_sight_is_not_found(world, api_as, persona):
    response = api_as(world.user(persona)).get(f"{URL}/party-{_buddy_party(world).pk}")

    assert [issue.code for issue in _outcome(response, 404).issue] == ["not-found"]


@pytest.mark.django_db
def test_the_supported_party_is_no_affiliation_of_its_own(world, api_as):
    supported = world.partnership.parties.get(organisation=world.supported)

    response = api_as(world.regulator).get(f"{URL}/party-{supported.pk}")

    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"role": "boss"}, "role"), ({"_count": "x"}, "_count"), ({"active": "maybe"}, "active")],
)
def test_bad_search_input_is_an_invalid_operation_outcome_naming_the_parameter(
    world, api_as, params, parameter
):
    response = api_as(world.regulator).get(URL, params)

    (issue,) = _outcome(response, 400).issue
    assert issue.code == "invalid"
    assert issue.expression == [parameter]
    assert issue.diagnostics


@pytest.mark.django_db
def test_without_credentials_the_answer_is_a_login_operation_outcome(client):
    for url in (URL, f"{URL}/party-1"):
        (issue,) = _outcome(client.get(url), 401).issue
        assert issue.code == "login"


@pytest.mark.django_db
def test_an_affiliation_is_read_in_a_fixed_number_of_queries(
    world, api_as, django_assert_max_num_queries
):
    client = api_as(world.regulator)
    url = f"{URL}/party-{_buddy_party(world).pk}"
    client.get(url)  # the session and the caller's memberships, once warmed
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
