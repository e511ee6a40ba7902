"""Tokens: made by their owner (the key shown once, stored hashed), named, expiring, read-only
or not, listed with their last use, revoked at once; regulators' always read-only."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from buddying.tokens import services as token_services
from buddying.tokens.models import TokenDetails
from tests.test_every_route import objects  # noqa: F401 (the route table's fixture)

URL = "/api/v1/tokens/"
PAGE = "/account/tokens/"


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
def test_a_person_makes_a_named_token_whose_key_is_shown_once_and_kept_hashed(world, api_as):
    client = api_as(world.buddy_pm)

    made = client.post(URL, {"name": "Nightly mirror", "days": 30}).json()

    key = made["key"]
    stored = AuthToken.objects.get()
    assert key not in stored.digest and stored.token_key == key[:15]
    assert made["name"] == "Nightly mirror" and made["read_only"] is False
    assert stored.expiry - timezone.now() > timedelta(days=29)
    listed = client.get(URL).json()["results"]
    assert [t["name"] for t in listed] == ["Nightly mirror"]
    assert "key" not in listed[0]
    assert with_token(key).get("/api/v1/partnerships/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("days", [0, 366, "a year"])
def test_a_token_expires_within_a_year(world, api_as, days):
    response = api_as(world.buddy_pm).post(URL, {"name": "Too long", "days": days})

    assert response.status_code == 400 and "days" in response.json()
    assert not AuthToken.objects.exists()


@pytest.mark.django_db
def test_a_read_only_token_reads_and_is_refused_every_write_with_403(world, api_as):
    key = api_as(world.buddy_pm).post(URL, {"name": "Reader", "read_only": True}).json()["key"]
    client = with_token(key)

    assert client.get(f"/api/v1/partnerships/{world.partnership.pk}/").status_code == 200
    refused = client.patch(f"/api/v1/partnerships/{world.partnership.pk}/", {"title": "X"})
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    assert client.post(URL, {"name": "Another"}).status_code == 403


@pytest.mark.django_db
def test_a_token_that_may_write_writes(world, api_as):
    key = api_as(world.buddy_pm).post(URL, {"name": "Writer"}).json()["key"]

    response = with_token(key).patch(
        f"/api/v1/partnerships/{world.partnership.pk}/", {"title": "Renamed"}
    )

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_regulators_token_is_always_read_only(world, api_as):
    made = api_as(world.regulator).post(URL, {"name": "Analysts", "read_only": False}).json()

    assert made["read_only"] is True
    legacy = AuthToken.objects.create(world.regulator)[1]  # made by knox alone, no details
    assert with_token(legacy).post(URL, {"name": "More"}).status_code == 403


@pytest.mark.django_db
def test_a_revoked_token_answers_401_at_once(world, api_as):
    owner = api_as(world.buddy_pm)
    made = owner.post(URL, {"name": "Old"}).json()

    assert owner.delete(f"{URL}{made['id']}/").status_code == 204
    assert with_token(made["key"]).get("/api/v1/partnerships/").status_code == 401
    assert not TokenDetails.objects.exists()


@pytest.mark.django_db
def test_nobody_sees_or_revokes_anothers_token_but_an_administrator_can(world, api_as):
    made = api_as(world.buddy_pm).post(URL, {"name": "Mine"}).json()
    other = APIClient()
    other.force_authenticate(world.supported_exec)

    assert other.get(URL).json()["results"] == []
    assert other.delete(f"{URL}{made['id']}/").status_code == 404
    admin = type(world.buddy_pm).objects.create_superuser("admin", "a@example.org", "pw")
    other.force_authenticate(admin)
    assert other.delete(f"{URL}{made['id']}/").status_code == 204


@pytest.mark.django_db
def test_last_use_is_recorded_at_most_once_a_minute(world, api_as):
    key = api_as(world.buddy_pm).post(URL, {"name": "Used"}).json()["key"]
    client = with_token(key)
    assert TokenDetails.objects.get().last_used_at is None

    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.get(URL)
        first = TokenDetails.objects.get().last_used_at
        assert first is not None
        clock.shift(timedelta(seconds=30))
        client.get(URL)
        assert TokenDetails.objects.get().last_used_at == first
        clock.shift(timedelta(seconds=31))
        client.get(URL)
        assert TokenDetails.objects.get().last_used_at > first


@pytest.mark.django_db
def test_the_token_list_runs_a_fixed_number_of_queries(world, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(world.buddy_pm)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        return len(context)

    client.post(URL, {"name": "One"})
    one = count()
    for n in range(5):
        client.post(URL, {"name": f"More {n}"})
    assert count() == one


@pytest.mark.django_db
def test_the_commands_still_issue_and_revoke(world):
    out = StringIO()
    call_command("issue_token", "regulator", "--name", "Pipeline", stdout=out)
    key = out.getvalue().strip()
    details = TokenDetails.objects.get()
    assert details.name == "Pipeline" and details.read_only is True
    assert with_token(key).get("/api/v1/partnerships/").status_code == 200
    call_command("revoke_tokens", "regulator", "--all", stdout=StringIO())
    assert with_token(key).get("/api/v1/partnerships/").status_code == 401


# --- The page ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_makes_a_token_shows_its_key_once_and_lists_it(world, as_user):
    client = as_user(world.buddy_pm)

    response = client.post(PAGE, {"name": "Spreadsheet", "days": "90"})

    assert response.status_code == 200
    prefix = AuthToken.objects.get().token_key
    page = response.content.decode()
    assert "Copy your new key now" in page and prefix in page
    again = client.get(PAGE).content.decode()
    assert "Spreadsheet" in again and "Copy your new key now" not in again
    assert "Not used yet" in again and prefix not in again


@pytest.mark.django_db
def test_the_page_shows_field_errors_and_keeps_what_was_typed(world, as_user):
    response = as_user(world.buddy_pm).post(PAGE, {"name": "Typed", "days": "400"})

    page = response.content.decode()
    assert "There is a problem" in page and "Enter a number of days from 1 to 365" in page
    assert "<title>Error: " in page
    assert 'value="Typed"' in page
    assert not AuthToken.objects.exists()


@pytest.mark.django_db
def test_the_page_revokes_only_the_persons_own_tokens(world, as_user):
    as_user(world.buddy_pm).post(PAGE, {"name": "Spreadsheet", "days": "90"})
    details = TokenDetails.objects.get()

    assert as_user(world.supported_exec).post(f"{PAGE}{details.pk}/revoke/").status_code == 404
    response = as_user(world.buddy_pm).post(f"{PAGE}{details.pk}/revoke/")
    assert response.status_code == 302
    assert not AuthToken.objects.exists()


def test_the_page_needs_a_sign_in(client):
    assert client.get(PAGE).status_code == 302


# Queuing a report reads data the caller may see and changes no domain table (issue 13): the one
# API write a read-only token, like a regulator's, may make.
READ_ONLY_MAY = {"report-list"}


@pytest.mark.django_db
def test_a_read_only_token_is_refused_every_write_route_with_403_and_nothing_changes(
    world,
    objects,  # noqa: F811
):
    from buddying.sync.models import Change
    from tests.test_every_route import ROUTES

    _, key = token_services.token_create(user=world.buddy_exec, name="Reader", read_only=True)
    client = with_token(key)
    writes = [
        (method, route.url(objects))
        for name, route in ROUTES.items()
        for method in route.answers
        if method in ("POST", "PATCH", "PUT", "DELETE")
        and route.url(objects).startswith("/api/")
        and name not in READ_ONLY_MAY
    ]
    assert len(writes) > 20
    before = Change.objects.count()

    answers = {}
    for method, url in writes:
        response = getattr(client, method.lower())(url, {}, format="json")
        answers[(method, url)] = (response.status_code, response.json().get("detail", ""))

    assert {(status, "read-only" in detail) for status, detail in answers.values()} == {
        (403, True)
    }, answers
    assert Change.objects.count() == before
    assert AuthToken.objects.filter(user=world.buddy_exec).count() == 2  # the table's and this


@pytest.mark.django_db
def test_a_second_use_within_the_minute_writes_nothing(world, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    key = api_as(world.buddy_pm).post(URL, {"name": "Busy"}).json()["key"]
    client = with_token(key)
    client.get(URL)  # the first use is noted

    with CaptureQueriesContext(connection) as context:
        for _ in range(3):
            assert client.get(URL).status_code == 200

    written = [
        q["sql"] for q in context.captured_queries if q["sql"].lstrip().upper().startswith(
            ("UPDATE", "INSERT", "DELETE"))
    ]  # fmt: skip
    assert written == []


@pytest.mark.django_db
def test_an_administrator_revokes_tokens_in_the_admin_site_and_they_answer_401(world, client):
    _, one = token_services.token_create(user=world.buddy_pm, name="One")
    _, two = token_services.token_create(user=world.supported_exec, name="Two")
    _, kept = token_services.token_create(user=world.buddy_exec, name="Kept")
    admin = type(world.buddy_pm).objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)
    first = TokenDetails.objects.get(name="One")

    deleted = client.post(
        f"/admin/tokens/tokendetails/{first.pk}/delete/", {"post": "yes"}, follow=False
    )
    assert deleted.status_code == 302
    bulk = client.post(
        "/admin/tokens/tokendetails/",
        {
            "action": "delete_selected",
            "_selected_action": [str(TokenDetails.objects.get(name="Two").pk)],
            "post": "yes",
        },
    )
    assert bulk.status_code == 302

    assert with_token(one).get("/api/v1/partnerships/").status_code == 401
    assert with_token(two).get("/api/v1/partnerships/").status_code == 401
    assert with_token(kept).get("/api/v1/partnerships/").status_code == 200
    assert list(TokenDetails.objects.values_list("name", flat=True)) == ["Kept"]
