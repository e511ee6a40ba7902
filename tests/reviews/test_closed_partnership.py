"""A closed partnership: its final review stays due and can still be written, submitted and
signed off by both executives, and learning can still be recorded; everything else of the
partnership becomes read only (409)."""

import datetime as dt

import pytest
from django.urls import reverse

from buddying.common.errors import StateConflict
from partnerships import services as partnership_services
from partnerships.models import Objective
from partnerships.reviews.models import OutcomeReview
from tests.agreements import helpers as agreement_helpers
from tests.risks.factories import RiskFactory
from tests.secondments.factories import record as record_secondment

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(world, active):
    objective = Objective.objects.create(
        partnership=active, title="Four-hour performance", baseline="61%", target="78%"
    )
    risk = RiskFactory(partnership=active, owner=world.buddy_pm)
    partnership_services.partnership_transition(
        partnership=active,
        to="closed",
        by=world.buddy_exec,
        outcome="completed",
        reason="The supported trust left the Recovery Support Programme.",
        actual_end=dt.date(2026, 11, 10),
    )
    active.refresh_from_db()
    return active, objective, risk


def test_the_final_review_stays_due_and_can_be_written_and_signed_off(
    world, closed, api_as, as_user
):
    partnership, objective, _ = closed
    final = OutcomeReview.objects.get(partnership=partnership, kind="final")
    assert (final.status, final.period_end, final.due_date) == (
        "scheduled",
        dt.date(2026, 11, 10),
        dt.date(2026, 11, 24),
    )
    page = as_user(world.buddy_pm).get(
        reverse("partnerships:section", args=[partnership.pk, "reviews"])
    )
    assert page.status_code == 200
    assert "Due soon" in page.content.decode()

    url = f"/api/v1/reviews/{final.pk}/"
    written = api_as(world.buddy_pm).patch(
        url,
        {
            "overall_rag": "green",
            "assessments": [{"objective": str(objective.pk), "rag": "green"}],
        },
        format="json",
    )
    assert written.status_code == 200, written.json()
    assert api_as(world.supported_pm).post(f"{url}submit/").status_code == 200
    assert api_as(world.buddy_exec).post(f"{url}sign-off/").status_code == 200
    signed = api_as(world.supported_exec).post(f"{url}sign-off/")
    assert signed.status_code == 200
    assert signed.json()["status"] == "signed_off"
    # Signed off, it is read only like any other.
    assert (
        api_as(world.buddy_pm).patch(url, {"benefits_buddy": "x"}, format="json").status_code == 409
    )


def test_learning_can_still_be_recorded(world, closed, api_as):
    partnership, _, _ = closed
    response = api_as(world.supported_pm).post(
        "/api/v1/learning/",
        {
            "partnership": str(partnership.pk),
            "title": "What we would do again",
            "description": "Agree the exit plan in the first month.",
            "direction": "mutual",
            "theme": "governance",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_everything_else_is_read_only(world, closed, api_as):
    partnership, _, risk = closed
    client = api_as(world.buddy_pm)
    assert (
        client.patch(
            f"/api/v1/partnerships/{partnership.pk}/", {"title": "Renamed"}, format="json"
        ).status_code
        == 409
    )
    commitment = {
        "partnership": str(partnership.pk),
        "organisation": world.buddy.ods_code,
        "category": "executive_time",
        "description": "Chief executive mentoring",
        "unit": "hours",
        "planned_quantity": "48",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "owner": "Dr Asha Patel, Chief executive",
    }
    assert client.post("/api/v1/commitments/", commitment, format="json").status_code == 409
    assert (
        client.patch(f"/api/v1/risks/{risk.pk}/", {"title": "Renamed"}, format="json").status_code
        == 409
    )
    with pytest.raises(StateConflict):
        record_secondment(world)
    with pytest.raises(StateConflict):
        agreement_helpers.draft(world, lines=[])
