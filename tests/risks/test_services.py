"""Writes: who may change risks, actions and appetites, and the rules each change must keep."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from buddying.common.errors import StateConflict
from partnerships.choices import PartnershipStatus
from risks import services
from risks.models import Risk, RiskAction, RiskAppetite
from tests.conftest import EXECUTIVES, PERSONAS, WRITERS
from tests.factories import PartnershipFactory
from tests.risks.factories import RiskFactory
from tests.risks.helpers import make_risk, risk_fields

pytestmark = pytest.mark.django_db


def test_risks_get_references_in_order_within_their_partnership(world):
    first = make_risk(world)
    second = make_risk(world, title="Second")
    other = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
    elsewhere = services.risk_create(
        partnership=other, by=world.buddy_pm, **risk_fields(world, owner_organisation=world.buddy)
    )
    assert (first.reference, second.reference, elsewhere.reference) == ("R-001", "R-002", "R-001")


def test_created_risk_has_score_band_and_history_with_its_author(world):
    risk = make_risk(world, current_likelihood=5, current_consequence=4)
    assert (risk.current_score, risk.current_band) == (20, "extreme")
    record = risk.history.get()
    assert record.history_user == world.buddy_pm
    assert record.history_type == "+"


@time_machine.travel("2026-05-31 10:00 +0100", tick=False)
def test_first_review_falls_one_review_period_from_today_when_not_given(world):
    assert make_risk(world, review_frequency="quarterly").next_review_date == date(2026, 8, 31)
    assert make_risk(world, review_frequency="monthly").next_review_date == date(2026, 6, 30)
    given = make_risk(world, next_review_date=date(2026, 7, 1))
    assert given.next_review_date == date(2026, 7, 1)


@pytest.mark.parametrize("bad", [0, 6, -1, 25])
@pytest.mark.parametrize(
    "name",
    [
        "inherent_likelihood",
        "inherent_consequence",
        "current_likelihood",
        "current_consequence",
        "target_likelihood",
        "target_consequence",
    ],
)
def test_likelihood_and_consequence_outside_1_to_5_are_refused_with_a_message(world, name, bad):
    with pytest.raises(ValidationError) as caught:
        make_risk(world, **{name: bad})
    assert name in caught.value.message_dict
    assert "from 1 to 5" in caught.value.message_dict[name][0]
    assert not Risk.objects.exists()


def test_target_above_current_is_refused_with_a_message(world):
    with pytest.raises(ValidationError) as caught:
        make_risk(world, current_likelihood=2, current_consequence=2, target_likelihood=3)
    assert caught.value.message_dict["target_likelihood"] == [
        "The target score (9) cannot be above the current score (4). "
        "Lower the target likelihood or consequence."
    ]


def test_target_equal_to_current_is_accepted(world):
    risk = make_risk(
        world,
        current_likelihood=2,
        current_consequence=3,
        target_likelihood=3,
        target_consequence=2,
    )
    assert risk.target_score == risk.current_score == 6


def test_database_refuses_target_above_current_even_without_the_service(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactory(
            partnership=world.partnership,
            owner=world.buddy_pm,
            target_likelihood=5,
            target_consequence=5,
        )


def test_owner_organisation_must_be_a_party(world):
    with pytest.raises(ValidationError) as caught:
        make_risk(world, owner_organisation=world.unrelated)
    assert "owner_organisation" in caught.value.message_dict


def test_owner_must_belong_to_the_owner_organisation(world):
    with pytest.raises(ValidationError) as caught:
        make_risk(world, owner_organisation=world.supported, owner=world.buddy_pm)
    assert caught.value.message_dict["owner"] == [
        "The owner must be a member of the owner organisation."
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_programme_managers_and_executives_of_a_party_may_add_risks(world, persona):
    user = world.user(persona)
    if persona in WRITERS:
        assert make_risk(world, by=user).reference == "R-001"
    else:
        # Someone who cannot see the partnership is told it does not exist (404).
        with pytest.raises(Http404 if persona in {"outsider", "nobody"} else PermissionDenied):
            make_risk(world, by=user)


def test_risks_of_a_closed_partnership_cannot_change(world):
    risk = make_risk(world)
    world.partnership.status = PartnershipStatus.CLOSED
    world.partnership.closure_outcome = "terminated_early"
    world.partnership.closure_reason = "Support ended."
    world.partnership.save()
    risk.partnership.refresh_from_db()
    with pytest.raises(StateConflict):
        services.risk_update(risk=risk, by=world.buddy_pm, title="Changed")


@time_machine.travel("2026-06-15 10:00 +0100", tick=False)
def test_closing_a_risk_needs_a_reason_and_records_the_date(world):
    risk = make_risk(world)
    with pytest.raises(ValidationError) as caught:
        services.risk_update(risk=risk, by=world.supported_exec, status="closed")
    assert caught.value.message_dict["closing_reason"] == ["Enter why the risk is closed."]
    risk = Risk.objects.get(pk=risk.pk)
    services.risk_update(
        risk=risk, by=world.supported_exec, status="closed", closing_reason="Backfill in place."
    )
    risk.refresh_from_db()
    assert (risk.status, risk.closed_on) == ("closed", date(2026, 6, 15))
    assert risk.history.first().history_user == world.supported_exec
    services.risk_update(risk=risk, by=world.supported_exec, status="open")
    risk.refresh_from_db()
    assert (risk.closed_on, risk.closing_reason) == (None, "")


def test_update_returns_the_recomputed_score(world):
    risk = make_risk(world)
    risk = services.risk_update(
        risk=risk, by=world.buddy_pm, current_likelihood=5, current_consequence=5
    )
    assert (risk.current_score, risk.current_band) == (25, "extreme")


@time_machine.travel("2026-06-15 10:00 +0100", tick=False)
def test_marking_an_action_done_records_when(world):
    risk = make_risk(world)
    action = services.action_create(
        risk=risk,
        by=world.buddy_pm,
        description="Agree backfill",
        owner=world.supported_pm,
        due_date=date(2026, 6, 1),
        confirm=True,
    )
    action = services.action_update(action=action, by=world.supported_pm, status="done")
    assert action.completed_on == date(2026, 6, 15)
    assert action.history.first().history_user == world.supported_pm


def test_action_owner_must_belong_to_a_party(world):
    risk = make_risk(world)
    with pytest.raises(ValidationError) as caught:
        services.action_create(
            risk=risk,
            by=world.buddy_pm,
            description="x",
            owner=world.outsider,
            due_date=date(2026, 6, 1),
            confirm=True,
        )
    assert "owner" in caught.value.message_dict


@pytest.mark.parametrize("persona", ["buddy_viewer", "regulator", "outsider", "nobody"])
def test_people_who_cannot_manage_risks_cannot_add_actions(world, persona):
    risk = make_risk(world)
    with pytest.raises(Http404 if persona in {"outsider", "nobody"} else PermissionDenied):
        services.action_create(
            risk=risk,
            by=world.user(persona),
            description="x",
            owner=world.buddy_pm,
            due_date=date(2026, 6, 1),
            confirm=True,
        )


# --- Risk appetite -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_an_executive_of_the_organisation_sets_its_appetite(world, persona):
    user = world.user(persona)
    if persona == "buddy_exec":
        appetite, created = services.risk_appetite_set(
            organisation=world.buddy, category="financial", level="cautious", tolerance=8, by=user
        )
        assert created and appetite.tolerance == 8
    else:
        with pytest.raises(PermissionDenied):
            services.risk_appetite_set(
                organisation=world.buddy,
                category="financial",
                level="cautious",
                tolerance=8,
                by=user,
            )
        assert not RiskAppetite.objects.exists()


@pytest.mark.parametrize("persona", EXECUTIVES)
def test_an_executive_cannot_set_another_organisations_appetite(world, persona):
    other = world.supported if persona == "buddy_exec" else world.buddy
    with pytest.raises(PermissionDenied):
        services.risk_appetite_set(
            organisation=other,
            category="financial",
            level="open",
            tolerance=12,
            by=world.user(persona),
        )


def test_each_appetite_change_is_kept_with_who_and_when(world):
    first, created = services.risk_appetite_set(
        organisation=world.buddy,
        category="financial",
        level="cautious",
        tolerance=8,
        by=world.buddy_exec,
    )
    second, created_again = services.risk_appetite_set(
        organisation=world.buddy,
        category="financial",
        level="open",
        tolerance=12,
        by=world.buddy_exec,
    )
    assert created and not created_again and first.pk == second.pk
    assert RiskAppetite.objects.count() == 1
    history = list(second.history.order_by("history_date"))
    assert [(h.level, h.tolerance, h.history_user) for h in history] == [
        ("cautious", 8, world.buddy_exec),
        ("open", 12, world.buddy_exec),
    ]
    assert all(h.history_date for h in history)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"level": "cautious", "tolerance": 0}, "tolerance"),
        ({"level": "cautious", "tolerance": 26}, "tolerance"),
        ({"level": "reckless", "tolerance": 8}, "level"),
    ],
)
def test_bad_appetite_values_are_refused(world, fields, field):
    with pytest.raises(ValidationError) as caught:
        services.risk_appetite_set(
            organisation=world.buddy, category="financial", by=world.buddy_exec, **fields
        )
    assert field in caught.value.message_dict


def test_unknown_category_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        services.risk_appetite_set(
            organisation=world.buddy,
            category="made_up",
            level="open",
            tolerance=8,
            by=world.buddy_exec,
        )
    assert "category" in caught.value.message_dict


def test_setting_an_appetite_marks_the_parties_risks_of_that_category_changed(world):
    strategic = RiskFactory(partnership=world.partnership, category="strategic")
    financial = RiskFactory(partnership=world.partnership, category="financial")
    before = {r.pk: r.updated_at for r in Risk.objects.all()}

    services.risk_appetite_set(
        organisation=world.buddy,
        category="strategic",
        by=world.buddy_exec,
        level="cautious",
        tolerance=6,
    )

    assert Risk.objects.get(pk=strategic.pk).updated_at > before[strategic.pk]
    assert Risk.objects.get(pk=financial.pk).updated_at == before[financial.pk]


# --- Dates allowed but unlikely ----------------------------------------------------------------


@time_machine.travel("2026-06-15 10:00 +0100", tick=False)
def test_a_past_review_or_due_date_needs_confirming_and_a_far_one_is_refused(world):
    from buddying.common.errors import needs_confirmation

    with pytest.raises(ValidationError) as refused:
        make_risk(world, next_review_date=date(2026, 6, 1))
    assert needs_confirmation(refused.value)
    assert "in the past" in str(refused.value)
    risk = services.risk_create(
        partnership=world.partnership,
        by=world.buddy_pm,
        confirm=True,
        **risk_fields(world, next_review_date=date(2026, 6, 1)),
    )
    with pytest.raises(ValidationError) as too_far:
        services.risk_update(risk=risk, by=world.buddy_pm, next_review_date=date(2032, 1, 1))
    assert not needs_confirmation(too_far.value)
    assert "within five years" in str(too_far.value)
    with pytest.raises(ValidationError):
        services.action_create(
            risk=risk,
            by=world.buddy_pm,
            description="x",
            owner=world.buddy_pm,
            due_date=date(2026, 1, 1),
        )
    assert not RiskAction.objects.exists()
