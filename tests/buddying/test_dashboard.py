"""The dashboard: what needs the person's attention, and only what they may see."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.conftest import PERSONAS, READERS
from tests.factories import PartnershipFactory
from tests.risks.factories import RiskAppetiteFactory, RiskFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 10, 1)


def _behind_and_outside(world, n: int = 1):
    """``n`` commitments well behind plan and ``n`` risks above the buddy's tolerance."""
    world.partnership.status = "active"
    world.partnership.save()
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", tolerance=4)
    for i in range(n):
        commitment = CommitmentFactory(
            partnership=world.partnership,
            organisation=world.buddy,
            description=f"Behind {i}",
            planned_quantity=Decimal("100"),
            start_date=dt.date(2026, 4, 1),
            end_date=dt.date(2027, 3, 31),
        )
        DeliveryFactory(commitment=commitment, date=dt.date(2026, 5, 1), quantity=Decimal("1"))
        RiskFactory(
            partnership=world.partnership,
            title=f"Outside {i}",
            category="strategic",
            next_review_date=dt.date(2027, 1, 1),
        )


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "regulator"])
def test_dashboard_shows_commitments_behind_and_risks_outside_appetite_to_members_only(
    world, as_user, persona
):
    _behind_and_outside(world)

    response = as_user(world.user(persona)).get(reverse("dashboard"))

    assert response.status_code == 200
    page = response.content.decode()
    shown = persona in READERS
    assert ("Commitments behind plan" in page) is shown
    assert ("Behind 0" in page) is shown
    # Only the buddy set an appetite, so only its people see the risk as outside theirs, named.
    outside_theirs = persona.startswith("buddy_")
    assert ("Risks outside your organisation&#39;s appetite" in page) is outside_theirs
    assert ("Outside 0" in page) is outside_theirs
    if shown:  # 1 delivered of about 50 expected, rounded as a board reads it
        assert "1 hour of 50 hours" in page


@time_machine.travel(TODAY, tick=False)
def test_the_risks_outside_appetite_say_whose_appetite(world, as_user):
    _behind_and_outside(world)
    page = as_user(world.buddy_exec).get(reverse("dashboard")).content.decode()
    assert "Outside the appetite of" in page
    assert "Royal Free London NHS Foundation Trust" in page


@time_machine.travel(TODAY, tick=False)
def test_needs_your_attention_counts_each_kind_and_links_to_its_list(world, as_user):
    from tests.risks.factories import RiskActionFactory

    _behind_and_outside(world, n=2)
    for _ in range(2):
        RiskFactory(partnership=world.partnership, next_review_date=dt.date(2026, 9, 30))
    risk = RiskFactory(partnership=world.partnership, next_review_date=dt.date(2026, 9, 1))
    RiskActionFactory(risk=risk, due_date=dt.date(2026, 9, 1))
    RiskActionFactory(risk=risk, due_date=dt.date(2026, 9, 2))
    RiskActionFactory(risk=risk, due_date=dt.date(2026, 12, 1))  # not due yet

    page = as_user(world.buddy_pm).get(reverse("dashboard")).content.decode()
    flat = " ".join(page.split())

    assert "Needs your attention" in page
    assert '<a href="#behind"><span class="app-count">2</span>commitments behind plan</a>' in flat
    assert '<span class="app-count">3</span>risks overdue for review' in flat
    assert '<span class="app-count">2</span>risk actions overdue' in flat
    assert 'id="risk-actions"' in page and 'id="risk-reviews"' in page
    # The programme manager's deliveries to log: both commitments had nothing for months.
    assert '<span class="app-count">2</span>commitments with no delivery logged for 30 days' in flat
    assert "Log a delivery" in page


@time_machine.travel(TODAY, tick=False)
def test_an_executive_sees_approvals_signatures_and_sign_offs_waiting(world, as_user):
    page = as_user(world.buddy_exec).get(reverse("dashboard")).content.decode()
    flat = " ".join(page.split())
    assert '<span class="app-count">1</span>partnership waiting for your approval' in flat
    assert "Waiting for your approval (1)" in page


@time_machine.travel(TODAY, tick=False)
def test_nothing_waiting_says_so(world, as_user):
    from partnerships import services

    services.partnership_approve(partnership=world.partnership, by=world.buddy_exec)
    page = as_user(world.buddy_exec).get(reverse("dashboard")).content.decode()
    assert "Nothing needs your attention today." in page


@time_machine.travel(TODAY, tick=False)
def test_commitments_on_track_and_risks_within_appetite_are_not_listed(world, as_user):
    world.partnership.status = "active"
    world.partnership.save()
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", tolerance=20)
    RiskFactory(
        partnership=world.partnership,
        title="Within appetite",
        category="strategic",
        next_review_date=dt.date(2027, 1, 1),
    )
    CommitmentFactory(partnership=world.partnership, organisation=world.buddy, start_date=TODAY)

    page = as_user(world.buddy_exec).get(reverse("dashboard")).content.decode()

    assert "Commitments behind plan" not in page
    assert "Within appetite" not in page


def test_dashboard_signed_out_redirects_to_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _overdue_actions(world, n: int):
    """``n`` overdue risk actions, each on its own risk in its own partnership."""
    from tests.risks.factories import RiskActionFactory

    for _ in range(n):
        partnership = PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
        RiskActionFactory(risk=RiskFactory(partnership=partnership), due_date=dt.date(2026, 9, 1))


@time_machine.travel(TODAY, tick=False)
def test_dashboard_runs_a_fixed_number_of_queries(world, as_user, django_assert_num_queries):
    client = as_user(world.buddy_exec)
    _behind_and_outside(world, n=1)
    _overdue_actions(world, 1)
    PartnershipFactory(buddy=world.buddy, supported=world.unrelated)  # awaiting approval
    client.get(reverse("dashboard"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("dashboard")).content.decode()
    assert "Risk actions overdue (1)" in page
    for _ in range(8):
        PartnershipFactory(buddy=world.buddy, supported=world.unrelated)
    _behind_and_outside(world, n=8)
    _overdue_actions(world, 8)
    with django_assert_num_queries(len(few)):
        page = client.get(reverse("dashboard")).content.decode()
    assert "Risk actions overdue (9)" in page


@time_machine.travel(TODAY, tick=False)
def test_the_overdue_actions_name_their_risk_and_its_partnership(world, as_user):
    from tests.risks.factories import RiskActionFactory

    risk = RiskFactory(partnership=world.partnership, next_review_date=dt.date(2027, 1, 1))
    RiskActionFactory(risk=risk, description="Recruit two midwives", due_date=dt.date(2026, 9, 1))

    page = as_user(world.buddy_pm).get(reverse("dashboard")).content.decode()

    link = (
        f'<a href="{reverse("risks:detail", args=[risk.pk])}">'
        f"{world.partnership.reference} {risk.reference}</a>"
    )
    assert link in page
    assert "Recruit two midwives" in page


@time_machine.travel(TODAY, tick=False)
def test_executives_see_agreements_to_sign_and_reviews_to_sign_off_until_theirs_is_done(
    world, as_user
):
    from partnerships.reviews.choices import ReviewStatus
    from risks.agreements import services as agreement_services
    from tests.agreements.helpers import awaiting
    from tests.reviews.factories import ReviewFactory

    agreement = awaiting(world)
    ReviewFactory(partnership=world.partnership, status=ReviewStatus.SUBMITTED)

    def page(persona):
        return as_user(world.user(persona)).get(reverse("dashboard")).content.decode()

    for persona in ("buddy_exec", "supported_exec"):
        assert "Agreements to sign (1)" in page(persona)
        assert "Reviews to sign off (1)" in page(persona)
        assert reverse("agreements:sign", args=[agreement.pk]) in page(persona)
    for persona in ("buddy_pm", "buddy_viewer", "regulator"):
        assert "Agreements to sign" not in page(persona)
        assert "Reviews to sign off" not in page(persona)

    agreement_services.agreement_sign(agreement=agreement, by=world.buddy_exec)
    assert "Agreements to sign" not in page("buddy_exec")
    assert "Agreements to sign (1)" in page("supported_exec")


def test_someone_who_is_nobodys_executive_is_asked_nothing_to_approve_or_sign(
    world, django_assert_num_queries
):
    from buddying.dashboard import selectors
    from partnerships import access
    from partnerships import selectors as partnership_selectors

    assert list(partnership_selectors.partnerships_awaiting_approval_by(world.buddy_exec))
    access.memberships_of(world.buddy_pm)  # read once per request
    with django_assert_num_queries(0):
        assert not list(partnership_selectors.partnerships_awaiting_approval_by(world.buddy_pm))
        assert not list(selectors.agreements_awaiting_signature_by(world.buddy_pm))
        assert not list(selectors.reviews_awaiting_sign_off_by(world.buddy_pm))


@time_machine.travel(TODAY, tick=False)
def test_the_home_lists_the_first_ten_partnerships_and_links_to_them_all(world, as_user):
    client = as_user(world.buddy_pm)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Your partnerships</caption>" in page
    assert "All your partnerships</a>" not in page

    others = [PartnershipFactory(buddy=world.buddy, supported=world.unrelated) for _ in range(10)]
    page = client.get(reverse("dashboard")).content.decode()

    assert "Your first 10 partnerships</caption>" in page
    assert f'<a href="{reverse("partnerships:list")}">All your partnerships</a>' in page
    shown = [p for p in [world.partnership, *others] if f">{p.reference}</a>" in page]
    assert len(shown) == 10
