"""The partnership pages: who may open each one, the list's filters and pages, the detail page,
and the number of queries each runs whatever the number of rows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.choices import PartnershipKind, PartnershipStatus, Role
from partnerships.models import Approval, Objective
from tests.conftest import EXECUTIVES, PERSONAS, READERS, WRITERS
from tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

CHANGE_PAGES = [
    "update",
    "transition",
    "party-add",
    "party-update",
    "party-remove",
    "objective-add",
    "objective-update",
    "objective-delete",
]
PROPOSERS = [*WRITERS, "outsider"]  # a programme manager of any trust may open the proposal page


def _pages(world) -> dict[str, str]:
    """Every page that belongs to one partnership and changes it."""
    partnership = world.partnership
    objective = Objective.objects.create(partnership=partnership, title="Cut waits")
    party = partnership.buddy
    broker = partnership.parties.create(
        organisation=OrganisationFactory(ods_code="QMJ", kind="icb"), role="broker"
    )
    return {
        "update": reverse("partnerships:update", args=[partnership.pk]),
        "transition": reverse("partnerships:transition", args=[partnership.pk]),
        "party-add": reverse("partnerships:party-add", args=[partnership.pk]),
        "party-update": reverse("partnerships:party-update", args=[partnership.pk, party.pk]),
        "party-remove": reverse("partnerships:party-remove", args=[partnership.pk, broker.pk]),
        "objective-add": reverse("partnerships:objective-add", args=[partnership.pk]),
        "objective-update": reverse(
            "partnerships:objective-update", args=[partnership.pk, objective.pk]
        ),
        "objective-delete": reverse(
            "partnerships:objective-delete", args=[partnership.pk, objective.pk]
        ),
    }


def _expected_for_change_pages(persona: str) -> int:
    if persona in WRITERS:
        return 200
    if persona in READERS:
        return 403
    return 404


# --- Who may open what -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_signed_in_persona_may_open_the_list(world, as_user, persona):
    response = as_user(world.user(persona)).get(reverse("partnerships:list"))
    assert response.status_code == 200
    shown = world.partnership.reference in response.content.decode()
    assert shown == (persona in READERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_is_shown_to_readers_and_hidden_from_everyone_else(world, as_user, persona):
    response = as_user(world.user(persona)).get(
        reverse("partnerships:detail", args=[world.partnership.pk])
    )
    assert response.status_code == (200 if persona in READERS else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_proposal_page_is_for_programme_managers_and_executives_only(world, as_user, persona):
    response = as_user(world.user(persona)).get(reverse("partnerships:create"))
    assert response.status_code == (200 if persona in PROPOSERS else 403)
    if response.status_code == 403:
        assert "You cannot do this" in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", CHANGE_PAGES)
def test_change_pages_answer_200_to_writers_403_to_readers_404_to_others(
    world, as_user, persona, page
):
    url = _pages(world)[page]
    response = as_user(world.user(persona)).get(url)
    assert response.status_code == _expected_for_change_pages(persona)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in WRITERS])
@pytest.mark.parametrize("page", CHANGE_PAGES)
def test_those_who_may_not_change_get_403_or_404_on_post_and_nothing_changes(
    world, as_user, persona, page
):
    url = _pages(world)[page]
    response = as_user(world.user(persona)).post(
        url, {"title": "Hijacked", "to": "closed", "outcome": "terminated_early", "reason": "x"}
    )
    assert response.status_code == (403 if persona in READERS else 404)
    world.partnership.refresh_from_db()
    assert world.partnership.title == "Basildon recovery"
    assert world.partnership.status == PartnershipStatus.PROPOSED
    assert Objective.objects.filter(partnership=world.partnership).count() == 1
    assert world.partnership.parties.count() == 3


@pytest.mark.parametrize("persona", PERSONAS)
def test_approve_is_for_executives_of_the_buddy_and_supported_only(world, as_user, persona):
    response = as_user(world.user(persona)).post(
        reverse("partnerships:approve", args=[world.partnership.pk])
    )
    if persona in EXECUTIVES:
        expected = 302
    elif persona in READERS:
        expected = 403
    else:
        expected = 404
    assert response.status_code == expected
    assert Approval.objects.filter(partnership=world.partnership).count() == (
        1 if persona in EXECUTIVES else 0
    )


def test_approve_refuses_get(world, as_user):
    response = as_user(world.buddy_exec).get(
        reverse("partnerships:approve", args=[world.partnership.pk])
    )
    assert response.status_code == 405


@pytest.mark.parametrize(
    "name", ["list", "create", "detail", "update", "transition", "approve", "party-add"]
)
def test_signed_out_people_are_sent_to_sign_in(world, client, name):
    args = [] if name in {"list", "create"} else [world.partnership.pk]
    response = client.get(reverse(f"partnerships:{name}", args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_objective_of_another_partnership_is_not_found(world, as_user):
    other = PartnershipFactory(buddy=world.buddy)
    objective = Objective.objects.create(partnership=other, title="Elsewhere")
    url = reverse("partnerships:objective-update", args=[world.partnership.pk, objective.pk])
    assert as_user(world.buddy_pm).get(url).status_code == 404


def test_a_party_of_another_partnership_is_not_found(world, as_user):
    other = PartnershipFactory(buddy=world.buddy)
    url = reverse("partnerships:party-update", args=[world.partnership.pk, other.buddy.pk])
    assert as_user(world.buddy_pm).get(url).status_code == 404


def test_a_closed_partnership_cannot_be_edited(world, as_user):
    world.partnership.status = PartnershipStatus.CLOSED
    world.partnership.closure_outcome = "terminated_early"
    world.partnership.closure_reason = "Merged"
    world.partnership.save()
    response = as_user(world.buddy_pm).get(
        reverse("partnerships:update", args=[world.partnership.pk])
    )
    assert response.status_code == 409
    assert "closed" in response.content.decode()


# --- The list -----------------------------------------------------------------------------------


def test_list_shows_propose_link_only_to_those_who_may_propose(world, as_user):
    propose = reverse("partnerships:create")
    assert propose in as_user(world.buddy_pm).get(reverse("partnerships:list")).content.decode()
    for persona in ("buddy_viewer", "regulator", "nobody"):
        page = as_user(world.user(persona)).get(reverse("partnerships:list")).content.decode()
        assert propose not in page, persona


def test_list_filters_by_status_kind_and_organisation(world, as_user):
    other_supported = OrganisationFactory(ods_code="RQX", name="HOMERTON HEALTHCARE NHS FT")
    mentoring = PartnershipFactory(
        buddy=world.buddy,
        supported=other_supported,
        kind=PartnershipKind.MENTORING,
        status=PartnershipStatus.ACTIVE,
    )
    client = as_user(world.regulator)
    url = reverse("partnerships:list")

    def references(query: dict) -> set[str]:
        page = client.get(url, query).content.decode()
        return set(re.findall(r"BP-\d{4}-\d{4}", page))

    both = {world.partnership.reference, mentoring.reference}
    assert references({}) == both
    assert references({"status": "active"}) == {mentoring.reference}
    assert references({"status": ["active", "proposed"]}) == both
    assert references({"kind": "buddying"}) == {world.partnership.reference}
    assert references({"organisation": "rqx"}) == {mentoring.reference}
    assert references({"organisation": "RAL"}) == both
    assert references({"search": "basildon"}) == {world.partnership.reference}
    assert references({"region": "y56"}) == both
    assert references({"region": "Y61"}) == set()
    # ``updated_since`` is the API's; the page ignores it rather than failing.
    assert references({"updated_since": "not a date"}) == both


def test_list_keeps_what_was_chosen_in_the_filter_form(world, as_user):
    page = (
        as_user(world.regulator)
        .get(reverse("partnerships:list"), {"status": "active", "organisation": "RAL"})
        .content.decode()
    )
    assert re.search(r'value="active"\s+checked', page)
    assert 'value="RAL"' in page


def test_list_with_a_bad_filter_shows_an_error_not_a_crash(world, as_user):
    response = as_user(world.regulator).get(reverse("partnerships:list"), {"status": "nonsense"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "<title>Error: Partnerships" in page


def test_list_pages_keep_the_filters_in_their_links(world, as_user):
    for _ in range(30):
        PartnershipFactory(buddy=world.buddy)
    client = as_user(world.buddy_viewer)
    page = client.get(reverse("partnerships:list"), {"status": "proposed"}).content.decode()
    assert "Partnerships (31)" in page
    assert "?status=proposed&amp;page=2" in page
    second = client.get(reverse("partnerships:list"), {"status": "proposed", "page": 2})
    assert second.status_code == 200
    assert "?status=proposed&amp;page=1" in second.content.decode()
    assert len(re.findall(r"BP-\d{4}-\d{4}</a>", second.content.decode())) == 6


def test_list_page_number_out_of_range_or_not_a_number_still_answers(world, as_user):
    client = as_user(world.buddy_viewer)
    assert client.get(reverse("partnerships:list"), {"page": "999"}).status_code == 200
    assert client.get(reverse("partnerships:list"), {"page": "abc"}).status_code == 200


# --- The detail page ----------------------------------------------------------------------------


def _detail(client, partnership) -> str:
    response = client.get(reverse("partnerships:detail", args=[partnership.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_detail_shows_a_card_per_organisation_with_sponsor_and_deputy(world, as_user):
    party = world.partnership.buddy
    party.deputy_name = "Ms Jo Reid"
    party.deputy_job_title = "Chief operating officer"
    party.save()
    page = _detail(as_user(world.regulator), world.partnership)
    assert page.count('class="nhsuk-card') >= 2
    assert "Royal Free London NHS Foundation Trust" in page
    assert "Dr Asha Patel, Chief executive" in page
    assert "Ms Jo Reid, Chief operating officer" in page


def test_detail_shows_objectives_in_a_table(world, as_user):
    Objective.objects.create(
        partnership=world.partnership,
        title="Reduce 12-hour waits",
        measure="Share of patients waiting over 12 hours in A&E",
        baseline="9%",
        target="2%",
    )
    page = _detail(as_user(world.buddy_viewer), world.partnership)
    assert "<caption" in page and "Objectives" in page
    assert "Reduce 12-hour waits" in page
    assert "9%" in page and "2%" in page


def test_detail_shows_who_approved_and_who_is_still_needed(world, as_user):
    Approval.objects.create(
        partnership=world.partnership, party=world.partnership.buddy, approved_by=world.buddy_exec
    )
    page = _detail(as_user(world.supported_viewer), world.partnership)
    name = world.buddy_exec.get_full_name()
    assert f"Approved by {name}" in page
    assert "Waiting for an executive to approve" in page


@pytest.mark.parametrize("persona", READERS)
def test_detail_shows_only_the_actions_the_persona_may_take(world, as_user, persona):
    page = _detail(as_user(world.user(persona)), world.partnership)
    partnership = world.partnership
    assert (reverse("partnerships:update", args=[partnership.pk]) in page) == (persona in WRITERS)
    assert (reverse("partnerships:transition", args=[partnership.pk]) in page) == (
        persona in WRITERS
    )
    assert (reverse("partnerships:objective-add", args=[partnership.pk]) in page) == (
        persona in WRITERS
    )
    assert (reverse("partnerships:party-add", args=[partnership.pk]) in page) == (
        persona in WRITERS
    )
    assert (reverse("partnerships:approve", args=[partnership.pk]) in page) == (
        persona in EXECUTIVES
    )


def test_detail_hides_the_approve_button_once_the_persona_has_approved(world, as_user):
    Approval.objects.create(
        partnership=world.partnership, party=world.partnership.buddy, approved_by=world.buddy_exec
    )
    page = _detail(as_user(world.buddy_exec), world.partnership)
    assert reverse("partnerships:approve", args=[world.partnership.pk]) not in page


def test_a_broker_programme_manager_may_edit_but_not_change_status(world, as_user):
    broker = OrganisationFactory(ods_code="QMJ", name="NHS NORTH CENTRAL LONDON ICB", kind="icb")
    world.partnership.parties.create(organisation=broker, role="broker")
    user = MembershipFactory(organisation=broker, role=Role.PROGRAMME_MANAGER).user
    client = as_user(user)
    page = _detail(client, world.partnership)
    assert reverse("partnerships:update", args=[world.partnership.pk]) in page
    assert reverse("partnerships:transition", args=[world.partnership.pk]) not in page
    url = reverse("partnerships:transition", args=[world.partnership.pk])
    assert client.get(url).status_code == 403


# --- Queries do not grow with the rows ----------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_runs_the_same_queries_for_1_or_30_partnerships(
    world, as_user, django_assert_num_queries
):
    client = as_user(world.buddy_pm)
    url = reverse("partnerships:list") + "?status=proposed&organisation=RAL"
    one = _queries(client, url)
    for _ in range(29):
        PartnershipFactory(buddy=world.buddy)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert "Partnerships (30)" in response.content.decode()


def test_detail_runs_the_same_queries_for_1_or_10_objectives(
    world, as_user, django_assert_num_queries
):
    client = as_user(world.buddy_exec)
    Objective.objects.create(partnership=world.partnership, title="Objective 0")
    Approval.objects.create(
        partnership=world.partnership, party=world.partnership.buddy, approved_by=world.buddy_exec
    )
    url = reverse("partnerships:detail", args=[world.partnership.pk])
    one = _queries(client, url)
    for number in range(1, 10):
        Objective.objects.create(partnership=world.partnership, title=f"Objective {number}")
    with django_assert_num_queries(one):
        response = client.get(url)
    assert "Objective 9" in response.content.decode()


@pytest.mark.parametrize("name", ["commitments", "secondments", "agreements"])
def test_a_section_page_reads_the_partnership_without_its_objectives_or_approvals(
    world, as_user, name
):
    """A section's page shows neither, so it does not read them (the overview does)."""
    Objective.objects.create(partnership=world.partnership, title="Objective 0")
    Approval.objects.create(
        partnership=world.partnership, party=world.partnership.buddy, approved_by=world.buddy_exec
    )
    url = reverse("partnerships:section", args=[world.partnership.pk, name])
    with CaptureQueriesContext(connection) as queries:
        response = as_user(world.buddy_viewer).get(url)
    assert response.status_code == 200
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "partnerships_party" in read
    assert "partnerships_objective" not in read and "partnerships_approval" not in read
    assert as_user(world.outsider).get(url).status_code == 404


def test_scope_areas_are_listed_one_per_line(world, as_user):
    world.partnership.scope_areas = "Maternity\nUrgent and emergency care"
    world.partnership.save()
    page = as_user(world.buddy_viewer).get(
        reverse("partnerships:detail", args=[world.partnership.pk])
    )
    html = page.content.decode()
    assert "<li>Maternity</li><li>Urgent and emergency care</li>" in html


def test_organisation_names_are_title_cased_once_per_name():
    from partnerships.models.organisations import title_case_nhs

    name = "ROYAL FREE LONDON NHS FOUNDATION TRUST"
    assert title_case_nhs(name) == "Royal Free London NHS Foundation Trust"
    hits = title_case_nhs.cache_info().hits
    assert title_case_nhs(name) == "Royal Free London NHS Foundation Trust"
    assert title_case_nhs.cache_info().hits == hits + 1  # a page of rows does not redo it
    assert title_case_nhs("Mixed Case Trust") == "Mixed Case Trust"
