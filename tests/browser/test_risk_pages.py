"""The heat map on a phone, and adding a risk in steps with its score shown as it is chosen."""

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations, describe

pytestmark = pytest.mark.browser


def test_heat_map_fits_a_320_px_phone(world, page, sign_in):
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


def _axe_clean(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    violations = axe_violations(page)
    assert violations == [], f"{page.url} at {width} px: {describe(violations)}"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_adding_a_risk_in_steps_scores_as_you_choose_and_passes_axe(world, page, sign_in):
    """The steps of adding a risk, "Check your answers" and "Add risk", at 1280 and 320 px."""
    from risks.models import Risk

    sign_in(world.buddy_pm)
    page.goto(reverse("risks:create", args=[world.partnership.pk]))  # the old address
    assert page.url.endswith(reverse("risks:create_step", args=[world.partnership.pk, "about"]))
    assert page.locator("h1").inner_text() == "What is the risk?"
    for width in (1280, 320):
        _axe_clean(page, width)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Continue").click()  # nothing answered: the errors
    assert page.title().startswith("Error: ")
    _axe_clean(page, 1280)
    page.get_by_label("Title").fill("Loss of key clinical leaders")
    page.get_by_role("group", name="Category").get_by_label("Workforce and capacity").check()
    page.get_by_label("Royal Free London NHS Foundation Trust").check()
    page.get_by_label("Owner", exact=True).select_option(label=world.buddy_pm.get_full_name())
    page.get_by_role("button", name="Continue").click()

    # Step 2: choosing likelihood and consequence shows the score and band at once.
    assert page.locator("h1").inner_text() == "How likely is it, and how bad would it be?"
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
    inherent = page.get_by_role("group", name="Inherent risk (before any controls)")
    inherent.get_by_role("group", name="Inherent likelihood").get_by_label(
        "5 – Almost certain"
    ).check()
    inherent.get_by_role("group", name="Inherent consequence").get_by_label(
        "5 – Catastrophic"
    ).check()
    assert page.locator('[data-risk-score="inherent"]').inner_text() == "Score: Extreme 25"
    for width in (1280, 320):
        _axe_clean(page, width)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Continue").click()

    # Step 3: the target, with its own score as it is chosen, and the review.
    target = page.get_by_role("group", name="Target risk (what the actions should achieve)")
    target.get_by_role("group", name="Target likelihood").get_by_label("2 – Unlikely").check()
    target.get_by_role("group", name="Target consequence").get_by_label("3 – Moderate").check()
    assert page.locator('[data-risk-score="target"]').inner_text() == "Score: Moderate 6"
    for width in (1280, 320):
        _axe_clean(page, width)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Continue").click()

    # Check your answers: each answer with a "Change" link; changing one comes back here.
    assert page.locator("h1").inner_text() == "Check your answers before adding the risk"
    for width in (1280, 320):
        _axe_clean(page, width)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Change title").click()
    page.get_by_label("Title").fill("Loss of senior clinicians")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Check your answers before adding the risk"
    assert "Loss of senior clinicians" in page.locator("main").inner_text()
    page.get_by_role("button", name="Add risk").click()
    risk = Risk.objects.get()
    assert (risk.title, risk.current_score, risk.inherent_score) == (
        "Loss of senior clinicians",
        20,
        25,
    )
    assert page.locator("h1").inner_text() == "Loss of senior clinicians"


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
