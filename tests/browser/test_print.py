"""Printing a partnership for a board: the overview and a section page on A4 carry the date and
none of the navigation, buttons, forms or "Change" links (print media, in a browser)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from buddying.common.formatting import date_long

pytestmark = pytest.mark.browser

HIDDEN_ON_PAPER = [
    ".nhsuk-header",
    ".nhsuk-breadcrumb",
    ".app-subnav",
    ".nhsuk-button",
    ".nhsuk-footer-container",
    "main form",
    "main a:text-is('Change')",
    "main a:has-text('Add an objective')",
]


def test_the_overview_and_a_section_print_for_a_board(world, page, sign_in):
    from tests.risks.factories import RiskFactory

    world.partnership.objectives.create(title="Reduce A&E waits", baseline="62%", target="78%")
    RiskFactory(partnership=world.partnership, owner=world.buddy_exec)
    sign_in(world.buddy_exec)
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    pk = world.partnership.pk
    for path in [
        reverse("partnerships:detail", args=[pk]),
        reverse("partnerships:section", args=[pk, "risks"]),
    ]:
        page.emulate_media(media="screen")
        page.goto(path)
        on_screen = [s for s in HIDDEN_ON_PAPER if page.locator(s).first.is_visible()]
        assert ".nhsuk-header" in on_screen and ".app-subnav" in on_screen  # there to hide
        assert not page.locator(".app-print-date").is_visible()

        page.emulate_media(media="print")
        still_shown = [s for s in on_screen if page.locator(s).first.is_visible()]
        assert still_shown == [], f"{path} prints {still_shown}"
        assert page.locator(".app-print-date").inner_text() == (
            f"Printed from Buddying on {date_long(timezone.localdate())}."
        )
        assert page.locator("h1").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    # Chromium lays the print view out as an A4 PDF.
    assert page.pdf(format="A4")[:5] == b"%PDF-"
