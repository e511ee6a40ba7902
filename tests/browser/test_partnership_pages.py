"""The partnership overview, its section pages, the home pages and the portfolio in a browser:
no axe (WCAG 2.2 AA) violation, and no sideways scroll on a 390 px phone; the organisation
type-ahead works from the keyboard and leaves a plain select without JavaScript."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations, describe

pytestmark = pytest.mark.browser

SECTIONS = ["commitments", "risks", "agreements", "secondments", "reviews", "learning"]


@pytest.fixture
def things(world):
    from tests.commitments.factories import CommitmentFactory, DeliveryFactory
    from tests.risks.factories import RiskActionFactory, RiskAppetiteFactory, RiskFactory

    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    DeliveryFactory(commitment=commitment, logged_by=world.buddy_pm)
    risk = RiskFactory(partnership=world.partnership, owner=world.buddy_exec)
    RiskActionFactory(risk=risk, owner=world.buddy_pm)
    RiskAppetiteFactory(organisation=world.buddy, tolerance=4)
    return SimpleNamespace(**vars(world), commitment=commitment, risk=risk)


def _pages(t):
    pk = t.partnership.pk
    return [
        ("buddy_exec", reverse("dashboard")),
        ("buddy_pm", reverse("dashboard")),
        ("regulator", reverse("dashboard")),
        ("buddy_viewer", reverse("portfolio")),
        ("buddy_exec", reverse("partnerships:detail", args=[pk])),
        ("regulator", reverse("partnerships:history", args=[pk])),
        *(("supported_pm", reverse("partnerships:section", args=[pk, name])) for name in SECTIONS),
    ]


def _sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_main_pages_pass_axe_and_never_scroll_sideways(things, page, sign_in, width):
    page.set_viewport_size({"width": width, "height": 900})
    signed_in_as = None
    for persona, path in _pages(things):
        if persona != signed_in_as:
            page.context.clear_cookies()
            sign_in(getattr(things, persona))
            signed_in_as = persona
        response = page.goto(path)
        assert response.status == 200, path
        violations = axe_violations(page)
        assert violations == [], f"{path} at {width}px: {describe(violations)}"
        assert _sideways(page) <= 0, f"{path} scrolls sideways at {width}px"
        assert page.locator("h1").count() == 1
    assert page.problems == []


def test_the_sub_navigation_leads_to_each_section(things, page, sign_in):
    sign_in(things.buddy_viewer)
    page.goto(reverse("partnerships:detail", args=[things.partnership.pk]))
    page.get_by_role("navigation", name="Partnership sections").get_by_role(
        "link", name="Risks"
    ).click()
    page.wait_for_url("**/sections/risks/")
    current = page.locator('.app-subnav [aria-current="page"]')
    assert current.inner_text() == "Risks"


def test_the_organisation_type_ahead_works_from_the_keyboard(things, page, sign_in):
    sign_in(things.buddy_pm)
    page.goto(reverse("partnerships:create"))
    supported = page.locator("input#id_supported")
    supported.wait_for()
    supported.focus()
    page.keyboard.type("Basil")
    option = page.locator("#id_supported__listbox li").first
    option.wait_for()
    assert "Basildon" in option.inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    # The hidden select (what the form posts) now holds the chosen organisation.
    assert page.locator("select#id_supported-select").input_value() == "RDD"
    assert axe_violations(page) == []
    assert page.problems == []


def test_without_javascript_the_organisation_field_is_a_select(browser, live_server, things):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(things.buddy_pm.get_username())
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.goto(reverse("partnerships:create"))
    assert page.locator("select#id_buddy").input_value() == "RAL"  # the person's own trust
    assert page.locator("select#id_supported").count() == 1
    context.close()
