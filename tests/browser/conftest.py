"""Browser tests: headless Chromium from Debian's ``chromium`` package, driven by Playwright.

Playwright never downloads a browser here: the tests launch the system Chromium (``CHROMIUM``,
default ``/usr/bin/chromium``). If it is missing the tests fail, not skip, so CI cannot pass
without them. axe-core comes from ``node_modules`` (``npm ci``), like the NHS.UK frontend.

Run them alone with ``.venv/bin/pytest -m browser``. The screenshots of the main pages the run
takes (at 1280 and 320 px, by test_partnership_pages.py) are kept in ``test-results/screenshots/``
(git-ignored), or in ``BROWSER_SCREENSHOTS=<dir>``.
"""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

# Playwright's sync API runs an event loop in this thread; Django would then refuse ORM calls
# from fixtures ("You cannot call this from an async context"). The loop never runs our code
# concurrently, so allowing it is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Containers often give /dev/shm only 64 MB, too little for Chromium's shared memory.
    "--disable-dev-shm-usage",
]
AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 AA (DESIGN §8): every A and AA rule up to 2.2.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"No Chromium at {CHROMIUM}. Install Debian's package: apt-get install chromium "
            "(or set CHROMIUM to its path). Never `playwright install`."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where the run leaves its screenshots, to be looked at (CI keeps them as artefacts)."""
    path = Path(
        os.environ.get("BROWSER_SCREENSHOTS")
        or Path(settings.BASE_DIR) / "test-results" / "screenshots"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) on the live server, for one test."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} for {response.url}")
            # Any asset of ours a page asks for (styles, scripts, the icons its CSS names)
            # must answer; the page itself may be a deliberate 403 or 404.
            if response.status >= 400
            and response.url.startswith(live_server.url)
            and response.request.resource_type != "document"
            else None
        ),
    )
    page.problems = problems
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    """Sign a persona in through the real sign-in form: ``sign_in(world.buddy_pm)``."""

    def sign_in_as(user):
        page.goto(reverse("login"))
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**{reverse('dashboard')}")
        return page

    return sign_in_as


@pytest.fixture
def serve(page, live_server):
    """Serve ``html`` at ``path`` on the live server's origin, so its static files load as usual.

    For pages no URL leads to on demand: a template rendered with chosen context, the 500 page.
    """

    def serve_html(path: str, html: str):
        url = f"{live_server.url}{path}"
        page.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
        page.goto(url)
        return page

    return serve_html


def render_page(
    template_source: str, context: dict, *, path: str = "/", user=None, messages=()
) -> str:
    """Render a Jinja template (usually extending layout.jinja) as a view would, with a request.

    ``messages`` are django.contrib.messages ``Message`` objects waiting to be shown.
    """
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    request._messages = list(messages)  # what get_messages(request) reads
    return engines["jinja2"].from_string(template_source).render(context, request=request)


# Findings axe reports on NHS.UK components that we render unchanged, where the browser shows the
# finding is wrong. Each is narrow (one rule, one component) and checked by a test that can fail:
# - the enhanced file upload's button is named by its label plus itself (aria-labelledby, as in
#   GOV.UK Frontend), so Chromium's name holds the visible text; axe does not follow the self
#   reference. test_form_macros checks the name Chromium computes.
AXE_WAIVERS = {"label-content-name-mismatch": ".nhsuk-file-upload__drop-button"}


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it stands; return its WCAG 2.2 AA violations."""
    if not AXE_JS.exists():
        pytest.fail(f"No axe-core at {AXE_JS}: run `npm ci` (package.json pins it).")
    # Evaluated by the test driver rather than added as a <script>: the pages' Content Security
    # Policy rightly refuses an inline script, and the driver's own evaluation is not page script.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(
        """async ({tags, waivers}) => {
          const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
          const waived = (rule, node) =>
            rule in waivers && document.querySelector(node.target[0])?.matches(waivers[rule]);
          return results.violations
            .map(v => ({...v, nodes: v.nodes.filter(n => !waived(v.id, n))}))
            .filter(v => v.nodes.length > 0);
        }""",
        {"tags": AXE_TAGS, "waivers": AXE_WAIVERS},
    )


def describe(violations: list[dict]) -> str:
    """A readable account of axe's findings for an assertion message."""
    return json.dumps(
        [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [
                    {"target": n["target"], "summary": n.get("failureSummary")}
                    for n in v["nodes"][:5]
                ],
            }
            for v in violations
        ],
        indent=2,
    )
