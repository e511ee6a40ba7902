"""Issue 8, "Nothing lost, nobody in": sign-in lockout, session limits and security headers."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import PASSWORD

SIGN_IN = reverse("login")
ADMIN_SIGN_IN = reverse("admin:login")


def sign_in(client, username, password, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password}, **extra)


# --- lockout -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, world):
    for _ in range(4):
        response = sign_in(client, "buddy_pm", "not-the-password")
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()

    fifth = sign_in(client, "buddy_pm", "not-the-password")
    assert fifth.status_code == 429
    assert "You cannot sign in at the moment" in fifth.content.decode()

    response = sign_in(client, "buddy_pm", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "You cannot sign in at the moment" in page
    assert "Wait 15 minutes, then try again" in page
    assert f'href="{SIGN_IN}"' in page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_the_lock_is_per_account_from_any_address(client, world):
    for _ in range(5):
        sign_in(client, "buddy_pm", "not-the-password", REMOTE_ADDR="10.0.0.1")

    response = sign_in(client, "buddy_pm", PASSWORD, REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 429


@pytest.mark.django_db
def test_the_lock_is_per_address_for_any_account(client, world):
    for username in ["buddy_pm", "buddy_exec", "buddy_viewer", "regulator", "outsider"]:
        sign_in(client, username, "not-the-password", REMOTE_ADDR="10.0.0.1")

    response = sign_in(client, "supported_pm", PASSWORD, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 429


@pytest.mark.django_db
def test_another_person_at_another_address_is_not_locked_out(client, world):
    for _ in range(5):
        sign_in(client, "buddy_pm", "not-the-password", REMOTE_ADDR="10.0.0.1")

    response = sign_in(client, "supported_pm", PASSWORD, REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 302
    assert response.url == reverse("dashboard")


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(client, world):
    for _ in range(5):
        sign_in(client, "buddy_pm", "not-the-password")
    assert sign_in(client, "buddy_pm", PASSWORD).status_code == 429

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = sign_in(client, "buddy_pm", PASSWORD)

    assert response.status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_is_locked_out_too(client):
    get_user_model().objects.create_superuser("admin", "admin@example.nhs.uk", "pw-for-admin")
    for _ in range(5):
        client.post(ADMIN_SIGN_IN, {"username": "admin", "password": "wrong"})

    response = client.post(ADMIN_SIGN_IN, {"username": "admin", "password": "pw-for-admin"})

    assert response.status_code == 429
    assert "You cannot sign in at the moment" in response.content.decode()
    assert client.get("/admin/").status_code == 302


# --- session limits ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_session_ends_after_30_minutes_idle_and_the_sign_in_page_says_why(client, world):
    client.force_login(world.buddy_pm)
    assert client.get(reverse("dashboard")).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(minutes=29)):
        assert client.get(reverse("dashboard")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=29 + 31)):
        response = client.get(reverse("dashboard"), follow=True)

    assert response.redirect_chain[0][0].startswith(SIGN_IN)
    page = response.content.decode()
    assert "You were signed out because you had not used Buddying for 30 minutes." in page
    # Said once only.
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert "You were signed out" not in client.get(SIGN_IN).content.decode()


@pytest.mark.django_db
def test_a_session_ends_12_hours_after_sign_in_however_active(client, world):
    start = timezone.now()
    client.force_login(world.buddy_pm)
    for minutes in range(20, 12 * 60, 20):  # a request every 20 minutes: never idle
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get(reverse("dashboard")).status_code == 200

    with time_machine.travel(start + timedelta(hours=12, minutes=1)):
        response = client.get(reverse("dashboard"), follow=True)

    assert response.redirect_chain[0][0].startswith(SIGN_IN)
    assert (
        "You were signed out because you had been signed in for 12 hours."
        in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signing_out_says_nothing_about_a_session_ending(client, world):
    client.force_login(world.buddy_pm)
    client.get(reverse("dashboard"))

    response = client.post(reverse("logout"), follow=True)

    assert response.redirect_chain[-1][0] == SIGN_IN
    assert "You were signed out because" not in response.content.decode()


def test_session_settings():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_MAX_AGE == 12 * 60 * 60


# --- headers -------------------------------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.django_db
def test_pages_have_a_strict_content_security_policy(client, world):
    client.force_login(world.buddy_pm)
    response = client.get(reverse("partnerships:detail", args=[world.partnership.pk]))

    assert response.status_code == 200
    directives = csp_directives(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert directives["default-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'self'"]
    # The one inline script (NHS.UK's js-enabled marker) carries this response's nonce.
    (nonce,) = [v for v in directives["script-src"] if v.startswith("'nonce-")]
    assert directives["script-src"] == ["'self'", nonce]
    assert f'<script nonce="{nonce[7:-1]}">' in response.content.decode()


@pytest.mark.django_db
def test_templates_have_no_inline_script_or_style(client, world):
    import re

    client.force_login(world.buddy_pm)
    for url in [
        reverse("dashboard"),
        reverse("partnerships:list"),
        reverse("partnerships:detail", args=[world.partnership.pk]),
    ]:
        html = client.get(url).content.decode()
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all('src="' in tag or "nonce=" in tag for tag in scripts), (url, scripts)
        assert "<style" not in html, url
        assert " style=" not in html, url


@pytest.mark.django_db
def test_a_signed_in_page_is_not_stored_and_has_a_permissions_policy(client, world):
    client.force_login(world.buddy_pm)

    response = client.get(reverse("partnerships:detail", args=[world.partnership.pk]))

    assert "no-store" in response["Cache-Control"]
    assert response["Permissions-Policy"] == (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    )


@pytest.mark.django_db
def test_an_api_response_is_not_stored_and_has_the_headers(api_as, world):
    response = api_as(world.regulator).get("/api/v1/partnerships/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Permissions-Policy" in response
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_an_api_error_is_not_stored_either(api_client):
    response = api_client.get("/api/v1/partnerships/")

    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]


def test_healthz_keeps_its_own_headers(client, db):
    response = client.get(reverse("healthz"))

    assert "Permissions-Policy" in response
    assert "no-cache" in response["Cache-Control"]  # never_cache on the view itself


def test_the_api_docs_run_no_inline_script(client, db):
    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html
    assert f'src="{reverse("api-docs")}?script=' in html
    # It sits in the service's layout, with no inline style to allow.
    assert csp_directives(response)["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert 'class="nhsuk-header' in html
    assert 'class="nhsuk-breadcrumb__link" href="/"' in html
