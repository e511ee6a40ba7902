"""The heat map on a phone and the risk form's score as it is chosen, in a browser."""

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations, describe

pytestmark = pytest.mark.browser


def test_heat_map_fits_a_320_px_phone_and_the_risk_form_scores_as_you_choose(world, page, sign_in):
    from tests.risks.factories import RiskFactory

    RiskFactory(
        partnership=world.partnership,
        owner=world.buddy_pm,
        inherent_likelihood=5,
        inherent_consequence=5,
        current_likelihood=5,
        current_consequence=5,
        target_likelihood=1,
        target_consequence=1,
    )
    sign_in(world.buddy_pm)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(reverse("risks:heat_map", args=[world.partnership.pk]))

    # Consequence 4 and 5 are on screen, not off to the side, and nothing scrolls sideways.
    extreme = page.locator(".app-heat__cell--extreme a")
    assert extreme.inner_text().split()[0] == "1"
    box = extreme.bounding_box()
    assert box["x"] + box["width"] <= 320
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.locator(".app-heat__cell--extreme .app-heat__band").inner_text() == "Extreme 25"

    # The form: choosing likelihood and consequence shows the score and band at once.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(reverse("risks:create", args=[world.partnership.pk]))
    score = page.locator('[data-risk-score="current"]')
    assert "not worked out" in score.inner_text()
    current = page.get_by_role("group", name="Current risk (with the controls in place now)")
    current.get_by_role("group", name="Current likelihood").get_by_label("4 – Likely").check()
    assert "not worked out" in score.inner_text()
    current.get_by_role("group", name="Current consequence").get_by_label("3 – Moderate").check()
    assert score.inner_text() == "Score: High 12"
    assert score.get_attribute("aria-live") == "polite"
    current.get_by_role("group", name="Current consequence").get_by_label(
        "5 – Catastrophic"
    ).check()
    assert score.inner_text() == "Score: Extreme 20"
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_long_words_and_pasted_text_wrap_rather_than_widen_the_page(world, page, sign_in):
    """A 20,000-character note once made a page 190,675 px wide: unbroken text wraps, at 320 px."""
    from tests.commitments.factories import CommitmentFactory, DeliveryFactory
    from tests.risks.factories import RiskFactory

    word = "x" * 20_000
    risk = RiskFactory(
        partnership=world.partnership, owner=world.buddy_pm, title="y" * 200, description=word
    )
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    DeliveryFactory(commitment=commitment, note=word)
    sign_in(world.buddy_viewer)
    page.set_viewport_size({"width": 320, "height": 800})
    for path in [
        reverse("risks:detail", args=[risk.pk]),
        reverse("risks:register", args=[world.partnership.pk]),
        reverse("commitments:detail", args=[commitment.pk]),
    ]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
