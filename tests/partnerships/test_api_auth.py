"""API authentication: ``Authorization: Token <key>`` (knox, stored hashed) and the browser session."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

URL = "/api/v1/partnerships/"


def with_token(token: str, prefix: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{prefix} {token}")
    return client


@pytest.mark.django_db
def test_a_token_authenticates_as_its_user(world):
    _, token = AuthToken.objects.create(world.buddy_viewer, expiry=timedelta(days=1))

    response = with_token(token).get(URL)

    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [world.partnership.reference]


@pytest.mark.django_db
def test_a_token_can_write_what_its_user_may(world):
    _, token = AuthToken.objects.create(world.buddy_pm, expiry=timedelta(days=1))

    response = with_token(token).patch(
        f"{URL}{world.partnership.pk}/", {"title": "Renamed"}, format="json"
    )

    assert response.status_code == 200
    world.partnership.refresh_from_db()
    assert world.partnership.history.first().history_user == world.buddy_pm


@pytest.mark.django_db
def test_a_token_writes_without_a_csrf_token(world):
    _, token = AuthToken.objects.create(world.buddy_pm, expiry=timedelta(days=1))
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = client.patch(f"{URL}{world.partnership.pk}/", {"title": "Renamed"}, format="json")

    assert response.status_code == 200


def test_no_credentials_is_401_with_a_challenge(api_client, db):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_an_expired_token_is_401(world):
    _, token = AuthToken.objects.create(world.regulator, expiry=timedelta(days=1))
    assert with_token(token).get(URL).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        response = with_token(token).get(URL)

    assert response.status_code == 401
    assert not AuthToken.objects.exists()  # knox removes an expired token when it is tried


@pytest.mark.django_db
def test_a_revoked_token_is_401(world):
    instance, token = AuthToken.objects.create(world.regulator, expiry=timedelta(days=1))
    instance.delete()

    assert with_token(token).get(URL).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("token", "prefix"),
    [
        ("not-a-real-token", "Token"),
        ("", "Token"),
        ("two words", "Token"),
        ("é" * 64, "Token"),
    ],
)
def test_a_bad_token_is_401(world, token, prefix):
    AuthToken.objects.create(world.regulator, expiry=timedelta(days=1))

    assert with_token(token, prefix).get(URL).status_code == 401


@pytest.mark.django_db
def test_another_scheme_is_not_accepted(world):
    _, token = AuthToken.objects.create(world.regulator, expiry=timedelta(days=1))

    assert with_token(token, "Bearer").get(URL).status_code == 401


@pytest.mark.django_db
def test_a_token_of_a_deactivated_user_is_401(world):
    _, token = AuthToken.objects.create(world.regulator, expiry=timedelta(days=1))
    world.regulator.is_active = False
    world.regulator.save()

    assert with_token(token).get(URL).status_code == 401


@pytest.mark.django_db
def test_the_token_is_stored_hashed(world):
    instance, token = AuthToken.objects.create(world.regulator, expiry=timedelta(days=1))

    assert token not in instance.digest
    assert not AuthToken.objects.filter(digest=token).exists()


@pytest.mark.django_db
def test_token_authentication_adds_a_fixed_number_of_queries(world):
    _, token = AuthToken.objects.create(world.regulator, expiry=timedelta(days=1))
    client = with_token(token)

    with CaptureQueriesContext(connection) as first:
        assert client.get(URL).status_code == 200
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200

    # The first use notes when the token was last used (one write); later uses within the
    # minute write nothing.
    assert len(first) <= 7
    assert len(context) <= 6


# --- the browser session -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_in_browser_session_reads_the_api(world, client):
    client.force_login(world.buddy_viewer)

    response = client.get(URL, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.django_db
def test_a_session_write_needs_the_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.buddy_pm)

    response = client.patch(f"{URL}{world.partnership.pk}/", {"title": "Renamed"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# --- throttling ----------------------------------------------------------------------------------


@pytest.fixture
def rates(monkeypatch):
    """Small throttle rates for one test. DRF copies the rates onto the throttle class when it is
    defined, so the class attribute is what has to change."""

    def set_rates(**rates):
        monkeypatch.setattr(
            SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **rates}
        )

    return set_rates


@pytest.mark.django_db
def test_a_token_over_its_rate_gets_429_with_retry_after(world, rates):
    rates(user="3/minute")
    _, token = AuthToken.objects.create(world.regulator, expiry=timedelta(days=1))
    client = with_token(token)
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]

    response = client.get(URL)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    # Another user's token is counted on its own.
    _, other = AuthToken.objects.create(world.buddy_viewer, expiry=timedelta(days=1))
    assert with_token(other).get(URL).status_code == 200


@pytest.mark.django_db
def test_anonymous_requests_over_the_rate_get_429_per_address(api_client, rates):
    rates(anon="2/minute")
    schema = "/api/schema/"  # open to anyone
    assert api_client.get(schema).status_code == 200
    assert api_client.get(schema).status_code == 200

    response = api_client.get(schema)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert api_client.get(schema, REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.mark.django_db
def test_repeated_bad_tokens_from_an_address_get_429_with_retry_after(world, rates):
    rates(failed_token="3/hour")
    _, token = AuthToken.objects.create(world.regulator, expiry=timedelta(days=1))
    for guess in ["guess-1", "guess-2", "guess-3"]:
        assert with_token(guess).get(URL).status_code == 401

    refused = with_token("guess-4").get(URL)
    # Once throttled, the address cannot try even a real token: guessing learns nothing.
    also_refused = with_token(token).get(URL)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert also_refused.status_code == 429
    # Another address is not affected.
    assert with_token(token).get(URL, REMOTE_ADDR="10.0.0.9").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        assert with_token(token).get(URL).status_code == 200


@pytest.mark.django_db
def test_good_tokens_are_not_counted_as_failures(world, rates):
    rates(failed_token="2/hour")
    _, token = AuthToken.objects.create(world.regulator, expiry=timedelta(days=1))

    assert [with_token(token).get(URL).status_code for _ in range(4)] == [200] * 4


def test_behind_a_proxy_the_forwarded_address_is_counted(db, rates, settings):
    settings.NUM_PROXIES = 1
    rates(failed_token="1/hour")
    assert with_token("guess").get(URL, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 401

    assert with_token("guess").get(URL, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert with_token("guess").get(URL, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 401
