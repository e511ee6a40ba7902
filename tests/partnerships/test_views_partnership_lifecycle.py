"""Approving a partnership and moving it along its lifecycle from the browser."""

import html
import re

import pytest
from django.urls import reverse

from partnerships import services
from partnerships.choices import PartnershipStatus
from partnerships.models import Approval

pytestmark = pytest.mark.django_db


def _errors(response) -> str:
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    match = re.search(r'class="nhsuk-error-summary".*?</div>\s*</div>', page, re.S)
    assert match, "no error summary"
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))))


def _set_status(partnership, status: str) -> None:
    partnership.status = status
    partnership.save()


# --- Approve ------------------------------------------------------------------------------------


def test_approval_by_both_executives_agrees_the_partnership(world, as_user):
    url = reverse("partnerships:approve", args=[world.partnership.pk])

    client = as_user(world.buddy_exec)
    response = client.post(url)
    assert response.status_code == 302
    world.partnership.refresh_from_db()
    assert world.partnership.status == PartnershipStatus.PROPOSED
    page = client.get(response["Location"]).content.decode()
    assert "Approval recorded." in page
    assert f"Approved by {world.buddy_exec.get_full_name()}" in page
    assert "Waiting for an executive to approve" in page

    client = as_user(world.supported_exec)
    response = client.post(url)
    assert response.status_code == 302
    world.partnership.refresh_from_db()
    assert world.partnership.status == PartnershipStatus.AGREED
    page = client.get(response["Location"]).content.decode()
    assert "Approval recorded. The partnership is now agreed." in page
    history = client.get(reverse("partnerships:history", args=[world.partnership.pk]))
    assert "Status: Proposed → Agreed" in history.content.decode()


def test_approving_twice_shows_the_message_on_the_page(world, as_user):
    url = reverse("partnerships:approve", args=[world.partnership.pk])
    client = as_user(world.buddy_exec)
    client.post(url)
    response = client.post(url)
    assert "Your organisation has already approved this partnership." in _errors(response)
    assert Approval.objects.filter(partnership=world.partnership).count() == 1


def test_approving_a_partnership_that_is_not_proposed_shows_the_message(world, as_user):
    _set_status(world.partnership, PartnershipStatus.ACTIVE)
    response = as_user(world.supported_exec).post(
        reverse("partnerships:approve", args=[world.partnership.pk])
    )
    assert "Only a proposed partnership can be approved; this one is active." in _errors(response)
    assert not Approval.objects.exists()


# --- Change status ------------------------------------------------------------------------------


def test_status_page_offers_only_the_allowed_moves(world, as_user):
    _set_status(world.partnership, PartnershipStatus.AGREED)
    page = (
        as_user(world.buddy_pm)
        .get(reverse("partnerships:transition", args=[world.partnership.pk]))
        .content.decode()
    )
    offered = set(re.findall(r'name="to" type="radio" value="(\w+)"', page))
    assert offered == {"active", "closed"}


def test_an_agreed_partnership_can_become_active(world, as_user):
    _set_status(world.partnership, PartnershipStatus.AGREED)
    client = as_user(world.supported_pm)
    response = client.post(
        reverse("partnerships:transition", args=[world.partnership.pk]), {"to": "active"}
    )
    assert response.status_code == 302
    world.partnership.refresh_from_db()
    assert world.partnership.status == PartnershipStatus.ACTIVE
    assert "Status changed to active." in client.get(response["Location"]).content.decode()


def test_an_illegal_move_shows_the_message_naming_the_allowed_ones(world, as_user):
    response = as_user(world.buddy_pm).post(
        reverse("partnerships:transition", args=[world.partnership.pk]), {"to": "active"}
    )
    assert "A proposed partnership cannot become active. It can become agreed or closed." in (
        _errors(response)
    )
    assert 'href="#id_to"' in response.content.decode()
    world.partnership.refresh_from_db()
    assert world.partnership.status == PartnershipStatus.PROPOSED


def test_agreeing_without_both_approvals_names_who_is_missing(world, as_user):
    response = as_user(world.buddy_exec).post(
        reverse("partnerships:transition", args=[world.partnership.pk]), {"to": "agreed"}
    )
    assert (
        "needs an executive approval from Royal Free London NHS Foundation Trust and "
        "Basildon and Thurrock University Hospitals NHS Foundation Trust"
    ) in _errors(response)


def test_closing_needs_an_outcome_and_a_reason(world, as_user):
    _set_status(world.partnership, PartnershipStatus.ACTIVE)
    response = as_user(world.buddy_pm).post(
        reverse("partnerships:transition", args=[world.partnership.pk]),
        {"to": "closed", "reason": "   "},
    )
    summary = _errors(response)
    assert "Choose whether the partnership was completed or terminated early." in summary
    assert "Enter the reason the partnership is closing." in summary
    world.partnership.refresh_from_db()
    assert world.partnership.status == PartnershipStatus.ACTIVE


def test_a_proposal_cannot_be_closed_as_completed(world, as_user):
    response = as_user(world.buddy_pm).post(
        reverse("partnerships:transition", args=[world.partnership.pk]),
        {"to": "closed", "outcome": "completed", "reason": "Done"},
    )
    assert "Only an active partnership can be completed" in _errors(response)


def test_closing_with_an_outcome_and_reason_closes_and_shows_them(world, as_user):
    _set_status(world.partnership, PartnershipStatus.ACTIVE)
    client = as_user(world.supported_exec)
    response = client.post(
        reverse("partnerships:transition", args=[world.partnership.pk]),
        {"to": "closed", "outcome": "completed", "reason": "All objectives met."},
    )
    assert response.status_code == 302
    world.partnership.refresh_from_db()
    assert world.partnership.status == PartnershipStatus.CLOSED
    assert world.partnership.closure_reason == "All objectives met."
    page = client.get(response["Location"]).content.decode()
    assert "Status changed to closed." in page
    assert "All objectives met." in page
    # A closed partnership offers no more changes.
    assert reverse("partnerships:update", args=[world.partnership.pk]) not in page
    assert reverse("partnerships:transition", args=[world.partnership.pk]) not in page


def test_a_closed_partnership_cannot_change_status(world, as_user):
    world.partnership.status = PartnershipStatus.CLOSED
    world.partnership.closure_outcome = "terminated_early"
    world.partnership.closure_reason = "Merged"
    world.partnership.save()
    client = as_user(world.buddy_pm)
    url = reverse("partnerships:transition", args=[world.partnership.pk])
    assert "A closed partnership cannot change status." in client.get(url).content.decode()
    response = client.post(url, {"to": "active"})
    assert "A closed partnership cannot change status." in _errors(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select the new status"),
        ({"to": "cancelled"}, "Select the new status"),
        (
            {"to": "closed", "outcome": "abandoned", "reason": "x"},
            "Choose whether the partnership was completed or terminated early.",
        ),
        ({"to": "closed", "outcome": "terminated_early", "reason": "x" * 5001}, "5,000"),
    ],
)
def test_status_form_with_bad_input_changes_nothing(world, as_user, data, message):
    response = as_user(world.buddy_exec).post(
        reverse("partnerships:transition", args=[world.partnership.pk]), data
    )
    assert message in _errors(response)
    world.partnership.refresh_from_db()
    assert world.partnership.status == PartnershipStatus.PROPOSED


def test_closing_keeps_what_was_typed_when_refused(world, as_user):
    response = as_user(world.buddy_pm).post(
        reverse("partnerships:transition", args=[world.partnership.pk]),
        {"to": "closed", "reason": "The trusts merged."},
    )
    page = response.content.decode()
    assert "The trusts merged." in page
    assert re.search(r'value="closed"[^>]*checked', page)


def test_changing_the_terms_of_a_proposal_withdraws_earlier_approvals(world):
    services.partnership_approve(partnership=world.partnership, by=world.buddy_exec)
    assert world.partnership.approvals.count() == 1

    services.partnership_update(
        partnership=world.partnership, by=world.supported_pm, remuneration_gbp=500000
    )

    assert world.partnership.approvals.count() == 0
    services.partnership_approve(partnership=world.partnership, by=world.supported_exec)
    world.partnership.refresh_from_db()
    assert world.partnership.status == "proposed"  # the buddy must approve the new terms


def test_saving_a_proposal_unchanged_keeps_its_approvals(world):
    services.partnership_approve(partnership=world.partnership, by=world.buddy_exec)
    services.partnership_update(
        partnership=world.partnership, by=world.supported_pm, title=world.partnership.title
    )
    assert world.partnership.approvals.count() == 1


def test_the_edit_page_warns_that_changes_withdraw_approvals(world, as_user):
    url = reverse("partnerships:update", args=[world.partnership.pk])
    client = as_user(world.supported_pm)
    assert "approvals given so far are withdrawn" not in client.get(url).content.decode()
    services.partnership_approve(partnership=world.partnership, by=world.buddy_exec)
    assert "approvals given so far are withdrawn" in client.get(url).content.decode()


def test_approvals_and_their_withdrawal_are_in_the_history(world, as_user):
    services.partnership_approve(partnership=world.partnership, by=world.buddy_exec)
    services.partnership_update(
        partnership=world.partnership, by=world.supported_pm, remuneration_gbp=500000
    )
    page = as_user(world.buddy_viewer).get(
        reverse("partnerships:history", args=[world.partnership.pk])
    )
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.content.decode()))
    text = " ".join(text.split())
    assert "Created: Approval for Royal Free London NHS Foundation Trust" in text
    assert "Deleted: Approval for Royal Free London NHS Foundation Trust" in text
