"""Screenshots of the main pages, to look at, and checks that the NHS.UK frontend really loaded.

Pictures go to the screenshot folder (``screenshot_dir`` in conftest.py).
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser

NHS_BLUE = "rgb(0, 94, 184)"


@pytest.mark.parametrize(
    ("name", "persona", "path"),
    [
        ("dashboard", "buddy_exec", lambda w: reverse("dashboard")),
        (
            "partnership",
            "supported_pm",
            lambda w: reverse("partnerships:detail", args=[w.partnership.pk]),
        ),
        ("partnership-list", "regulator", lambda w: reverse("partnerships:list")),
    ],
)
def test_page_renders_with_the_nhs_frontend(
    name, persona, path, world, page, sign_in, screenshot_dir
):
    sign_in(world.user(persona))
    page.goto(path(world))

    page.screenshot(path=screenshot_dir / f"{name}.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=screenshot_dir / f"{name}-mobile.png", full_page=True)

    # The CSS is served and applied: the header is NHS Blue and the page is in its width container.
    assert (
        page.locator("header.nhsuk-header").evaluate("e => getComputedStyle(e).backgroundColor")
        == NHS_BLUE
    )
    # The JavaScript module ran initAll(): it marks each component it sets up, the header first.
    assert page.locator("header.nhsuk-header[data-nhsuk-header-init]").count() == 1
    assert page.problems == []
