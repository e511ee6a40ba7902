"""fhir/OrganizationAffiliation: who is buddying whom, as a FHIR R4 searchset Bundle."""

import pytest
from fhir.resources.R4B.bundle import Bundle

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
