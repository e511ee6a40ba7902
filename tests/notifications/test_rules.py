"""Each rule on crafted data under a frozen clock: due, not yet due, overdue, done; and who is
told (the parties concerned, through the access policy; never an unrelated organisation, a
viewer, or a regulator)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerships.choices import ClosureOutcome, PartnershipStatus, Role
from partnerships.commitments import reminders as commitment_rules
from partnerships.reviews import reminders as review_rules
from partnerships.reviews.choices import ReviewStatus
from risks import reminders as risk_rules
from risks.choices import ActionStatus, RiskStatus
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.factories import MembershipFactory, UserFactory
from tests.notifications.conftest import TODAY, told
from tests.reviews.factories import ReviewFactory
from tests.risks.factories import RiskActionFactory, RiskFactory

pytestmark = pytest.mark.usefixtures("frozen")

PRINCIPALS = {"buddy_exec", "buddy_pm", "supported_exec", "supported_pm"}
BUDDY_WRITERS = {"buddy_exec", "buddy_pm"}


def _close(partnership):
    partnership.status = PartnershipStatus.CLOSED
    partnership.closure_outcome = ClosureOutcome.COMPLETED
    partnership.closure_reason = "Done"
    partnership.save()


def today():
    return timezone.localdate()


def test_the_clock_is_frozen_on_the_day_the_tests_describe():
    assert today() == TODAY


# --- Reviews -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_ahead", "due"),
    [(-1, False), (0, True), (7, True), (14, True), (15, False)],
    ids=["yesterday", "today", "in-a-week", "in-14-days", "in-15-days"],
)
def test_review_due_soon_covers_the_next_14_days(world, days_ahead, due):
    review = ReviewFactory(
        partnership=world.partnership, due_date=TODAY + dt.timedelta(days=days_ahead)
    )
    found = review_rules.review_due_soon(today())
    assert bool(told(found, review)) is due


def test_review_due_soon_leaves_out_a_review_already_submitted_or_signed_off(world):
    for status in (ReviewStatus.SUBMITTED, ReviewStatus.SIGNED_OFF):
        ReviewFactory(partnership=world.partnership, due_date=TODAY, status=status)
    assert review_rules.review_due_soon(today()) == []


def test_review_due_soon_tells_the_principal_parties_programme_managers_and_executives(world):
    review = ReviewFactory(partnership=world.partnership, due_date=TODAY + dt.timedelta(days=3))
    [due] = review_rules.review_due_soon(today())
    assert told([due], review) == PRINCIPALS
    assert due.due_date == review.due_date
    assert due.url == f"/reviews/{review.pk}/"
    assert "due on 24 July 2026" in due.text


def test_review_overdue_until_signed_off(world):
    late = ReviewFactory(partnership=world.partnership, due_date=TODAY - dt.timedelta(days=1))
    submitted = ReviewFactory(
        partnership=world.partnership,
        due_date=TODAY - dt.timedelta(days=30),
        status=ReviewStatus.SUBMITTED,
    )
    ReviewFactory(
        partnership=world.partnership,
        due_date=TODAY - dt.timedelta(days=30),
        status=ReviewStatus.SIGNED_OFF,
    )
    ReviewFactory(partnership=world.partnership, due_date=TODAY)  # due today: not yet overdue

    found = review_rules.review_overdue(today())

    assert {due.item_id for due in found} == {late.pk, submitted.pk}
    assert told(found, late) == PRINCIPALS


def test_a_closed_partnerships_final_review_is_still_reminded_of(world):
    _close(world.partnership)
    review = ReviewFactory(partnership=world.partnership, due_date=TODAY - dt.timedelta(days=2))
    assert told(review_rules.review_overdue(today()), review) == PRINCIPALS


# --- Risks ---------------------------------------------------------------------------------------


def test_risk_review_overdue_tells_the_owner_and_the_owning_organisations_writers(world):
    owner = UserFactory(username="risk_owner")
    MembershipFactory(user=owner, organisation=world.buddy, role=Role.VIEWER)
    overdue = RiskFactory(
        partnership=world.partnership,
        owner_organisation=world.buddy,
        owner=owner,
        next_review_date=TODAY - dt.timedelta(days=1),
    )
    RiskFactory(partnership=world.partnership, owner=owner, next_review_date=TODAY)
    RiskFactory(
        partnership=world.partnership,
        owner=owner,
        next_review_date=TODAY - dt.timedelta(days=9),
        status=RiskStatus.CLOSED,
        closing_reason="Gone",
    )

    found = risk_rules.risk_review_overdue(today())

    assert [due.item_id for due in found] == [overdue.pk]
    assert told(found, overdue) == BUDDY_WRITERS | {"risk_owner"}
    assert found[0].due_date == overdue.next_review_date


def test_an_owner_who_has_left_every_party_is_not_told(world):
    leaver = UserFactory(username="leaver")
    MembershipFactory(user=leaver, organisation=world.unrelated, role=Role.EXECUTIVE)
    risk = RiskFactory(
        partnership=world.partnership, owner=leaver, next_review_date=TODAY - dt.timedelta(days=1)
    )
    assert told(risk_rules.risk_review_overdue(today()), risk) == BUDDY_WRITERS


def test_risks_of_a_closed_partnership_are_not_reminded_of(world):
    RiskFactory(
        partnership=world.partnership,
        owner=world.buddy_pm,
        next_review_date=TODAY - dt.timedelta(days=1),
    )
    _close(world.partnership)
    assert risk_rules.risk_review_overdue(today()) == []


def test_risk_action_overdue_until_done(world):
    risk = RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    late = RiskActionFactory(
        risk=risk, owner=world.supported_pm, due_date=TODAY - dt.timedelta(days=1)
    )
    RiskActionFactory(risk=risk, owner=world.supported_pm, due_date=TODAY)
    RiskActionFactory(
        risk=risk,
        owner=world.supported_pm,
        due_date=TODAY - dt.timedelta(days=5),
        status=ActionStatus.DONE,
    )

    found = risk_rules.risk_action_overdue(today())

    assert [due.item_id for due in found] == [late.pk]
    assert told(found, late) == BUDDY_WRITERS | {"supported_pm"}
    assert found[0].url == f"/risks/{risk.pk}/"
    assert found[0].partnership_id == world.partnership.pk


# --- Commitments ---------------------------------------------------------------------------------


def _commitment(world, **kwargs):
    # 100 hours over 100 days from 1 May: by 21 July (81 days gone) 81 hours are expected.
    defaults = {
        "partnership": world.partnership,
        "organisation": world.buddy,
        "planned_quantity": Decimal(100),
        "start_date": dt.date(2026, 5, 1),
        "end_date": dt.date(2026, 8, 8),
    }
    return CommitmentFactory(**(defaults | kwargs))


@pytest.mark.parametrize(
    ("delivered", "behind"),
    [("64.70", True), ("64.80", False), ("81", False)],
    ids=["below-80%", "exactly-80%", "on-plan"],
)
def test_commitment_under_delivering_below_80_percent_of_expected(world, delivered, behind):
    commitment = _commitment(world)
    DeliveryFactory(commitment=commitment, date=TODAY, quantity=Decimal(delivered))

    found = commitment_rules.commitment_under_delivering(today())

    assert bool(told(found, commitment)) is behind


def test_commitment_under_delivering_tells_the_committing_organisations_writers_weekly(world):
    commitment = _commitment(world)
    [due] = commitment_rules.commitment_under_delivering(today())
    assert told([due], commitment) == BUDDY_WRITERS
    assert due.due_date == dt.date(2026, 7, 20)  # the Monday: at most one a week
    assert "0.0% of what was expected" in due.text


def test_a_commitment_not_started_or_finished_is_not_under_delivering(world):
    _commitment(world, start_date=TODAY + dt.timedelta(days=1), end_date=dt.date(2026, 12, 1))
    _commitment(world, start_date=dt.date(2026, 1, 1), end_date=TODAY - dt.timedelta(days=1))
    assert commitment_rules.commitment_under_delivering(today()) == []


def test_commitment_with_no_delivery_for_14_days(world):
    quiet = _commitment(world)
    DeliveryFactory(commitment=quiet, date=TODAY - dt.timedelta(days=14), quantity=Decimal(90))
    busy = _commitment(world)
    DeliveryFactory(commitment=busy, date=TODAY - dt.timedelta(days=13), quantity=Decimal(90))
    never = _commitment(world, start_date=TODAY - dt.timedelta(days=20))
    young = _commitment(world, start_date=TODAY - dt.timedelta(days=13))

    found = {due.item_id: due for due in commitment_rules.commitment_no_recent_delivery(today())}

    assert set(found) == {quiet.pk, never.pk}
    assert busy.pk not in found and young.pk not in found
    assert found[quiet.pk].due_date == TODAY
    assert found[never.pk].due_date == TODAY - dt.timedelta(days=6)
    assert "nothing delivered since 7 July 2026" in found[quiet.pk].text
    assert told(found.values(), quiet) == BUDDY_WRITERS


def test_a_new_delivery_makes_a_later_silence_a_new_due_date(world):
    commitment = _commitment(world)
    DeliveryFactory(commitment=commitment, date=TODAY - dt.timedelta(days=20))
    [first] = commitment_rules.commitment_no_recent_delivery(today())
    DeliveryFactory(commitment=commitment, date=TODAY - dt.timedelta(days=15))
    [second] = commitment_rules.commitment_no_recent_delivery(today())
    assert second.due_date > first.due_date


# --- Every rule ----------------------------------------------------------------------------------


def _every_rule():
    from buddying.notifications import registry

    return registry.rules()


def test_every_app_contributes_its_rules_through_the_registry():
    names = {rule.name for rule in _every_rule()}
    assert {
        "review_due_soon",
        "review_overdue",
        "risk_review_overdue",
        "risk_action_overdue",
        "commitment_under_delivering",
        "commitment_no_recent_delivery",
        "secondment_ending",
        "agreement_awaiting_signature",
        "agreement_review_due",
    } <= names


def test_nobody_outside_the_parties_is_ever_told(world):
    """Whatever is due, an outsider, a regulator, a viewer and a person with no membership are
    never told."""
    risk = RiskFactory(
        partnership=world.partnership,
        owner=world.buddy_pm,
        next_review_date=TODAY - dt.timedelta(days=1),
    )
    RiskActionFactory(risk=risk, owner=world.buddy_pm, due_date=TODAY - dt.timedelta(days=1))
    ReviewFactory(partnership=world.partnership, due_date=TODAY + dt.timedelta(days=1))
    ReviewFactory(partnership=world.partnership, due_date=TODAY - dt.timedelta(days=1))
    _commitment(world)
    _commitment(world, organisation=world.supported)

    everyone = set()
    for rule in _every_rule():
        for due in rule.select(today()):
            everyone |= set(due.user_ids)

    never = {world.outsider.pk, world.regulator.pk, world.nobody.pk}
    never |= {world.buddy_viewer.pk, world.supported_viewer.pk}
    assert everyone and not everyone & never


@pytest.mark.django_db
def test_each_rule_runs_a_fixed_number_of_queries_whatever_is_due(world):
    def queries_per_rule():
        counts = {}
        for rule in _every_rule():
            with CaptureQueriesContext(connection) as captured:
                rule.select(today())
            counts[rule.name] = len(captured)
        return counts

    def add_due_things():
        risk = RiskFactory(
            partnership=world.partnership,
            owner=world.buddy_pm,
            next_review_date=TODAY - dt.timedelta(days=1),
        )
        RiskActionFactory(risk=risk, owner=world.buddy_pm, due_date=TODAY - dt.timedelta(days=1))
        ReviewFactory(partnership=world.partnership, due_date=TODAY + dt.timedelta(days=1))
        ReviewFactory(partnership=world.partnership, due_date=TODAY - dt.timedelta(days=1))
        _commitment(world)

    add_due_things()
    few = queries_per_rule()
    for _ in range(5):
        add_due_things()
    assert queries_per_rule() == few


# --- Secondments and agreements ------------------------------------------------------------------


@pytest.mark.parametrize(("days_left", "due"), [(-1, False), (0, True), (30, True), (31, False)])
def test_a_secondment_ending_within_30_days_tells_the_home_organisations_writers(
    world, days_left, due
):
    from partnerships.secondments import reminders as secondment_rules
    from tests.secondments.factories import SecondmentFactory

    secondment = SecondmentFactory(
        partnership=world.partnership,
        home_organisation=world.buddy,
        host_organisation=world.supported,
        start_date=TODAY - dt.timedelta(days=60),
        end_date=TODAY + dt.timedelta(days=days_left),
    )
    result = secondment_rules.secondment_ending(TODAY)
    assert told(result, secondment) == (BUDDY_WRITERS if due else set())


def test_an_agreement_awaiting_signatures_for_over_7_days_tells_the_executives(world):
    from risks.agreements import reminders as agreement_rules
    from risks.agreements.models import Agreement
    from tests.agreements.helpers import awaiting

    agreement = awaiting(world)
    for days, due in [(7, False), (8, True)]:
        Agreement.objects.filter(pk=agreement.pk).update(
            submitted_at=timezone.now() - dt.timedelta(days=days)
        )
        result = agreement_rules.agreement_awaiting_signature(TODAY)
        assert told(result, agreement) == ({"buddy_exec", "supported_exec"} if due else set())


def test_an_agreement_in_force_due_for_review_within_30_days(world):
    from risks.agreements import reminders as agreement_rules
    from tests.agreements.helpers import in_force

    agreement = in_force(world, review_date=TODAY + dt.timedelta(days=30))
    assert told(agreement_rules.agreement_review_due(TODAY), agreement) == PRINCIPALS
    agreement.review_date = TODAY + dt.timedelta(days=31)
    agreement.save()
    assert told(agreement_rules.agreement_review_due(TODAY), agreement) == set()


def test_an_agreement_awaiting_signatures_tells_only_the_parties_that_have_not_signed(world):
    """Once the buddy's executive has signed, only the supported party's executive is told;
    the buddy has nothing left to do."""
    from risks.agreements import reminders as agreement_rules
    from risks.agreements import services as agreement_services
    from risks.agreements.models import Agreement
    from tests.agreements.helpers import awaiting

    agreement = awaiting(world)
    agreement_services.agreement_sign(agreement=agreement, by=world.buddy_exec)
    Agreement.objects.filter(pk=agreement.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=8)
    )

    result = agreement_rules.agreement_awaiting_signature(TODAY)
    assert told(result, agreement) == {"supported_exec"}
    [due] = result
    assert due.text.startswith(f"Shared-risk agreement version {agreement.number} has waited")
    from django.urls import reverse

    assert due.url == reverse("agreements:detail", args=[agreement.pk])
