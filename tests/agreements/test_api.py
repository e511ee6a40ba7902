"""The agreements and disputes API: every persona, the states, verify, filters and query counts."""

import pytest

from risks.agreements.models import Agreement, Signature
from tests.conftest import PERSONAS, READERS, WRITERS

from .helpers import awaiting, draft, in_force, risk

pytestmark = pytest.mark.django_db

URL = "/api/v1/agreements/"
DISPUTES = "/api/v1/disputes/"


def _payload(world, **overrides) -> dict:
    the_risk = risk(world)
    payload = {
        "partnership": str(world.partnership.pk),
        "shared_intent": "Better urgent care.",
        "scope": "Urgent care.",
        "effective_from": "2026-04-01",
        "review_date": "2027-04-01",
        "mediator_organisation": "X24",
        "dispute_process": "Sponsors, then mediation.",
        "exit_terms": "Three months' notice.",
        "lines": [
            {
                "risk": str(the_risk.pk),
                "lead_organisation": "RAL",
                "shares": {"RAL": "50", "RDD": "50"},
                "liability_cap_gbp": "100000",
                "responsibilities": "Joint.",
            }
        ],
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize("persona", PERSONAS)
def test_agreement_list_and_detail_per_persona(world, api_as, persona):
    agreement = in_force(world)
    client = api_as(world.user(persona))
    listed = client.get(URL)
    detail = client.get(f"{URL}{agreement.pk}/")
    verify = client.get(f"{URL}{agreement.pk}/verify/")
    if persona == "nobody":
        assert listed.status_code == 200 and listed.json()["count"] == 0
    elif persona in READERS:
        assert listed.json()["count"] == 1
    else:
        assert listed.json()["count"] == 0
    expected = 200 if persona in READERS else 404
    assert (detail.status_code, verify.status_code) == (expected, expected)


@pytest.mark.parametrize("persona", PERSONAS)
def test_drafting_through_the_api_per_persona(world, api_as, persona):
    response = api_as(world.user(persona)).post(URL, _payload(world), format="json")
    if persona in WRITERS:
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["number"], body["status"], len(body["lines"])) == (1, "draft", 1)
        assert response["ETag"] == f'"{body["version"]}"' or "ETag" not in response
    elif persona == "outsider":
        assert response.status_code == 400  # the partnership "does not exist" for them
        assert "partnership" in response.json()
    else:
        assert response.status_code == 403


def test_bad_lines_are_400_with_messages_and_nothing_is_saved(world, api_as):
    payload = _payload(world)
    payload["lines"][0]["shares"] = {"RAL": "50", "RDD": "40"}
    response = api_as(world.buddy_pm).post(URL, payload, format="json")
    assert response.status_code == 400
    assert "add up to 90.00%" in " ".join(response.json()["lines"])
    assert not Agreement.objects.exists()
    payload["lines"][0] = {"risk": "nope", "shares": "x"}
    response = api_as(world.buddy_pm).post(URL, payload, format="json")
    assert response.status_code == 400
    assert set(response.json()["lines"]["0"]) >= {"risk", "shares", "lead_organisation"}


def test_patch_only_while_draft_with_409_saying_start_a_new_version(world, api_as):
    agreement = draft(world)
    client = api_as(world.buddy_pm)
    ok = client.patch(f"{URL}{agreement.pk}/", {"scope": "Wider."}, format="json")
    assert ok.status_code == 200 and ok.json()["scope"] == "Wider."
    signed = in_force_from(world, agreement)
    refused = client.patch(f"{URL}{signed.pk}/", {"scope": "Sneaky."}, format="json")
    assert refused.status_code == 409
    assert "Start a new version" in refused.json()["detail"]
    assert Agreement.objects.get(pk=agreement.pk).scope == "Wider."


def in_force_from(world, agreement):
    from risks.agreements import services

    services.agreement_submit(agreement=agreement, by=world.buddy_pm)
    services.agreement_sign(agreement=agreement, by=world.buddy_exec)
    services.agreement_sign(agreement=agreement, by=world.supported_exec)
    return Agreement.objects.get(pk=agreement.pk)


def test_stale_if_match_answers_412(world, api_as):
    agreement = draft(world)
    client = api_as(world.buddy_pm)
    etag = client.get(f"{URL}{agreement.pk}/")["ETag"]
    client.patch(f"{URL}{agreement.pk}/", {"scope": "One."}, format="json")
    stale = client.patch(
        f"{URL}{agreement.pk}/", {"scope": "Two."}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412


@pytest.mark.parametrize("persona", PERSONAS)
def test_signing_through_the_api_per_persona(world, api_as, persona):
    agreement = awaiting(world)
    response = api_as(world.user(persona)).post(f"{URL}{agreement.pk}/sign/", {}, format="json")
    if persona in {"buddy_exec", "supported_exec"}:
        assert response.status_code == 201
        assert len(response.json()["content_hash"]) == 64
    elif persona in {"outsider", "nobody"}:
        assert response.status_code == 404
    else:
        assert response.status_code == 403
        assert not Signature.objects.exists()


def test_signing_twice_is_409_and_the_last_signature_brings_it_into_force(world, api_as):
    agreement = awaiting(world)
    assert api_as(world.buddy_exec).post(f"{URL}{agreement.pk}/sign/").status_code == 201
    again = api_as(world.buddy_exec).post(f"{URL}{agreement.pk}/sign/")
    assert again.status_code == 409 and "already signed" in again.json()["detail"]
    assert api_as(world.supported_exec).post(f"{URL}{agreement.pk}/sign/").status_code == 201
    body = api_as(world.regulator).get(f"{URL}{agreement.pk}/").json()
    assert body["status"] == "in_force" and len(body["signatures"]) == 2


def test_verify_reports_each_signature_and_the_canonical_content(world, api_as):
    agreement = in_force(world)
    body = api_as(world.regulator).get(f"{URL}{agreement.pk}/verify/").json()
    assert body["all_match"] is True
    assert [s["matches"] for s in body["signatures"]] == [True, True]
    assert body["signatures"][0]["content_hash"] == body["current_hash"]
    assert body["canonical_content"].startswith('{"agreement":')


def test_transitions_and_new_version_through_the_api(world, api_as):
    agreement = draft(world)
    client = api_as(world.buddy_pm)
    submitted = client.post(f"{URL}{agreement.pk}/transition/", {"to": "awaiting_signatures"})
    assert submitted.status_code == 200 and submitted.json()["status"] == "awaiting_signatures"
    back = client.post(f"{URL}{agreement.pk}/transition/", {"to": "draft"})
    assert back.json()["status"] == "draft"
    assert client.post(f"{URL}{agreement.pk}/new-version/").status_code == 409
    signed = in_force_from(world, agreement)
    copy = client.post(f"{URL}{signed.pk}/new-version/")
    assert copy.status_code == 201 and copy.json()["number"] == 2
    assert (
        client.post(
            f"{URL}{signed.pk}/transition/", {"to": "terminated", "reason": "x"}
        ).status_code
        == 403
    )
    ended = api_as(world.buddy_exec).post(
        f"{URL}{signed.pk}/transition/", {"to": "terminated", "reason": "Merger."}
    )
    assert ended.json()["status"] == "terminated"


def test_filters_partnership_status_and_updated_since(world, api_as):
    in_force(world)
    client = api_as(world.regulator)
    assert client.get(URL, {"status": "in_force"}).json()["count"] == 1
    assert client.get(URL, {"status": "draft"}).json()["count"] == 0
    assert client.get(URL, {"partnership": str(world.partnership.pk)}).json()["count"] == 1
    assert client.get(URL, {"updated_since": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    assert client.get(URL, {"status": "nonsense"}).status_code == 400
    assert client.get(URL, {"format": "csv"}).status_code == 200


def test_agreement_list_runs_a_fixed_number_of_queries(
    world, api_as, django_assert_max_num_queries
):
    from tests.factories import PartnershipFactory

    for _ in range(4):
        partnership = PartnershipFactory(buddy=world.buddy, supported=world.supported)
        world.partnership = partnership
        in_force(world)
    client = api_as(world.regulator)
    with django_assert_max_num_queries(8):
        assert client.get(URL).json()["count"] == 4
    with django_assert_max_num_queries(8):
        assert client.get(DISPUTES).status_code == 200


# --- Disputes ------------------------------------------------------------------------------------


def _dispute_payload(agreement, **overrides) -> dict:
    payload = {
        "agreement": str(agreement.pk),
        "raised_by_organisation": "RDD",
        "title": "How the workforce risk is shared",
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize("persona", PERSONAS)
def test_raising_a_dispute_per_persona(world, api_as, persona):
    agreement = in_force(world)
    response = api_as(world.user(persona)).post(DISPUTES, _dispute_payload(agreement))
    if persona in {"supported_exec", "supported_pm"}:
        assert response.status_code == 201
        assert response.json()["mediator_organisation"]["ods_code"] == "X24"
    elif persona == "outsider":
        assert response.status_code == 400
    else:
        assert response.status_code == 403


def test_dispute_patch_transition_filters_and_404(world, api_as):
    agreement = in_force(world)
    client = api_as(world.supported_pm)
    dispute = client.post(DISPUTES, _dispute_payload(agreement)).json()
    url = f"{DISPUTES}{dispute['id']}/"
    assert client.patch(url, {"title": "Renamed"}).json()["title"] == "Renamed"
    assert client.patch(url, {"status": "resolved"}).json()["status"] == "open"  # ignored
    assert api_as(world.regulator).patch(url, {"title": "X"}).status_code == 403
    assert api_as(world.outsider).get(url).status_code == 404
    client = api_as(world.supported_pm)  # the one client, signed in again
    moved = client.post(f"{url}transition/", {"to": "in_mediation"})
    assert moved.json()["status"] == "in_mediation"
    bad = client.post(f"{url}transition/", {"to": "resolved"})
    assert bad.status_code == 400 and "resolution" in bad.json()
    done = client.post(f"{url}transition/", {"to": "resolved", "resolution": "Agreed."})
    assert done.json()["status"] == "resolved"
    assert client.post(f"{url}transition/", {"to": "in_mediation"}).status_code == 409
    reader = api_as(world.regulator)
    assert reader.get(DISPUTES, {"status": "resolved"}).json()["count"] == 1
    assert reader.get(DISPUTES, {"partnership": str(world.partnership.pk)}).json()["count"] == 1
    assert reader.get(DISPUTES, {"status": "open"}).json()["count"] == 0
