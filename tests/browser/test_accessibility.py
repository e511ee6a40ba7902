"""axe-core (WCAG 2.2 AA) on each main page, as the people who use it see it (DESIGN §8).

Add a page by adding one entry to ``PAGES``: a name, the persona who looks (``None`` for signed
out), how to get its address from the ``world``, and optionally what to do on it first.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations, describe

pytestmark = pytest.mark.browser


def submit_empty_form(page):
    page.locator("main form[method=post]").get_by_role("button").last.click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: "), "the form was expected to show errors"


@dataclass(frozen=True)
class Screen:
    persona: str | None
    path: Callable
    action: Callable | None = None
    status: int = 200


def detail(name: str, attribute: str = "partnership"):
    """The address of a page about one object of the ``things`` fixture."""
    return lambda things: reverse(name, args=[getattr(things, attribute).pk])


PAGES = {
    "sign-in": Screen(None, lambda t: reverse("login")),
    "sign-in with errors": Screen(None, lambda t: reverse("login"), submit_empty_form),
    "sign-out confirmation": Screen("buddy_pm", lambda t: reverse("logout")),
    "dashboard": Screen("buddy_exec", lambda t: reverse("dashboard")),
    "dashboard for a regulator": Screen("regulator", lambda t: reverse("dashboard")),
    "dashboard with no membership": Screen("nobody", lambda t: reverse("dashboard")),
    "page not found": Screen("buddy_pm", lambda t: "/no-such-page/", status=404),
    "not allowed": Screen("regulator", detail("partnerships:update"), status=403),
    "partnership list": Screen("buddy_pm", lambda t: reverse("partnerships:list")),
    "partnership detail": Screen("buddy_exec", detail("partnerships:detail")),
    "partnership detail for a regulator": Screen("regulator", detail("partnerships:detail")),
    "propose partnership": Screen("buddy_pm", lambda t: reverse("partnerships:create")),
    "propose partnership with errors": Screen(
        "buddy_pm", lambda t: reverse("partnerships:create"), submit_empty_form
    ),
    "edit partnership": Screen("buddy_pm", detail("partnerships:update")),
    "change partnership status": Screen("buddy_exec", detail("partnerships:transition")),
    "add objective with errors": Screen(
        "buddy_pm", detail("partnerships:objective-add"), submit_empty_form
    ),
    "commitment": Screen("supported_viewer", detail("commitments:detail", "commitment")),
    "new commitment with errors": Screen(
        "buddy_pm", detail("commitments:create"), submit_empty_form
    ),
    "upload deliveries with errors": Screen(
        "buddy_pm", detail("commitments:upload"), submit_empty_form
    ),
    "risk register": Screen("buddy_viewer", detail("risks:register")),
    "risk heat map": Screen("buddy_viewer", detail("risks:heat_map")),
    "risk": Screen("supported_pm", detail("risks:detail", "risk")),
    "new risk, first step, with errors": Screen(
        "buddy_pm",
        lambda t: reverse("risks:create_step", args=[t.partnership.pk, "about"]),
        submit_empty_form,
    ),
    "risk appetite comparison": Screen("regulator", detail("risks:comparison")),
    "objective progress": Screen(
        "buddy_pm",
        lambda t: reverse("partnerships:objective-detail", args=[t.partnership.pk, t.objective.pk]),
    ),
    "search results": Screen("buddy_pm", lambda t: reverse("search") + "?q=royal+free"),
    "organisation risk appetite": Screen(
        "buddy_exec", lambda t: reverse("risks:appetite", args=[t.buddy.ods_code])
    ),
}


@pytest.fixture
def things(world):
    """The ``world`` with something on every page: a commitment with a delivery, a risk with an
    action, and both parties' risk appetites."""
    from tests.commitments.factories import CommitmentFactory, DeliveryFactory
    from tests.risks.factories import RiskActionFactory, RiskAppetiteFactory, RiskFactory

    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    DeliveryFactory(commitment=commitment, logged_by=world.buddy_pm)
    risk = RiskFactory(partnership=world.partnership, owner=world.buddy_exec)
    RiskActionFactory(risk=risk, owner=world.buddy_pm)
    RiskAppetiteFactory(organisation=world.buddy, tolerance=12)
    RiskAppetiteFactory(organisation=world.supported, tolerance=6)
    objective = world.partnership.objectives.create(
        title="Reduce A&E waits", measure="4-hour standard (%)", baseline="62%", target="78%"
    )
    for day, value in [(1, 64), (2, 69), (3, 71)]:
        objective.measurements.create(measured_on=f"2026-0{day}-01", value=value, note="Rota")
    return SimpleNamespace(**vars(world), commitment=commitment, risk=risk, objective=objective)


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_wcag_22_aa_violations(name, things, page, sign_in):
    screen = PAGES[name]
    if screen.persona:
        sign_in(getattr(things, screen.persona))
    response = page.goto(screen.path(things))
    assert response.status == screen.status
    if screen.action:
        screen.action(page)

    violations = axe_violations(page)

    assert violations == [], f"{name}: {describe(violations)}"
    assert page.problems == []
    # The NHS.UK page patterns axe does not check: one h1, a title "Page – Buddying – NHS".
    assert page.locator("h1").count() == 1
    assert page.title().endswith(" – Buddying – NHS")


def test_axe_check_reports_a_page_that_breaks_wcag(page):
    """The check itself can fail: a page with an unlabelled field and an image with no text."""
    page.set_content(
        '<html lang="en"><head><title>Broken</title></head><body><main>'
        '<h1>Broken</h1><img src="x.png"><input type="text"></main></body></html>'
    )

    found = {violation["id"] for violation in axe_violations(page)}

    assert {"image-alt", "label"} <= found


@pytest.mark.parametrize("name", PAGES)
def test_page_reflows_to_320_css_pixels_except_data_tables(name, things, page, sign_in):
    """WCAG 1.4.10 Reflow: at 320 CSS pixels wide (400% zoom) nothing needs scrolling sideways,
    except data tables, which the criterion allows as two-dimensional content."""
    screen = PAGES[name]
    if screen.persona:
        sign_in(getattr(things, screen.persona))
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(screen.path(things))
    if screen.action:
        screen.action(page)

    too_wide = page.evaluate(
        """() => [...document.body.querySelectorAll("*")]
          .filter(e => !e.closest("table"))
          .filter(e => { const r = e.getBoundingClientRect();
                         return r.width > 1 && r.right > window.innerWidth + 0.5; })
          .map(e => `${e.tagName.toLowerCase()}.${e.className} (${e.textContent.trim().slice(0, 40)})`)"""
    )

    assert too_wide == []


FORMS_WITH_ERRORS = [name for name, screen in PAGES.items() if screen.action is submit_empty_form]


@pytest.mark.parametrize("name", FORMS_WITH_ERRORS)
def test_every_error_summary_link_focuses_its_field(name, things, page, sign_in):
    screen = PAGES[name]
    if screen.persona:
        sign_in(getattr(things, screen.persona))
    page.goto(screen.path(things))
    screen.action(page)

    links = page.locator(".nhsuk-error-summary__list a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs, "the error summary links to no field"
    for i, href in enumerate(hrefs):
        links.nth(i).click()
        assert page.evaluate("document.activeElement.id") == href.removeprefix("#"), href


@pytest.fixture
def busy(world):
    """The ``world`` with something in every list of the home page's "Needs your attention" for
    the buddy's programme manager, and a register of more than one page."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from tests.commitments.factories import CommitmentFactory
    from tests.risks.factories import RiskActionFactory, RiskAppetiteFactory, RiskFactory

    today = timezone.localdate()
    world.partnership.status = "active"
    world.partnership.save()
    RiskAppetiteFactory(organisation=world.buddy, category="strategic", tolerance=4)
    risk = RiskFactory(
        partnership=world.partnership,
        owner=world.buddy_pm,
        category="strategic",
        current_likelihood=5,
        current_consequence=5,
        next_review_date=today - timedelta(days=10),
    )
    RiskActionFactory(risk=risk, owner=world.buddy_pm, due_date=today - timedelta(days=5))
    CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        planned_quantity=Decimal("100"),
        start_date=today - timedelta(days=90),
        end_date=today + timedelta(days=270),
    )
    for index in range(55):
        RiskFactory(partnership=world.partnership, owner=world.buddy_exec, title=f"Risk {index}")
    return world


@pytest.mark.parametrize(
    "path",
    [
        lambda w: reverse("dashboard"),
        lambda w: reverse("risks:register", args=[w.partnership.pk]) + "?sort=title&page=2",
    ],
    ids=["home with every attention list", "risk register page 2"],
)
def test_plain_loop_tables_have_no_wcag_22_aa_violations(path, busy, page, sign_in):
    """The home's attention tables and the register are drawn by macros/plain.jinja."""
    sign_in(busy.buddy_pm)
    response = page.goto(path(busy))
    assert response.status == 200
    tables = page.locator("table.nhsuk-table")
    assert tables.count() >= 1
    if "risks" in page.url:
        assert page.locator("nav.nhsuk-pagination").count() == 1
    else:  # every attention table is there: reviews, actions, behind plan, appetite, to log
        for key in ("risk-reviews", "risk-actions", "behind", "appetite", "to-log"):
            assert page.locator(f"#{key} table").count() == 1, key

    violations = axe_violations(page)

    assert violations == [], describe(violations)
    assert page.problems == []
