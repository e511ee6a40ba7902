"""axe-core (WCAG 2.2 AA) on each main page, as the people who use it see it (DESIGN §8).

Add a page by adding one entry to ``PAGES``: a name, the persona who looks (``None`` for signed
out), how to get its address from the ``world``, and optionally what to do on it first.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations, describe

pytestmark = pytest.mark.browser


def submit_empty_form(page):
    page.locator("main form[method=post]").get_by_role("button").first.click()
    page.wait_for_load_state()


@dataclass(frozen=True)
class Screen:
    persona: str | None
    path: Callable
    action: Callable | None = None


PAGES = {
    "sign-in": Screen(None, lambda w: reverse("login")),
    "sign-in with errors": Screen(None, lambda w: reverse("login"), submit_empty_form),
    "sign-out confirmation": Screen("buddy_pm", lambda w: reverse("logout")),
    "dashboard": Screen("buddy_exec", lambda w: reverse("dashboard")),
    "dashboard with no membership": Screen("nobody", lambda w: reverse("dashboard")),
    "page not found": Screen("buddy_pm", lambda w: "/no-such-page/"),
    "partnership list": Screen("buddy_pm", lambda w: reverse("partnerships:list")),
    "partnership detail": Screen(
        "buddy_exec", lambda w: reverse("partnerships:detail", args=[w.partnership.pk])
    ),
}


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_wcag_22_aa_violations(name, world, page, sign_in):
    screen = PAGES[name]
    if screen.persona:
        sign_in(world.user(screen.persona))
    page.goto(screen.path(world))
    if screen.action:
        screen.action(page)

    violations = axe_violations(page)

    assert violations == [], f"{name}: {describe(violations)}"
    assert page.problems == []


def test_axe_check_reports_a_page_that_breaks_wcag(page):
    """The check itself can fail: a page with an unlabelled field and an image with no text."""
    page.set_content(
        '<html lang="en"><head><title>Broken</title></head><body><main>'
        '<h1>Broken</h1><img src="x.png"><input type="text"></main></body></html>'
    )

    found = {violation["id"] for violation in axe_violations(page)}

    assert {"image-alt", "label"} <= found
