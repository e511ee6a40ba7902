"""``partnerships/{id}/approve/`` and ``partnerships/{id}/transition/``: the lifecycle over the API.

proposed → agreed (both executives approve) → active → closed (with an outcome and a reason);
a proposal or an agreed partnership may also be closed early.
"""

import pytest
from django.utils import timezone

from partnerships.choices import PartnershipStatus
from partnerships.models import Approval, Partnership
from tests.conftest import EXECUTIVES, PERSONAS, READERS, WRITERS

CLOSE_EARLY = {"to": "closed", "outcome": "terminated_early", "reason": "Funding withdrawn."}
COMPLETE = {"to": "closed", "outcome": "completed", "reason": "Left special measures."}


def transition(partnership) -> str:
    return f"/api/v1/partnerships/{partnership.pk}/transition/"


def approve(partnership) -> str:
    return f"/api/v1/partnerships/{partnership.pk}/approve/"


def set_status(partnership, status: str) -> Partnership:
    fields = {"status": status}
    if status == PartnershipStatus.CLOSED:
        fields.update(closure_outcome="completed", closure_reason="Done.")
    Partnership.objects.filter(pk=partnership.pk).update(**fields)
    partnership.refresh_from_db()
    return partnership


def status_of(partnership) -> str:
    partnership.refresh_from_db()
    return partnership.status


# --- approvals -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_approvals_from_both_executives_agree_the_partnership(world, api_as):
    first = api_as(world.buddy_exec).post(approve(world.partnership))

    assert first.status_code == 200
    assert first.json()["status"] == "proposed"
    assert [a["organisation"] for a in first.json()["approvals"]] == ["RAL"]

    second = api_as(world.supported_exec).post(approve(world.partnership))

    assert second.status_code == 200
    assert second.json()["status"] == "agreed"
    assert {(a["organisation"], a["approved_by"]) for a in second.json()["approvals"]} == {
        ("RAL", "buddy_exec"),
        ("RDD", "supported_exec"),
    }
    assert world.partnership.history.first().history_user == world.supported_exec


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_approve(world, api_as, persona):
    response = api_as(world.user(persona)).post(approve(world.partnership))

    if persona in EXECUTIVES:
        assert response.status_code == 200
        assert Approval.objects.filter(approved_by=world.user(persona)).count() == 1
    else:
        assert response.status_code == (403 if persona in READERS else 404)
        assert not Approval.objects.exists()


@pytest.mark.django_db
def test_approving_twice_is_a_conflict(world, api_as):
    client = api_as(world.buddy_exec)
    client.post(approve(world.partnership))

    response = client.post(approve(world.partnership))

    assert response.status_code == 409
    assert response.json() == {"detail": "Your organisation has already approved this partnership."}
    assert Approval.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["agreed", "active", "closed"])
def test_only_a_proposal_can_be_approved(world, api_as, status):
    set_status(world.partnership, status)

    response = api_as(world.buddy_exec).post(approve(world.partnership))

    assert response.status_code == 409
    assert "Only a proposed partnership can be approved" in response.json()["detail"]


# --- who may change the status -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_change_the_status(world, api_as, persona):
    response = api_as(world.user(persona)).post(
        transition(world.partnership), CLOSE_EARLY, format="json"
    )

    if persona in WRITERS:
        assert response.status_code == 200
        assert status_of(world.partnership) == "closed"
    else:
        assert response.status_code == (403 if persona in READERS else 404)
        assert status_of(world.partnership) == "proposed"


def test_transition_and_approve_need_credentials(api_client, world):
    assert api_client.post(transition(world.partnership), CLOSE_EARLY).status_code == 401
    assert api_client.post(approve(world.partnership)).status_code == 401


@pytest.mark.django_db
def test_transition_of_an_id_that_is_not_a_uuid_is_404(world, api_as):
    response = api_as(world.buddy_pm).post(
        "/api/v1/partnerships/BP-2026-0001/transition/", CLOSE_EARLY, format="json"
    )

    assert response.status_code == 404


# --- allowed moves -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_agreed_becomes_active(world, api_as):
    set_status(world.partnership, "agreed")

    response = api_as(world.supported_pm).post(
        transition(world.partnership), {"to": "active"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "active"


@pytest.mark.django_db
def test_agreed_by_transition_once_both_have_approved(world, api_as):
    # Both approvals on record while it is still proposed: "agreed" is then allowed.
    Approval.objects.create(
        partnership=world.partnership, party=world.partnership.buddy, approved_by=world.buddy_exec
    )
    Approval.objects.create(
        partnership=world.partnership,
        party=world.partnership.supported,
        approved_by=world.supported_exec,
    )

    response = api_as(world.buddy_pm).post(
        transition(world.partnership), {"to": "agreed"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "agreed"


@pytest.mark.django_db
def test_an_active_partnership_is_completed_with_an_outcome_and_reason(world, api_as):
    set_status(world.partnership, "active")

    response = api_as(world.buddy_exec).post(transition(world.partnership), COMPLETE, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "closed"
    assert body["closure_outcome"] == "completed"
    assert body["closure_reason"] == "Left special measures."
    assert body["actual_end"] == timezone.localdate().isoformat()


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["proposed", "agreed", "active"])
def test_a_partnership_can_be_closed_early_from_any_open_status(world, api_as, status):
    set_status(world.partnership, status)

    response = api_as(world.buddy_pm).post(
        transition(world.partnership), {**CLOSE_EARLY, "actual_end": "2026-03-31"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["closure_outcome"] == "terminated_early"
    assert response.json()["actual_end"] == "2026-03-31"


# --- refused moves -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_agreed_without_both_approvals_is_a_conflict_naming_who_must_approve(world, api_as):
    response = api_as(world.buddy_pm).post(
        transition(world.partnership), {"to": "agreed"}, format="json"
    )

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "needs an executive approval from" in detail
    assert "Royal Free London NHS Foundation Trust" in detail
    assert status_of(world.partnership) == "proposed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "to", "message"),
    [
        (
            "proposed",
            "active",
            "A proposed partnership cannot become active. It can become agreed or closed.",
        ),
        (
            "proposed",
            "proposed",
            "A proposed partnership cannot become proposed. It can become agreed or closed.",
        ),
        (
            "agreed",
            "proposed",
            "An agreed partnership cannot become proposed. It can become active or closed.",
        ),
        ("active", "agreed", "An active partnership cannot become agreed. It can become closed."),
        (
            "active",
            "proposed",
            "An active partnership cannot become proposed. It can become closed.",
        ),
        ("closed", "active", "A closed partnership cannot change status."),
        ("closed", "closed", "A closed partnership cannot change status."),
    ],
)
def test_an_illegal_move_is_409_naming_the_allowed_ones(world, api_as, status, to, message):
    set_status(world.partnership, status)
    body = {"to": to, **({"outcome": "terminated_early", "reason": "x"} if to == "closed" else {})}

    response = api_as(world.buddy_exec).post(transition(world.partnership), body, format="json")

    assert response.status_code == 409
    assert message in response.json()["detail"]
    assert status_of(world.partnership) == status


@pytest.mark.django_db
def test_closing_without_an_outcome_or_reason_is_400_on_both_fields(world, api_as):
    set_status(world.partnership, "active")

    response = api_as(world.buddy_pm).post(
        transition(world.partnership), {"to": "closed", "reason": "  "}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"outcome", "reason"}
    assert status_of(world.partnership) == "active"


@pytest.mark.django_db
def test_only_an_active_partnership_can_be_completed(world, api_as):
    response = api_as(world.buddy_pm).post(transition(world.partnership), COMPLETE, format="json")

    assert response.status_code == 400
    assert "terminated early" in response.json()["outcome"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "to"),
        ({"to": "finished"}, "to"),
        ({"to": ["closed"]}, "to"),
        ({"to": "closed", "outcome": "abandoned", "reason": "x"}, "outcome"),
        ({"to": "closed", **CLOSE_EARLY, "actual_end": "last week"}, "actual_end"),
    ],
)
def test_a_bad_transition_request_is_400_with_field_errors(world, api_as, body, field):
    response = api_as(world.buddy_pm).post(transition(world.partnership), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["{not json", "[]", "null"])
def test_a_malformed_transition_body_is_400(world, api_as, body):
    response = api_as(world.buddy_pm).post(
        transition(world.partnership), body, content_type="application/json"
    )

    assert response.status_code == 400


@pytest.mark.django_db
def test_the_history_records_each_move_and_who_made_it(world, api_as):
    api_as(world.buddy_exec).post(approve(world.partnership))
    api_as(world.supported_exec).post(approve(world.partnership))
    api_as(world.buddy_pm).post(transition(world.partnership), {"to": "active"}, format="json")
    api_as(world.supported_pm).post(transition(world.partnership), COMPLETE, format="json")

    moves = [
        (record.status, record.history_user.username)
        for record in world.partnership.history.order_by("history_date", "history_id")
        if record.history_user
    ]
    assert moves == [
        ("agreed", "supported_exec"),
        ("active", "buddy_pm"),
        ("closed", "supported_pm"),
    ]
