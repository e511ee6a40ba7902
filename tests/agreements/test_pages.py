"""The agreement and dispute pages: every persona, the draft-sign-new-version journey, and
immutability in the browser and the admin."""

import pytest
from django.urls import reverse

from risks.agreements import services
from risks.agreements.models import Agreement, AgreementLine, Dispute
from tests.conftest import PERSONAS, READERS, WRITERS
from tests.factories import UserFactory

from .helpers import awaiting, draft, in_force, risk

pytestmark = pytest.mark.django_db


def _expected(persona, allowed) -> int:
    if persona not in READERS:
        return 404
    return 200 if persona in allowed else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_reading_pages_per_persona(world, as_user, persona):
    agreement = in_force(world)
    dispute = services.dispute_raise(
        agreement=agreement, by=world.buddy_pm, raised_by_organisation=world.buddy, title="Cap"
    )
    client = as_user(world.user(persona))
    for url in (
        reverse("agreements:list", args=[world.partnership.pk]),
        reverse("agreements:detail", args=[agreement.pk]),
        reverse("agreements:print", args=[agreement.pk]),
        reverse("agreements:dispute_detail", args=[dispute.pk]),
    ):
        assert client.get(url).status_code == (200 if persona in READERS else 404), url


@pytest.mark.parametrize("persona", PERSONAS)
def test_writing_pages_per_persona(world, as_user, persona):
    agreement = draft(world)
    client = as_user(world.user(persona))
    expected = _expected(persona, WRITERS)
    for url in (
        reverse("agreements:edit", args=[agreement.pk]),
        reverse("agreements:line_create", args=[agreement.pk]),
        reverse("agreements:line_edit", args=[agreement.lines.get().pk]),
        reverse("agreements:dispute_create", args=[agreement.pk]),
    ):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("persona", PERSONAS)
def test_sign_page_per_persona(world, as_user, persona):
    agreement = awaiting(world)
    response = as_user(world.user(persona)).get(reverse("agreements:sign", args=[agreement.pk]))
    assert response.status_code == _expected(persona, ["buddy_exec", "supported_exec"])


def test_partnership_page_shows_agreements_and_open_disputes(world, as_user):
    agreement = in_force(world)
    services.dispute_raise(
        agreement=agreement, by=world.buddy_pm, raised_by_organisation=world.buddy, title="Cap row"
    )
    text = (
        as_user(world.regulator)
        .get(reverse("partnerships:section", args=[world.partnership.pk, "agreements"]))
        .content.decode()
    )
    assert "Shared-risk agreement" in text
    assert "Version 1 is in force" in text
    assert "Cap row" in text


def _overview_headline(client, world) -> str:
    page = client.get(reverse("partnerships:detail", args=[world.partnership.pk])).content.decode()
    return " ".join(page.split())


def test_the_overview_says_which_version_is_in_force_and_counts_open_disputes(
    world, as_user, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(world.supported_viewer)
    text = _overview_headline(client, world)
    assert "No agreement drafted yet." in text and "No open disputes." in text
    draft(world)
    assert "No agreement in force. Version 1 is draft." in _overview_headline(client, world)
    Agreement.objects.all().delete()
    agreement = in_force(world)
    text = _overview_headline(client, world)
    number = agreement.number  # numbers are not reused after the draft was deleted
    assert f"Version {number} in force since" in text and "No open disputes." in text

    first = services.dispute_raise(
        agreement=agreement, by=world.buddy_pm, raised_by_organisation=world.buddy, title="Cap"
    )
    url = reverse("partnerships:detail", args=[world.partnership.pk])
    with CaptureQueriesContext(connection) as one:
        assert "1 open dispute." in " ".join(client.get(url).content.decode().split())
    # A headline, not the section's lists: no counts of lines and signatures, no disputes' rows.
    read = " ".join(query["sql"] for query in one.captured_queries)
    assert "agreements_signature" not in read and '"agreements_dispute"."title"' not in read
    for title in ("Share", "Notice"):
        services.dispute_raise(
            agreement=agreement, by=world.buddy_pm, raised_by_organisation=world.buddy, title=title
        )
    Dispute.objects.filter(pk=first.pk).update(  # resolved ones are not counted
        status="resolved", resolution="Agreed", resolved_on=agreement.effective_from
    )
    with django_assert_num_queries(len(one)):
        text = " ".join(client.get(url).content.decode().split())
    assert "2 open disputes." in text
    assert as_user(world.outsider).get(url).status_code == 404


def test_the_whole_journey_in_the_browser(world, as_user):
    the_risk = risk(world)
    client = as_user(world.buddy_pm)
    response = client.post(
        reverse("agreements:create", args=[world.partnership.pk]),
        {
            "shared_intent": "Better care.",
            "scope": "Urgent care.",
            "effective_from_day": "1",
            "effective_from_month": "4",
            "effective_from_year": "2026",
            "review_date_day": "1",
            "review_date_month": "4",
            "review_date_year": "2027",
            "mediator_organisation": "X24",
            "dispute_process": "Mediation.",
            "exit_terms": "Notice.",
        },
    )
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    line_url = reverse("agreements:line_create", args=[agreement.pk])
    line = {
        "risk": str(the_risk.pk),
        "lead_organisation": "RAL",
        "share_RAL": "70",
        "share_RDD": "20",
        "liability_cap_gbp": "1000",
        "responsibilities": "Joint.",
    }
    bad = client.post(line_url, line)
    assert bad.status_code == 200
    assert "They must add up to exactly 100%" in bad.content.decode()
    assert 'value="70"' in bad.content.decode()  # what was typed is kept
    assert not AgreementLine.objects.exists()
    assert client.post(line_url, {**line, "share_RDD": "30"}).status_code == 302

    detail = reverse("agreements:detail", args=[agreement.pk])
    assert "Put to signature" in client.get(detail).content.decode()
    version = Agreement.objects.get().version
    assert (
        client.post(
            reverse("agreements:submit", args=[agreement.pk]), {"version": version}
        ).status_code
        == 302
    )

    fingerprint = services.current_hash(agreement)
    for executive in (world.buddy_exec, world.supported_exec):
        signer = as_user(executive)
        page = signer.get(reverse("agreements:sign", args=[agreement.pk])).content.decode()
        assert fingerprint in page
        signed = signer.post(
            reverse("agreements:sign", args=[agreement.pk]),
            {
                "organisation": executive.memberships.get().organisation_id,
                "confirm": "on",
                "content_hash": fingerprint,
            },
        )
        assert signed.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "in_force"
    page = as_user(world.regulator).get(detail).content.decode()
    assert "Every signature matches the agreement as it is now." in page
    assert "Signed under a previous sponsor" not in page

    # Signed: the edit pages answer 409 with the sentence; a new version is a draft copy.
    client = as_user(world.buddy_pm)
    refused = client.get(reverse("agreements:edit", args=[agreement.pk]))
    assert refused.status_code == 409 and "Start a new version" in refused.content.decode()
    assert (
        client.post(reverse("agreements:line_create", args=[agreement.pk]), line).status_code == 409
    )
    copy = client.post(reverse("agreements:new_version", args=[agreement.pk]))
    assert copy.status_code == 302
    assert Agreement.objects.get(number=2).lines.count() == 1


def test_a_content_change_in_the_database_shows_on_the_page(world, as_user):
    agreement = in_force(world)
    Agreement.objects.filter(pk=agreement.pk).update(exit_terms="Walk away any time.")
    page = as_user(world.buddy_viewer).get(reverse("agreements:detail", args=[agreement.pk]))
    assert "Does not match: the content has changed" in page.content.decode()


def test_incomplete_draft_lists_what_it_needs(world, as_user):
    agreement = draft(world, lines=[], exit_terms="")
    page = (
        as_user(world.buddy_pm)
        .get(reverse("agreements:detail", args=[agreement.pk]))
        .content.decode()
    )
    assert "Enter the exit terms." in page and "Add at least one shared risk." in page
    response = as_user(world.buddy_pm).post(reverse("agreements:submit", args=[agreement.pk]), {})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_dispute_pages_raise_and_resolve(world, as_user):
    agreement = in_force(world)
    client = as_user(world.supported_pm)
    response = client.post(
        reverse("agreements:dispute_create", args=[agreement.pk]),
        {"raised_by_organisation": "RDD", "title": "Cap too low", "mediator_organisation": "X24"},
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    url = reverse("agreements:dispute_transition", args=[dispute.pk])
    missing = client.post(url, {"to": "resolved", "version": dispute.version})
    assert (
        missing.status_code == 200
        and "Enter how the dispute was resolved." in missing.content.decode()
    )
    assert (
        client.post(
            url, {"to": "in_mediation", "version": dispute.version, "mediator_organisation": "X24"}
        ).status_code
        == 302
    )
    dispute.refresh_from_db()
    assert dispute.status == "in_mediation"
    assert as_user(world.regulator).get(url).status_code == 403
    listed = as_user(world.regulator).get(reverse("agreements:detail", args=[agreement.pk]))
    assert "Cap too low" in listed.content.decode()


def test_the_admin_shows_a_signed_agreement_read_only(world, client):
    agreement = in_force(world)
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="scope"' not in page.content.decode()  # shown, not editable
    response = client.post(url, {"scope": "Changed in the admin."})
    assert response.status_code == 403
    assert Agreement.objects.get(pk=agreement.pk).scope == "Urgent and emergency care."
