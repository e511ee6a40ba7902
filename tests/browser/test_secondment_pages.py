"""Secondment pages in a browser: no axe (WCAG 2.2 AA) violation and no sideways scroll at 320 px,
and the talent-pool warning's button raising its risk with JavaScript turned off."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships.secondments import services
from tests.browser.conftest import PASSWORD, axe_violations, describe
from tests.secondments.factories import record

pytestmark = pytest.mark.browser

BUTTON = "Raise a workforce and capacity risk in "


@pytest.fixture
def stretched(world):
    """The buddy has 1.6 FTE of medical staff away without backfill of 20 (8%, above 5%), one
    backfilled nurse, and one secondment that ended with what the person learned."""
    today = timezone.localdate()
    running = {"start_date": today - dt.timedelta(days=30), "end_date": today + dt.timedelta(180)}
    record(world, staff_reference="A", fte=Decimal("1"), **running)
    record(world, staff_reference="B", fte=Decimal("0.6"), **running)
    record(world, staff_reference="C", staff_group="nursing_midwifery", backfilled=True, **running)
    ended = record(
        world,
        staff_reference="D",
        start_date=today - dt.timedelta(days=200),
        end_date=today - dt.timedelta(days=10),
    )
    services.secondment_end(
        secondment=ended, by=world.buddy_pm, learning_outcomes="Led the flow programme."
    )
    services.establishment_set(
        organisation=world.buddy, staff_group="medical_dental", fte=Decimal("20"), by=world.buddy_pm
    )
    return SimpleNamespace(**vars(world), ended=ended)


def _pages(t):
    pk = t.partnership.pk
    return [
        ("buddy_pm", reverse("secondments:capacity", args=["RAL"])),
        ("supported_viewer", reverse("secondments:capacity", args=["RAL"])),
        ("buddy_viewer", reverse("secondments:list", args=[pk])),
        ("regulator", reverse("secondments:development", args=[pk])),
        ("supported_pm", reverse("secondments:detail", args=[t.ended.pk])),
        ("buddy_pm", reverse("secondments:create", args=[pk])),
        ("buddy_pm", reverse("secondments:capacity-settings", args=["RAL"])),
    ]


def test_secondment_pages_have_no_wcag_violations_and_reflow(stretched, page, sign_in):
    for persona, path in _pages(stretched):
        page.context.clear_cookies()
        sign_in(getattr(stretched, persona))
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            assert page.goto(path).status == 200, path
            violations = axe_violations(page)
            assert violations == [], f"{path} at {width}px: {describe(violations)}"
            too_wide = page.evaluate(
                """() => [...document.body.querySelectorAll("*")]
                  .filter(e => !e.closest("table"))
                  .filter(e => { const r = e.getBoundingClientRect();
                                 return r.width > 1 && r.right > window.innerWidth + 0.5; })
                  .map(e => e.tagName)"""
            )
            assert too_wide == [], f"{path} scrolls sideways at {width}px"
        assert page.locator("h1").count() == 1
    assert page.problems == []


def test_the_warning_button_raises_the_risk_without_javascript(stretched, browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(reverse("login"))
        page.get_by_label("Username").fill(stretched.buddy_pm.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**{reverse('dashboard')}")

        page.goto(reverse("secondments:capacity", args=["RAL"]))
        page.get_by_role("button", name=f"{BUTTON}{stretched.partnership.reference}").click()
        page.wait_for_url("**/risks/*/")
        body = page.locator("main").inner_text()
        assert "Risk R-001 added to" in body
        assert "Workforce and capacity" in body

        page.goto(reverse("secondments:capacity", args=["RAL"]))
        assert page.get_by_role("button", name=BUTTON).count() == 0
        page.get_by_role("link", name="risk R-001").click()
        page.wait_for_url("**/risks/*/")
    finally:
        context.close()
