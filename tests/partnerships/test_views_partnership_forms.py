"""The partnership forms: propose, edit, objectives and parties — good input, and bad input on each."""

import html
import re
from datetime import date

import pytest
from django.urls import reverse

from partnerships.choices import PartnershipStatus, PartyRole
from partnerships.models import Objective, Partnership, Party
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _proposal(world, **overrides) -> dict:
    data = {
        "buddy": world.buddy.pk,
        "supported": world.unrelated.pk,
        "title": "Birmingham theatres recovery",
        "kind": "buddying",
        "shared_intent": "Safer, sustainable theatre services.",
        "scope_areas": "Theatres\nAnaesthetics",
        "planned_start": "2026-04-01",
        "planned_end": "2027-03-31",
        "remuneration_gbp": "75000",
        "funding_source": "nhs_england",
        "consultancy_equivalent_gbp": "1200000",
        "buddy_sponsor_name": "Dr Asha Patel",
        "buddy_sponsor_job_title": "Chief executive",
        "buddy_deputy_name": "Ms Jo Reid",
        "buddy_deputy_job_title": "Chief operating officer",
        "supported_sponsor_name": "Mr Tom Hughes",
        "supported_sponsor_job_title": "Chief executive",
        "supported_deputy_name": "Dr Sam Okafor",
        "supported_deputy_job_title": "Medical director",
    }
    data.update(overrides)
    return data


def _errors(response) -> str:
    """The text of the error summary (fails if there is none)."""
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    match = re.search(r'class="nhsuk-error-summary".*?</div>\s*</div>', page, re.S)
    assert match, "no error summary"
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))))


# --- Propose ------------------------------------------------------------------------------------


def test_proposing_creates_the_partnership_its_parties_and_a_history_entry(world, as_user):
    client = as_user(world.buddy_pm)
    before = Partnership.objects.count()
    response = client.post(reverse("partnerships:create"), _proposal(world))
    assert Partnership.objects.count() == before + 1
    partnership = Partnership.objects.get(title="Birmingham theatres recovery")
    assert response.status_code == 302
    assert response["Location"] == reverse("partnerships:detail", args=[partnership.pk])
    assert re.fullmatch(rf"BP-{date.today().year}-\d{{4}}", partnership.reference)
    assert partnership.status == PartnershipStatus.PROPOSED
    assert partnership.remuneration_gbp == 75000
    buddy = partnership.parties.get(role=PartyRole.BUDDY)
    supported = partnership.parties.get(role=PartyRole.SUPPORTED)
    assert (buddy.organisation, buddy.sponsor_name, buddy.deputy_job_title) == (
        world.buddy,
        "Dr Asha Patel",
        "Chief operating officer",
    )
    assert (supported.organisation, supported.deputy_name) == (world.unrelated, "Dr Sam Okafor")

    page = client.get(response["Location"]).content.decode()
    assert f"Partnership {partnership.reference} proposed." in page
    assert "nhsuk-notification-banner" in page
    history = client.get(reverse("partnerships:history", args=[partnership.pk])).content.decode()
    assert "Created: Partnership" in history
    assert world.buddy_pm.get_full_name() in history
    assert "£1.2 million" in page and "£75,000" in page


def test_a_programme_manager_may_propose_with_their_organisation_as_supported(world, as_user):
    response = as_user(world.supported_pm).post(
        reverse("partnerships:create"),
        _proposal(world, buddy=world.unrelated.pk, supported=world.supported.pk),
    )
    assert response.status_code == 302


def test_proposing_needs_a_title_and_keeps_what_was_typed(world, as_user):
    before = Partnership.objects.count()
    response = as_user(world.buddy_pm).post(
        reverse("partnerships:create"), _proposal(world, title="")
    )
    assert "Enter a title" in _errors(response)
    assert Partnership.objects.count() == before
    page = response.content.decode()
    assert 'href="#id_title"' in page
    assert "Safer, sustainable theatre services." in page
    assert 'value="Dr Sam Okafor"' in page


def test_proposing_refuses_an_end_before_the_start(world, as_user):
    before = Partnership.objects.count()
    response = as_user(world.buddy_pm).post(
        reverse("partnerships:create"),
        _proposal(world, planned_start="2027-01-01", planned_end="2026-12-31"),
    )
    assert "The planned end must be on or after the planned start." in _errors(response)
    assert Partnership.objects.count() == before


def test_proposing_refuses_the_same_organisation_as_buddy_and_supported(world, as_user):
    before = Partnership.objects.count()
    response = as_user(world.buddy_pm).post(
        reverse("partnerships:create"), _proposal(world, supported=world.buddy.pk)
    )
    summary = _errors(response)
    assert "The supported organisation must be different from the buddy." in summary
    assert 'href="#id_supported"' in response.content.decode()
    assert Partnership.objects.count() == before


def test_a_programme_manager_cannot_propose_for_two_other_organisations(world, as_user):
    before = Partnership.objects.count()
    response = as_user(world.buddy_pm).post(
        reverse("partnerships:create"),
        _proposal(world, buddy=world.unrelated.pk, supported=world.supported.pk),
    )
    summary = _errors(response)
    assert "You can only propose a partnership that your own organisation is a party to." in (
        summary
    )
    assert 'href="#id_buddy"' in response.content.decode()
    assert Partnership.objects.count() == before
    assert not Party.objects.filter(organisation=world.unrelated).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("buddy", "", "Select the buddy organisation"),
        ("supported", "ZZZ", "Select a valid choice"),
        ("kind", "franchise", "Select a valid choice"),
        ("planned_start", "31/02/2026", "Enter a real date"),
        ("remuneration_gbp", "lots", "Enter an amount of money in pounds"),
        ("remuneration_gbp", "-5", "Enter an amount of £0 or more"),
        ("consultancy_equivalent_gbp", "1.234", "no more than 2 decimal places"),
        ("buddy_sponsor_name", "x" * 201, "200 characters or fewer"),
    ],
)
def test_proposing_with_bad_input_shows_the_problem_and_creates_nothing(
    world, as_user, field, value, message
):
    before = Partnership.objects.count()
    response = as_user(world.buddy_exec).post(
        reverse("partnerships:create"), _proposal(world, **{field: value})
    )
    assert message in _errors(response)
    assert Partnership.objects.count() == before


def test_proposing_offers_only_active_trusts(world, as_user):
    OrganisationFactory(ods_code="RXX", name="CLOSED HOSPITAL NHS TRUST", active=False)
    page = as_user(world.buddy_pm).get(reverse("partnerships:create")).content.decode()
    assert "Royal Free London NHS Foundation Trust" in page
    assert 'value="RXX"' not in page
    assert 'value="X24"' not in page  # a regulator is not a trust
    response = as_user(world.buddy_pm).post(
        reverse("partnerships:create"), _proposal(world, supported="RXX")
    )
    assert "Select a valid choice" in _errors(response)


def test_an_empty_proposal_lists_every_missing_answer(world, as_user):
    response = as_user(world.buddy_pm).post(reverse("partnerships:create"), {})
    summary = _errors(response)
    for message in ("Select the buddy organisation", "Select the supported organisation"):
        assert message in summary
    assert "Enter a title" in summary


# --- Edit ---------------------------------------------------------------------------------------


def test_editing_saves_the_details_and_records_the_change(world, as_user):
    client = as_user(world.supported_pm)
    url = reverse("partnerships:update", args=[world.partnership.pk])
    page = client.get(url).content.decode()
    assert 'value="Basildon recovery"' in page
    data = _proposal(world, title="Basildon and Thurrock recovery")
    response = client.post(url, data)
    assert response.status_code == 302
    world.partnership.refresh_from_db()
    assert world.partnership.title == "Basildon and Thurrock recovery"
    assert world.partnership.planned_end == date(2027, 3, 31)
    detail = client.get(response["Location"]).content.decode()
    assert "Partnership details saved." in detail
    history = client.get(reverse("partnerships:history", args=[world.partnership.pk]))
    assert "Basildon recovery → Basildon and Thurrock recovery" in history.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter a title"),
        (
            {"planned_start": "2027-01-01", "planned_end": "2026-01-01"},
            "The planned end must be on or after the planned start.",
        ),
        ({"remuneration_gbp": "-1"}, "Enter an amount of £0 or more"),
    ],
)
def test_editing_with_bad_input_changes_nothing(world, as_user, overrides, message):
    url = reverse("partnerships:update", args=[world.partnership.pk])
    response = as_user(world.buddy_exec).post(url, _proposal(world, **overrides))
    assert message in _errors(response)
    # The heading still shows the saved title, not what was typed.
    assert "Basildon recovery" in response.content.decode()
    world.partnership.refresh_from_db()
    assert world.partnership.title == "Basildon recovery"
    assert world.partnership.planned_start is None


# --- Objectives ---------------------------------------------------------------------------------


def test_adding_changing_and_deleting_an_objective(world, as_user):
    client = as_user(world.buddy_pm)
    pk = world.partnership.pk
    response = client.post(
        reverse("partnerships:objective-add", args=[pk]),
        {
            "title": "Reduce 12-hour waits",
            "measure": "Share of A&E patients waiting over 12 hours",
            "baseline": "9%",
            "target": "2%",
            "target_date": "2027-03-31",
        },
    )
    assert response.status_code == 302
    objective = Objective.objects.get(partnership=world.partnership)
    assert objective.target_date == date(2027, 3, 31)
    assert "Objective added." in client.get(response["Location"]).content.decode()

    response = client.post(
        reverse("partnerships:objective-update", args=[pk, objective.pk]),
        {"title": "Reduce 12-hour waits", "target": "1%"},
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.target == "1%"
    assert objective.target_date is None

    confirm = client.get(reverse("partnerships:objective-delete", args=[pk, objective.pk]))
    assert "Are you sure you want to delete this objective?" in confirm.content.decode()
    assert Objective.objects.filter(pk=objective.pk).exists()
    response = client.post(reverse("partnerships:objective-delete", args=[pk, objective.pk]))
    assert response.status_code == 302
    assert not Objective.objects.filter(pk=objective.pk).exists()
    page = client.get(reverse("partnerships:history", args=[pk])).content.decode()
    assert "Deleted: Objective: Reduce 12-hour waits" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Enter the objective"),
        ({"title": "x" * 201}, "Objective must be 200 characters or fewer"),
        ({"title": "Waits", "target_date": "next year"}, "Enter a real date"),
        ({"title": "Waits", "baseline": "x" * 101}, "Baseline must be 100 characters or fewer"),
    ],
)
def test_objective_with_bad_input_is_not_saved(world, as_user, data, message):
    response = as_user(world.supported_exec).post(
        reverse("partnerships:objective-add", args=[world.partnership.pk]), data
    )
    assert message in _errors(response)
    assert not Objective.objects.filter(partnership=world.partnership).exists()


# --- Parties ------------------------------------------------------------------------------------


def test_adding_a_broker_with_sponsors(world, as_user):
    broker = OrganisationFactory(ods_code="QMJ", name="NHS NORTH CENTRAL LONDON ICB", kind="icb")
    client = as_user(world.buddy_pm)
    response = client.post(
        reverse("partnerships:party-add", args=[world.partnership.pk]),
        {
            "organisation": broker.pk,
            "role": "broker",
            "sponsor_name": "Ms Ada Lane",
            "sponsor_job_title": "Director of strategy",
        },
    )
    assert response.status_code == 302
    party = world.partnership.parties.get(organisation=broker)
    assert (party.role, party.sponsor_name) == ("broker", "Ms Ada Lane")
    page = client.get(response["Location"]).content.decode()
    assert "NHS North Central London ICB added as broker." in page
    assert (
        "Created: Party: NHS North Central London ICB (broker)"
        in client.get(reverse("partnerships:history", args=[world.partnership.pk])).content.decode()
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"organisation": "RDD", "role": "broker"}, "already a party to the partnership"),
        ({"organisation": "RRK", "role": "buddy"}, "Select broker, mediator or funder"),
        ({"organisation": "RRK"}, "Select the organisation's role"),
        ({"role": "funder"}, "Select the organisation"),
        (
            {"organisation": "RRK", "role": "funder", "deputy_name": "x" * 201},
            "200 characters or fewer",
        ),
    ],
)
def test_adding_a_party_with_bad_input_adds_nothing(world, as_user, data, message):
    response = as_user(world.buddy_pm).post(
        reverse("partnerships:party-add", args=[world.partnership.pk]), data
    )
    assert message in _errors(response)
    assert world.partnership.parties.count() == 2


def test_changing_a_partys_sponsor_and_deputy(world, as_user):
    party = world.partnership.supported
    client = as_user(world.supported_exec)
    url = reverse("partnerships:party-update", args=[world.partnership.pk, party.pk])
    assert 'value="Mr Tom Hughes"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "sponsor_name": "Ms Priya Shah",
            "sponsor_job_title": "Chief executive",
            "deputy_name": "Mr Lee Chan",
            "deputy_job_title": "Chief nurse",
        },
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert (party.sponsor_name, party.deputy_name) == ("Ms Priya Shah", "Mr Lee Chan")
    assert (
        "Mr Tom Hughes → Ms Priya Shah"
        in client.get(reverse("partnerships:history", args=[world.partnership.pk])).content.decode()
    )


def test_changing_a_partys_sponsor_with_bad_input_changes_nothing(world, as_user):
    party = world.partnership.supported
    url = reverse("partnerships:party-update", args=[world.partnership.pk, party.pk])
    response = as_user(world.supported_pm).post(url, {"sponsor_name": "x" * 201})
    assert "200 characters or fewer" in _errors(response)
    party.refresh_from_db()
    assert party.sponsor_name == "Mr Tom Hughes"


def test_removing_a_broker_keeps_a_record_in_the_history(world, as_user):
    broker = OrganisationFactory(ods_code="QMJ", name="NHS NORTH CENTRAL LONDON ICB", kind="icb")
    party = world.partnership.parties.create(organisation=broker, role="broker")
    client = as_user(world.supported_pm)
    url = reverse("partnerships:party-remove", args=[world.partnership.pk, party.pk])
    detail = client.get(reverse("partnerships:detail", args=[world.partnership.pk])).content
    assert url in detail.decode()
    assert "Are you sure you want to remove" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert not world.partnership.parties.filter(organisation=broker).exists()
    page = client.get(response["Location"]).content.decode()
    assert "NHS North Central London ICB removed from the partnership." in page
    assert (
        "Deleted: Party: NHS North Central London ICB (broker)"
        in client.get(reverse("partnerships:history", args=[world.partnership.pk])).content.decode()
    )


def test_the_buddy_and_supported_parties_cannot_be_removed(world, as_user):
    party = world.partnership.buddy
    client = as_user(world.buddy_exec)
    url = reverse("partnerships:party-remove", args=[world.partnership.pk, party.pk])
    detail = client.get(reverse("partnerships:detail", args=[world.partnership.pk])).content
    assert url not in detail.decode()
    response = client.post(url)
    assert "The buddy and the supported party cannot be removed." in _errors(response)
    assert world.partnership.parties.count() == 2
