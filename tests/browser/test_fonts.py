"""The Frutiger typeface comes from the NHS asset host, as the NHS.UK frontend's stylesheet asks
(``https://assets.nhs.uk/fonts/…``); the Content Security Policy allows that host by name; and
when the host cannot be reached the pages are still whole, in the system font.

The tests never reach the real host: the browser's requests to it are answered by the test (with
a stand-in web font) or refused, so the result does not depend on the network.
"""

from pathlib import Path

import pytest
import rest_framework
from django.urls import reverse

from tests.browser.conftest import axe_violations, describe

pytestmark = pytest.mark.browser

NHS_FONTS = "https://assets.nhs.uk/fonts/**"
# Any real web font will do as the stand-in: one that ships with a dependency we install anyway.
STAND_IN = (
    Path(rest_framework.__file__).parent
    / "static/rest_framework/fonts/glyphicons-halflings-regular.woff2"
)
RECORD_CSP_VIOLATIONS = """
  window.cspViolations = [];
  document.addEventListener("securitypolicyviolation",
    e => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
FRUTIGER_STATUSES = """async () => {
  await document.fonts.ready;
  return [...document.fonts].filter(f => f.family.replace(/"/g, "") === "Frutiger W01")
    .map(f => `${f.weight} ${f.status}`).sort();
}"""


def _body_font(page) -> str:
    return page.evaluate("getComputedStyle(document.body).fontFamily")


def test_frutiger_loads_from_the_nhs_asset_host_which_the_policy_allows(world, page, sign_in):
    asked = []

    def answer(route):
        asked.append(route.request.url)
        route.fulfill(
            body=STAND_IN.read_bytes(),
            headers={"Content-Type": "font/woff2", "Access-Control-Allow-Origin": "*"},
        )

    page.route(NHS_FONTS, answer)
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    sign_in(world.buddy_exec)
    page.goto(reverse("partnerships:detail", args=[world.partnership.pk]))

    statuses = page.evaluate(FRUTIGER_STATUSES)

    assert "https://assets.nhs.uk/fonts/FrutigerLTW01-55Roman.woff2" in asked
    assert "400 loaded" in statuses
    assert page.evaluate("window.cspViolations") == []
    assert _body_font(page).startswith('"Frutiger W01"')
    assert page.problems == []


def test_without_the_nhs_asset_host_pages_are_whole_in_the_system_font(world, page, sign_in):
    page.route(NHS_FONTS, lambda route: route.abort("connectionrefused"))
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    sign_in(world.buddy_exec)
    response = page.goto(reverse("partnerships:detail", args=[world.partnership.pk]))

    statuses = page.evaluate(FRUTIGER_STATUSES)

    assert response.status == 200
    assert statuses and all(status.endswith(" error") for status in statuses)
    # The stylesheet's stack falls back to Arial, then the system's sans-serif.
    assert _body_font(page).replace('"', "") == "Frutiger W01, arial, sans-serif"
    assert page.get_by_role("heading", level=1).is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.evaluate("window.cspViolations") == []
    assert page.problems == []
