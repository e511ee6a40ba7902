"""The risks API: access for every persona, writes through the services, errors, filters, CSV."""

import csv
import io

import pytest

from partnerships.choices import PartnershipStatus
from risks.models import Risk, RiskAction, RiskAppetite
from tests.conftest import PERSONAS, READERS, WRITERS
from tests.risks.factories import RiskActionFactory, RiskAppetiteFactory, RiskFactory
from tests.risks.helpers import api_risk_payload, days_ahead

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk(world):
    return RiskFactory(partnership=world.partnership, owner=world.buddy_pm, category="financial")


@pytest.fixture
def action(world, risk):
    return RiskActionFactory(risk=risk, owner=world.buddy_pm)


# --- Reads -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_risk_list_shows_only_visible_risks(world, api_as, risk, persona):
    response = api_as(world.user(persona)).get("/api/v1/risks/")
    assert response.status_code == 200
    assert response.json()["count"] == (1 if persona in READERS else 0)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/risks/{risk}/",
        "/api/v1/risk-actions/{action}/",
        "/api/v1/risk-appetite-comparisons/{partnership}/",
    ],
)
def test_detail_endpoints_are_404_for_outsiders(world, api_as, risk, action, persona, path):
    url = path.format(risk=risk.pk, action=action.pk, partnership=world.partnership.pk)
    response = api_as(world.user(persona)).get(url)
    assert response.status_code == (200 if persona in READERS else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_action_list_shows_only_visible_actions(world, api_as, action, persona):
    response = api_as(world.user(persona)).get("/api/v1/risk-actions/")
    assert response.json()["count"] == (1 if persona in READERS else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_appetites_are_readable_by_partners_and_regulators_only(world, api_as, persona):
    RiskAppetiteFactory(organisation=world.buddy)
    response = api_as(world.user(persona)).get("/api/v1/risk-appetites/")
    assert response.status_code == 200
    assert response.json()["count"] == (1 if persona in READERS else 0)


def test_requests_without_credentials_are_401(api_client, risk):
    assert api_client.get("/api/v1/risks/").status_code == 401
    assert api_client.post("/api/v1/risk-appetites/", {}).status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/risks/123/",
        "/api/v1/risk-actions/abc/",
        "/api/v1/risk-appetites/1/",
        "/api/v1/risk-appetite-comparisons/nope/",
        "/api/v1/risks/00000000-0000-0000-0000-000000000000/",
    ],
)
def test_non_uuid_or_unknown_ids_are_404(world, api_as, path):
    assert api_as(world.regulator).get(path).status_code == 404


def test_risk_detail_shows_scores_bands_flags_and_actions(world, api_as, risk, action):
    RiskAppetiteFactory(organisation=world.supported, category="financial", tolerance=4)
    data = api_as(world.regulator).get(f"/api/v1/risks/{risk.pk}/").json()
    assert data["reference"] == risk.reference
    assert (data["current_score"], data["current_band"]) == (9, "high")
    assert (data["inherent_score"], data["inherent_band"]) == (16, "extreme")
    assert (data["target_score"], data["target_band"]) == (4, "moderate")
    assert data["outside_appetite"] is True
    assert data["outside_appetite_for"] == ["RDD"]
    assert [a["id"] for a in data["actions"]] == [str(action.pk)]
    assert data["owner"]["username"] == world.buddy_pm.username


def test_comparison_endpoint_reports_divergence_and_missing_appetites(world, api_as, risk):
    RiskAppetiteFactory(organisation=world.buddy, category="financial", level="avoid", tolerance=4)
    RiskAppetiteFactory(
        organisation=world.supported, category="financial", level="open", tolerance=4
    )
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", level="open", tolerance=8)
    data = (
        api_as(world.buddy_viewer)
        .get(f"/api/v1/risk-appetite-comparisons/{world.partnership.pk}/")
        .json()
    )
    rows = {row["category"]: row for row in data["categories"]}
    assert rows["financial"]["divergent"] is True
    assert rows["strategic"]["divergent"] is None
    assert rows["strategic"]["not_set_by"] == ["RDD"]
    assert rows["strategic"]["appetites"][1] == {
        "organisation": "RDD",
        "set": False,
        "level": None,
        "tolerance": None,
    }
    assert [r["reference"] for r in data["risks_outside_appetite"]] == [risk.reference]
    assert data["risks_outside_appetite"][0]["outside_appetite_for"] == ["RDD", "RAL"]


# --- Filters, sorting and CSV ------------------------------------------------------------------


def _refs(response):
    return [row["title"] for row in response.json()["results"]]


def test_risk_filters(world, api_as):
    low = RiskFactory(
        partnership=world.partnership,
        owner=world.buddy_pm,
        title="low",
        category="financial",
        current_likelihood=1,
        current_consequence=2,
        target_likelihood=1,
        target_consequence=1,
    )
    RiskFactory(
        partnership=world.partnership,
        owner=world.buddy_pm,
        title="extreme",
        category="strategic",
        current_likelihood=5,
        current_consequence=4,
    )
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", tolerance=12)
    client = api_as(world.regulator)
    assert _refs(client.get("/api/v1/risks/?band=low")) == ["low"]
    assert _refs(client.get("/api/v1/risks/?category=strategic")) == ["extreme"]
    assert _refs(client.get("/api/v1/risks/?outside_appetite=true")) == ["extreme"]
    assert _refs(client.get("/api/v1/risks/?outside_appetite=false")) == ["low"]
    assert _refs(client.get("/api/v1/risks/?status=open&sort=-score")) == ["extreme", "low"]
    assert _refs(client.get(f"/api/v1/risks/?partnership={world.partnership.pk}&sort=score")) == [
        "low",
        "extreme",
    ]
    Risk.objects.filter(pk=low.pk).update(updated_at="2030-01-01T00:00:00Z")
    assert _refs(client.get("/api/v1/risks/?updated_since=2029-12-31T00:00:00Z")) == ["low"]


@pytest.mark.parametrize(
    "query",
    [
        "band=purple",
        "sort=owner__password",
        "partnership=not-a-uuid",
        "updated_since=yesterday",
        "outside_appetite=perhaps",
        "category=bananas",
    ],
)
def test_bad_filters_are_400(world, api_as, query):
    response = api_as(world.regulator).get(f"/api/v1/risks/?{query}")
    assert response.status_code == 400


def test_csv_export_streams_every_matching_row(world, api_as):
    for _ in range(3):
        RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    response = api_as(world.regulator).get("/api/v1/risks/?format=csv&page_size=1")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 3
    assert rows[0]["owner"] == world.buddy_pm.username
    assert rows[0]["partnership"] == world.partnership.reference
    assert rows[0]["current_band"] == "high"


def test_actions_carry_their_risks_partnership_and_filter_by_it(world, api_as, risk):
    from tests.factories import PartnershipFactory

    elsewhere = RiskFactory(partnership=PartnershipFactory(buddy=world.buddy), owner=world.buddy_pm)
    RiskActionFactory(risk=elsewhere, owner=world.buddy_pm)
    client = api_as(world.buddy_pm)
    created = client.post(
        "/api/v1/risk-actions/",
        {
            "risk": str(risk.pk),
            "description": "Agree backfill",
            "owner": "supported_pm",
            "due_date": days_ahead(),
        },
        format="json",
    ).json()
    expected = {"id": str(world.partnership.pk), "reference": world.partnership.reference}
    assert created["partnership"] == expected
    assert RiskAction.objects.get(pk=created["id"]).partnership_id == risk.partnership_id
    listed = client.get(f"/api/v1/risk-actions/?partnership={world.partnership.pk}").json()
    assert [row["id"] for row in listed["results"]] == [created["id"]]
    assert listed["results"][0]["partnership"] == expected
    csv_text = b"".join(
        client.get(
            f"/api/v1/risk-actions/?format=csv&partnership={world.partnership.pk}"
        ).streaming_content
    ).decode()
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [row["partnership"] for row in rows] == [world.partnership.reference]


def test_csv_export_of_actions_and_appetites(world, api_as, action):
    RiskAppetiteFactory(organisation=world.buddy)
    client = api_as(world.buddy_viewer)
    for path in ["/api/v1/risk-actions/?format=csv", "/api/v1/risk-appetites/?format=csv"]:
        response = client.get(path)
        assert response.streaming
        assert len(b"".join(response.streaming_content).decode().strip().splitlines()) == 2


# --- Writes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_post_risk_by_persona(world, api_as, persona):
    response = api_as(world.user(persona)).post(
        "/api/v1/risks/", api_risk_payload(world), format="json"
    )
    if persona in WRITERS:
        assert response.status_code == 201
        assert response.json()["reference"] == "R-001"
        assert response.json()["current_score"] == 12
    elif persona in READERS or persona == "nobody":
        assert response.status_code == 403
    else:
        # The partnership is invisible: refused exactly as an id that does not exist.
        assert response.status_code == 400
        assert response.json()["partnership"] == ["There is no partnership with this id."]
    assert Risk.objects.count() == (1 if persona in WRITERS else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_patch_risk_by_persona(world, api_as, risk, persona):
    response = api_as(world.user(persona)).patch(
        f"/api/v1/risks/{risk.pk}/", {"title": "Renamed"}, format="json"
    )
    expected = 200 if persona in WRITERS else 403 if persona in READERS else 404
    assert response.status_code == expected
    risk.refresh_from_db()
    assert (risk.title == "Renamed") is (persona in WRITERS)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"current_likelihood": 0},
            "current_likelihood",
            "Current likelihood must be a whole number from 1 to 5.",
        ),
        (
            {"inherent_consequence": 6},
            "inherent_consequence",
            "Inherent consequence must be a whole number from 1 to 5.",
        ),
        (
            {"target_likelihood": 4, "target_consequence": 4},
            "target_likelihood",
            "The target score (16) cannot be above the current score (12). "
            "Lower the target likelihood or consequence.",
        ),
        ({"current_likelihood": "three"}, "current_likelihood", "A valid integer is required."),
        ({"category": "vibes"}, "category", '"vibes" is not a valid choice.'),
        (
            {"owner": "nobody-here"},
            "owner",
            "Enter the username of a member of one of the partnership's organisations.",
        ),
        (
            {"owner_organisation": "RRK"},
            "owner_organisation",
            "The owner organisation must be a party to the partnership.",
        ),
        ({"status": "closed"}, "closing_reason", "Enter why the risk is closed."),
        ({"partnership": "not-a-uuid"}, "partnership", "“not-a-uuid” is not a valid UUID."),
    ],
)
def test_post_risk_refuses_bad_values_with_400_and_field_messages(
    world, api_as, overrides, field, message
):
    response = api_as(world.buddy_pm).post(
        "/api/v1/risks/", api_risk_payload(world, **overrides), format="json"
    )
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not Risk.objects.exists()


def test_patch_target_above_current_is_400(world, api_as, risk):
    response = api_as(world.buddy_pm).patch(
        f"/api/v1/risks/{risk.pk}/", {"target_likelihood": 5}, format="json"
    )
    assert response.status_code == 400
    assert "target_likelihood" in response.json()


def test_patch_risk_of_closed_partnership_is_409(world, api_as, risk):
    world.partnership.status = PartnershipStatus.CLOSED
    world.partnership.closure_outcome = "terminated_early"
    world.partnership.closure_reason = "Ended."
    world.partnership.save()
    response = api_as(world.buddy_pm).patch(
        f"/api/v1/risks/{risk.pk}/", {"title": "x"}, format="json"
    )
    assert response.status_code == 409


@pytest.mark.parametrize("persona", PERSONAS)
def test_post_action_by_persona(world, api_as, risk, persona):
    response = api_as(world.user(persona)).post(
        "/api/v1/risk-actions/",
        {
            "risk": str(risk.pk),
            "description": "Agree backfill",
            "owner": "supported_pm",
            "due_date": days_ahead(),
        },
        format="json",
    )
    refused = 403 if persona in READERS or persona == "nobody" else 400
    expected = 201 if persona in WRITERS else refused
    assert response.status_code == expected
    assert RiskAction.objects.count() == (1 if persona in WRITERS else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_patch_action_by_persona(world, api_as, action, persona):
    response = api_as(world.user(persona)).patch(
        f"/api/v1/risk-actions/{action.pk}/", {"status": "done"}, format="json"
    )
    expected = 200 if persona in WRITERS else 403 if persona in READERS else 404
    assert response.status_code == expected
    if persona in WRITERS:
        assert response.json()["completed_on"] is not None


def test_action_bad_input_is_400(world, api_as, risk):
    response = api_as(world.buddy_pm).post(
        "/api/v1/risk-actions/",
        {"risk": str(risk.pk), "description": "", "owner": "outsider", "due_date": "soon"},
        format="json",
    )
    assert response.status_code == 400
    # "outsider" exists but belongs to no party: the same answer as a username that does not exist.
    assert set(response.json()) == {"description", "due_date", "owner"}
    response = api_as(world.buddy_pm).post(
        "/api/v1/risk-actions/",
        {"risk": str(risk.pk), "description": "x", "owner": "outsider", "due_date": days_ahead()},
        format="json",
    )
    assert response.json() == {
        "owner": ["Enter the username of a member of one of the partnership's organisations."]
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_post_appetite_only_by_an_executive_of_that_organisation(world, api_as, persona):
    payload = {"organisation": "RAL", "category": "financial", "level": "cautious", "tolerance": 8}
    response = api_as(world.user(persona)).post("/api/v1/risk-appetites/", payload, format="json")
    # An organisation the person may not see is, to them, one that does not exist (400).
    refused = 403 if persona in READERS or persona == "nobody" else 400
    expected = 201 if persona == "buddy_exec" else refused
    assert response.status_code == expected
    assert RiskAppetite.objects.count() == (1 if persona == "buddy_exec" else 0)


def test_posting_an_appetite_again_replaces_it_and_keeps_history(world, api_as):
    client = api_as(world.buddy_exec)
    payload = {"organisation": "RAL", "category": "financial", "level": "cautious", "tolerance": 8}
    assert client.post("/api/v1/risk-appetites/", payload, format="json").status_code == 201
    payload |= {"level": "open", "tolerance": 12}
    response = client.post("/api/v1/risk-appetites/", payload, format="json")
    assert response.status_code == 200
    assert (response.json()["level"], response.json()["tolerance"]) == ("open", 12)
    appetite = RiskAppetite.objects.get()
    assert appetite.history.count() == 2
    assert {h.history_user for h in appetite.history.all()} == {world.buddy_exec}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tolerance": 0}, "tolerance"),
        ({"tolerance": 26}, "tolerance"),
        ({"level": "reckless"}, "level"),
        ({"category": "vibes"}, "category"),
        ({"organisation": "NOPE"}, "organisation"),
        ({"tolerance": "high"}, "tolerance"),
    ],
)
def test_bad_appetite_is_400(world, api_as, overrides, field):
    payload = {"organisation": "RAL", "category": "financial", "level": "cautious", "tolerance": 8}
    response = api_as(world.buddy_exec).post(
        "/api/v1/risk-appetites/", payload | overrides, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_appetite_endpoint_refuses_patch(world, api_as):
    appetite = RiskAppetiteFactory(organisation=world.buddy)
    response = api_as(world.buddy_exec).patch(
        f"/api/v1/risk-appetites/{appetite.pk}/", {"tolerance": 3}, format="json"
    )
    assert response.status_code == 405


@pytest.mark.parametrize(
    "query", ["owner=%00", "owner_organisation=R%00L", "sort=%00", "partnership=%00"]
)
def test_nul_characters_in_filters_are_400_not_500(world, api_as, query):
    assert api_as(world.regulator).get(f"/api/v1/risks/?{query}").status_code == 400


def test_nul_characters_in_written_text_are_400(world, api_as):
    response = api_as(world.buddy_pm).post(
        "/api/v1/risks/", api_risk_payload(world, title="Bad\x00title"), format="json"
    )
    assert response.status_code == 400
    response = api_as(world.buddy_exec).post(
        "/api/v1/risk-appetites/",
        {"organisation": "R\x00L", "category": "financial", "level": "open", "tolerance": 8},
        format="json",
    )
    assert response.status_code == 400


@pytest.mark.parametrize("username", ["no-such-person", "outsider", "nobody"])
def test_an_owner_who_does_not_exist_or_is_not_a_member_gets_the_same_answer(
    world, api_as, username
):
    """The API cannot be used to find out which usernames exist."""
    response = api_as(world.buddy_pm).post(
        "/api/v1/risks/", api_risk_payload(world, owner=username), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "owner": ["Enter the username of a member of one of the partnership's organisations."]
    }
