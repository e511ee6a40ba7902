"""The browser pages: access for every persona, forms with good and bad input, query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerships import access
from partnerships.commitments.models import Commitment, Delivery
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.conftest import PERSONAS, READERS

pytestmark = pytest.mark.django_db

BUDDY_WRITERS = ["buddy_exec", "buddy_pm"]
# Readers who may not change the buddy's commitment: a 403 page, never a 404.
BUDDY_READ_ONLY = [p for p in READERS if p not in BUDDY_WRITERS]


def _expected_status(persona, allowed=200):
    if persona in BUDDY_WRITERS:
        return allowed
    return 403 if persona in READERS else 404


def _text(response) -> str:
    return response.content.decode()


# --- Access on each page -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_partnership_page_shows_commitments_to_readers(world, commitment, as_user, persona):
    response = as_user(world.user(persona)).get(
        reverse("partnerships:section", args=[world.partnership.pk, "commitments"])
    )
    assert response.status_code == (200 if persona in READERS else 404)
    if persona in READERS:
        assert "C-0001" in _text(response)
        assert ("Add a commitment" in _text(response)) == (
            persona in ["buddy_exec", "buddy_pm", "supported_exec", "supported_pm"]
        )


@pytest.mark.parametrize("persona", PERSONAS)
def test_commitment_page_is_404_for_outsiders(world, commitment, as_user, persona):
    DeliveryFactory(commitment=commitment, logged_by=world.buddy_pm)
    response = as_user(world.user(persona)).get(reverse("commitments:detail", args=[commitment.pk]))
    assert response.status_code == (200 if persona in READERS else 404)
    if persona in READERS:
        assert ("Log a delivery" in _text(response)) == (persona in BUDDY_WRITERS)
        assert ("Quantity (hours)" in _text(response)) == (persona in BUDDY_WRITERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_add_commitment_page_access(world, as_user, persona):
    response = as_user(world.user(persona)).get(
        reverse("commitments:create", args=[world.partnership.pk])
    )
    writers = ["buddy_exec", "buddy_pm", "supported_exec", "supported_pm"]
    expected = 200 if persona in writers else 403 if persona in READERS else 404
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_change_commitment_page_access(world, commitment, as_user, persona):
    response = as_user(world.user(persona)).get(reverse("commitments:update", args=[commitment.pk]))
    assert response.status_code == _expected_status(persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_log_delivery_access(world, commitment, as_user, persona):
    response = as_user(world.user(persona)).post(
        reverse("commitments:delivery-log", args=[commitment.pk]),
        {"date": "2026-11-09", "quantity": "3"},
    )
    assert response.status_code == _expected_status(persona, allowed=302)
    assert Delivery.objects.count() == (1 if persona in BUDDY_WRITERS else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_change_delivery_page_access(world, commitment, as_user, persona):
    delivery = DeliveryFactory(commitment=commitment)
    response = as_user(world.user(persona)).get(
        reverse("commitments:delivery-update", args=[delivery.pk])
    )
    assert response.status_code == _expected_status(persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_delete_delivery_access(world, commitment, as_user, persona):
    delivery = DeliveryFactory(commitment=commitment)
    response = as_user(world.user(persona)).post(
        reverse("commitments:delivery-delete", args=[delivery.pk])
    )
    assert response.status_code == _expected_status(persona, allowed=302)
    assert Delivery.objects.exists() == (persona not in BUDDY_WRITERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_upload_page_access(world, commitment, as_user, persona):
    response = as_user(world.user(persona)).get(
        reverse("commitments:upload", args=[world.partnership.pk])
    )
    writers = ["buddy_exec", "buddy_pm", "supported_exec", "supported_pm"]
    expected = 200 if persona in writers else 403 if persona in READERS else 404
    assert response.status_code == expected


def test_signed_out_visitor_is_sent_to_sign_in(world, commitment, client):
    response = client.get(reverse("commitments:detail", args=[commitment.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- Commitment forms ----------------------------------------------------------------------------


def _commitment_form(world, **overrides):
    data = {
        "organisation": world.buddy.ods_code,
        "category": "training",
        "description": "Simulation training for the emergency department",
        "unit": "days",
        "planned_quantity": "20",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "owner": "Ms Jo Reid, Head of education",
    }
    data.update(overrides)
    return data


def test_programme_manager_adds_a_commitment(world, as_user):
    client = as_user(world.buddy_pm)
    response = client.post(
        reverse("commitments:create", args=[world.partnership.pk]),
        _commitment_form(world),
    )
    commitment = Commitment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("commitments:detail", args=[commitment.pk])
    assert commitment.reference == "C-0001"
    assert commitment.organisation == world.buddy
    assert commitment.history.get().history_user == world.buddy_pm


def test_add_commitment_offers_only_the_persons_own_organisation(world, as_user):
    client = as_user(world.supported_pm)
    response = client.post(
        reverse("commitments:create", args=[world.partnership.pk]),
        _commitment_form(world, organisation=world.buddy.ods_code),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in _text(response)
    assert not Commitment.objects.exists()


def test_add_commitment_shows_errors_and_keeps_what_was_typed(world, as_user):
    client = as_user(world.buddy_pm)
    response = client.post(
        reverse("commitments:create", args=[world.partnership.pk]),
        _commitment_form(world, planned_quantity="0", end_date="2026-01-01", owner=""),
    )
    text = _text(response)
    assert response.status_code == 200
    assert "<title>Error: " in text
    assert "There is a problem" in text
    assert "The planned quantity must be more than 0." in text
    assert "The end date must be the same as or after the start date." in text
    assert "Enter the owner" in text
    assert "Simulation training for the emergency department" in text
    assert not Commitment.objects.exists()


def test_add_commitment_with_nothing_filled_in(world, as_user):
    response = as_user(world.buddy_pm).post(
        reverse("commitments:create", args=[world.partnership.pk]), {}
    )
    text = _text(response)
    for message in ("Select a category", "Enter what will be given", "Select a unit"):
        assert message in text


def test_change_commitment(world, commitment, as_user):
    response = as_user(world.buddy_exec).post(
        reverse("commitments:update", args=[commitment.pk]),
        _commitment_form(world, planned_quantity="150"),
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.planned_quantity == 150
    assert commitment.history.count() == 2


# --- Deliveries ----------------------------------------------------------------------------------


def test_quick_log_form_saves_and_records_who(world, commitment, as_user):
    response = as_user(world.buddy_pm).post(
        reverse("commitments:delivery-log", args=[commitment.pk]),
        {"date": "2026-11-10", "quantity": "7.5", "staff_group": "nursing_midwifery", "note": ""},
        follow=True,
    )
    delivery = Delivery.objects.get()
    assert delivery.logged_by == world.buddy_pm
    assert delivery.quantity == Decimal("7.5")
    assert "Delivery of 7.50 hours logged for 10 November 2026." in _text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2026-11-11", "quantity": "1"}, "The date must be today or in the past."),
        (
            {"date": "2026-03-01", "quantity": "1"},
            "The date must be on or after the commitment starts (1 April 2026).",
        ),
        ({"date": "2026-11-01", "quantity": "0"}, "The quantity must be more than 0."),
        ({"date": "2026-11-01", "quantity": "lots"}, "Enter a number, like 7.5"),
        ({"date": "yesterday", "quantity": "1"}, "Enter a real date, for example 15 3 2026"),
        ({"date": "", "quantity": ""}, "Enter the quantity"),
    ],
)
def test_quick_log_form_shows_errors_on_the_commitment_page(
    world, commitment, as_user, data, message
):
    response = as_user(world.buddy_pm).post(
        reverse("commitments:delivery-log", args=[commitment.pk]), data
    )
    text = _text(response)
    assert response.status_code == 200
    assert "<title>Error: " in text
    assert message in text
    assert not Delivery.objects.exists()


def test_editing_a_delivery_keeps_the_history(world, commitment, as_user):
    delivery = DeliveryFactory(commitment=commitment, quantity=Decimal("2"))
    client = as_user(world.buddy_pm)
    response = client.post(
        reverse("commitments:delivery-update", args=[delivery.pk]),
        {"date": "2026-04-10", "quantity": "4", "staff_group": "", "note": "Corrected"},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.quantity == 4
    latest = delivery.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == world.buddy_pm
    page = _text(client.get(reverse("commitments:detail", args=[commitment.pk])))
    assert "Quantity: 2.00 → 4.00" in page


def test_editing_a_delivery_refuses_bad_input(world, commitment, as_user):
    delivery = DeliveryFactory(commitment=commitment)
    response = as_user(world.buddy_pm).post(
        reverse("commitments:delivery-update", args=[delivery.pk]),
        {"date": "2030-01-01", "quantity": "-1"},
    )
    text = _text(response)
    assert "<title>Error: " in text
    assert "The date must be today or in the past." in text
    assert "The quantity must be more than 0." in text


def test_deleting_a_delivery_keeps_it_in_the_history(world, commitment, as_user):
    delivery = DeliveryFactory(commitment=commitment)
    client = as_user(world.buddy_pm)
    assert "Are you sure" in _text(
        client.get(reverse("commitments:delivery-delete", args=[delivery.pk]))
    )
    client.post(reverse("commitments:delivery-delete", args=[delivery.pk]))
    assert not Delivery.objects.exists()
    record = Delivery.history.filter(id=delivery.pk).first()
    assert record.history_type == "-"
    assert record.history_user == world.buddy_pm
    page = _text(client.get(reverse("commitments:detail", args=[commitment.pk])))
    assert "Deleted: Delivery of 7.50 hours on 10 April 2026" in page


def test_deliveries_are_paginated(world, commitment, as_user):
    for day in range(30):
        DeliveryFactory(commitment=commitment, date=dt.date(2026, 5, 1) + dt.timedelta(days=day))
    client = as_user(world.regulator)
    url = reverse("commitments:detail", args=[commitment.pk])

    def table(page: str) -> str:
        text = _text(client.get(url + page))
        return text.split("Deliveries (30)")[1].split("History")[0]

    first, second = table(""), table("?page=2")
    assert first.count("<tr") == 26 and second.count("<tr") == 6  # with the header row
    assert "30 May 2026" in first and "30 May 2026" not in second
    assert ">1 May 2026" in second.replace("> ", ">") and ">1 May 2026" not in first.replace(
        "> ", ">"
    )
    assert client.get(url + "?page=nonsense").status_code == 200


def test_closed_partnership_refuses_changes(world, commitment, as_user):
    world.partnership.status = "closed"
    world.partnership.closure_outcome = "terminated_early"
    world.partnership.closure_reason = "Ended by agreement."
    world.partnership.save()
    client = as_user(world.buddy_pm)
    url = reverse("commitments:update", args=[commitment.pk])
    # Allowed, but not in this state: 409 with the reason, as the API answers.
    response = client.get(url)
    assert response.status_code == 409
    assert (
        "The partnership is closed, so its commitments cannot change." in response.content.decode()
    )
    assert (
        client.post(
            reverse("commitments:delivery-log", args=[commitment.pk]),
            {"date": "2026-11-01", "quantity": "1"},
        ).status_code
        == 409
    )


# --- The partnership page's section --------------------------------------------------------------


def test_partnership_page_shows_chart_table_and_csv_link(world, commitment, as_user):
    DeliveryFactory(commitment=commitment, quantity=Decimal("30"), date=dt.date(2026, 5, 1))
    text = _text(
        as_user(world.buddy_viewer).get(
            reverse("partnerships:section", args=[world.partnership.pk, "commitments"])
        )
    )
    assert "<svg" in text and "#005EB8" in text
    assert "0 of 1 commitments under way are on track" in text
    assert "Delivered against expected, by organisation" in text
    assert "Delivered against expected, by category" in text
    assert "61 hours" in text  # expected by now, rounded as a board reads it
    assert "61.10 hours" not in text  # (the precise figure is in the CSV)
    assert "Well behind" in text
    assert f"/api/v1/commitments/?partnership={world.partnership.pk}&amp;format=csv" in text


def test_partnership_page_with_no_commitments(world, as_user):
    text = _text(
        as_user(world.regulator).get(
            reverse("partnerships:section", args=[world.partnership.pk, "commitments"])
        )
    )
    assert "No commitments planned yet" in text


# --- Query counts --------------------------------------------------------------------------------


def _add_many(world, count=15, deliveries=4):
    for number in range(count):
        item = CommitmentFactory(
            partnership=world.partnership,
            organisation=world.supported if number % 2 else world.buddy,
            reference=f"C-{number + 100:04d}",
            category=["training", "finance", "digital"][number % 3],
            unit=["hours", "gbp"][number % 2],
        )
        DeliveryFactory.create_batch(deliveries, commitment=item, logged_by=world.buddy_pm)


def _count(client, user, url, django_assert_num_queries, expected):
    access.forget_memberships(user)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("persona", ["buddy_pm", "regulator"])
def test_partnership_page_runs_a_fixed_number_of_queries(
    world, commitment, as_user, django_assert_num_queries, persona
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = world.user(persona)
    client = as_user(user)
    url = reverse("partnerships:section", args=[world.partnership.pk, "commitments"])
    access.forget_memberships(user)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _add_many(world)
    response = _count(client, user, url, django_assert_num_queries, len(few))
    assert "C-0114" in _text(response)


def test_commitment_page_runs_a_fixed_number_of_queries(
    world, commitment, as_user, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = world.buddy_pm
    client = as_user(user)
    url = reverse("commitments:detail", args=[commitment.pk])
    DeliveryFactory(commitment=commitment, logged_by=world.buddy_pm)
    access.forget_memberships(user)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    DeliveryFactory.create_batch(40, commitment=commitment, logged_by=world.supported_pm)
    _count(client, user, url, django_assert_num_queries, len(few))
