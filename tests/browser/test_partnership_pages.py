"""The partnership overview, its section pages, the home pages, the portfolio, the risk register
and heat map, capacity and the learning library in a browser: no axe (WCAG 2.2 AA) violation, and
no sideways scroll at 1280 px nor at 320 px (a phone, or 400% zoom), with a screenshot of each kept; the organisation
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
    """Each main page: a name for its screenshot, who looks, its address."""
    pk = t.partnership.pk
    return [
        ("home-executive", "buddy_exec", reverse("dashboard")),
        ("home-programme-manager", "buddy_pm", reverse("dashboard")),
        ("home-viewer", "buddy_viewer", reverse("dashboard")),
        ("portfolio", "buddy_viewer", reverse("portfolio")),
        ("home-regulator", "regulator", reverse("dashboard")),
        ("partnership-history", "regulator", reverse("partnerships:history", args=[pk])),
        ("partnership-overview", "buddy_exec", reverse("partnerships:detail", args=[pk])),
        ("capacity", "buddy_exec", reverse("secondments:capacity", args=[t.buddy.ods_code])),
        *(
            (f"section-{name}", "supported_pm", reverse("partnerships:section", args=[pk, name]))
            for name in SECTIONS
        ),
        ("risk-register", "supported_pm", reverse("risks:register", args=[pk])),
        ("risk-heat-map", "supported_pm", reverse("risks:heat_map", args=[pk])),
        ("learning-library", "supported_pm", reverse("reviews:library")),
    ]


def _sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", [1280, 320])
def test_main_pages_pass_axe_and_never_scroll_sideways(
    things, page, sign_in, width, screenshot_dir
):
    """Each page's screenshot is kept, as ``<width>/<name>.png`` in the screenshot folder."""
    page.set_viewport_size({"width": width, "height": 900})
    (screenshot_dir / str(width)).mkdir(exist_ok=True)
    signed_in_as = None
    for name, persona, path in _pages(things):
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
        page.screenshot(path=screenshot_dir / str(width) / f"{name}.png", full_page=True)
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
