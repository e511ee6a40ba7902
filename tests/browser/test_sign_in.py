"""Signing in and out in a real browser, and the error-summary pattern on the sign-in form."""

import pytest
from django.urls import reverse

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_page_has_no_account_area_linking_to_itself(page):
    page.goto(reverse("login"))

    assert page.locator("header .nhsuk-header__account").count() == 0
    assert page.get_by_role("link", name="Sign in").count() == 0


def test_empty_sign_in_shows_error_summary_and_error_title(page):
    page.goto(reverse("login"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    summary = page.locator(".nhsuk-error-summary")
    assert summary.get_by_role("heading").inner_text() == "There is a problem"
    assert page.title().startswith("Error: ")
    assert page.title() == "Error: Sign in – Buddying – NHS"
    # The same messages inline, beside each field.
    assert page.locator("#id_username-error").inner_text().endswith("Enter your username")
    assert page.locator("#id_password-error").inner_text().endswith("Enter your password")


def test_error_summary_takes_focus_when_the_page_loads(page):
    page.goto(reverse("login"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.wait_for_function("document.activeElement.classList.contains('nhsuk-error-summary')")


@pytest.mark.parametrize(
    ("link_text", "field_id"),
    [("Enter your username", "id_username"), ("Enter your password", "id_password")],
)
def test_error_summary_link_moves_focus_to_its_field(page, link_text, field_id):
    page.goto(reverse("login"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.locator(".nhsuk-error-summary").get_by_role("link", name=link_text).click()

    assert page.evaluate("document.activeElement.id") == field_id


def test_wrong_password_keeps_the_username_typed(world, page):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill("buddy_pm")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    assert page.title().startswith("Error: ")
    assert (
        "Enter a correct username and password" in page.locator(".nhsuk-error-summary").inner_text()
    )
    assert page.get_by_label("Username").input_value() == "buddy_pm"
    assert page.get_by_label("Password").input_value() == ""


def test_sign_in_then_sign_out(world, page):
    page.goto(reverse("dashboard"))
    page.wait_for_url(f"**{reverse('login')}?next=/")

    page.get_by_label("Username").fill("supported_pm")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{reverse('dashboard')}")
    header = page.locator("header")
    assert "BASILDON AND THURROCK" in header.inner_text().upper()
    assert page.get_by_role("heading", level=1).inner_text() == "Home"

    header.get_by_role("link", name="Sign out").click()
    page.wait_for_url(f"**{reverse('logout')}")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign out of Buddying"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"**{reverse('login')}")

    # Signed out: the dashboard sends you back to sign in.
    page.goto(reverse("dashboard"))
    page.wait_for_url(f"**{reverse('login')}?next=/")
    assert page.get_by_role("link", name="Sign out").count() == 0


# --- the Content Security Policy, in a browser that enforces it ----------------------------------

CSP_LISTENER = """
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
"""


def csp_problems(page) -> list[str]:
    return page.evaluate("window.__cspViolations") + [
        message for message in page.console_errors if "Content Security Policy" in message
    ]


@pytest.fixture
def watched(page):
    """The page, recording every Content Security Policy violation and console error."""
    page.add_init_script(CSP_LISTENER)
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    return page


def test_pages_work_under_the_content_security_policy(world, watched, sign_in):
    page = watched
    page.goto(reverse("login"))
    # NHS.UK's inline marker ran (with the nonce) and so did the frontend's components.
    page.wait_for_function("document.body.classList.contains('nhsuk-frontend-supported')")
    assert csp_problems(page) == []

    sign_in(world.buddy_pm)
    for url in [
        reverse("dashboard"),
        reverse("partnerships:list"),
        reverse("partnerships:detail", args=[world.partnership.pk]),
        reverse("risks:register", args=[world.partnership.pk]),
        reverse("risks:heat_map", args=[world.partnership.pk]),
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert csp_problems(page) == [], url
        # The NHS.UK components were started by the script in the static file.
        page.wait_for_selector("[data-module='nhsuk-header'][data-nhsuk-header-init]")
    assert page.problems == []


def test_the_lockout_page_after_five_wrong_passwords(world, watched):
    page = watched
    for _ in range(5):
        page.goto(reverse("login"))
        page.get_by_label("Username").fill("buddy_pm")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "You cannot sign in at the moment"
    assert page.title() == "You cannot sign in at the moment – Buddying – NHS"
    page.get_by_role("link", name="Go back to sign in").click()
    page.get_by_label("Username").fill("buddy_pm")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot sign in at the moment"
    assert csp_problems(page) == []


def test_the_api_documentation_works_under_the_content_security_policy(world, watched, sign_in):
    page = sign_in(world.regulator)

    page.goto(reverse("api-docs"))
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)

    assert page.locator(".swagger-ui .opblock").count() > 10
    assert csp_problems(page) == []
