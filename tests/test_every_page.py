"""Every page of the route table reads the same way (DESIGN §8): one way back, and no "None".

The pages are the GET routes of ``tests/test_every_route.py``'s table that answer an HTML page; each
is fetched once as the first persona the table says gets a 200, in a world whose optional fields are
left empty. A route added to the table is checked here without another line.
"""

import re

import pytest
from rest_framework.test import APIClient

from tests.test_every_route import (
    PERSONAS,
    ROUTES,
    _codes,
    objects,  # noqa: F401 - the route table's fixture
)

# The home page itself, the sign-in and sign-out pages, and what is not a page of the service.
NOT_BELOW_HOME = {"dashboard", "login", "logout", "healthz", "schema"}

BREADCRUMB = re.compile(r'<nav class="nhsuk-breadcrumb[^"]*".*?</nav>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def _pages():
    """Each page as the first persona who may see it, and as a viewer (who sees no "Change"
    links, where empty cells are likeliest) when that is someone else."""
    for name, route in ROUTES.items():
        answers = route.answers.get("GET")
        if answers is None or name in NOT_BELOW_HOME:
            continue
        codes = _codes(answers)
        if 200 in codes:
            yield name, route, PERSONAS[codes.index(200)]
            viewer = PERSONAS.index("buddy_viewer")
            if codes[viewer] == 200 and codes.index(200) != viewer:
                yield f"{name} (viewer)", route, "buddy_viewer"


PAGES = list(_pages())


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return TAG.sub(" ", html)


@pytest.fixture
def pages(objects):  # noqa: F811 - the route table's fixture
    """Each HTML page of the table as its persona sees it, with optional fields left empty."""
    objects.delivery.note = ""
    objects.delivery.staff_group = ""
    objects.delivery.save(update_fields=["note", "staff_group"])
    objects.risk.description = ""
    objects.risk.controls = ""
    objects.risk.save(update_fields=["description", "controls"])
    got = {}
    for name, route, persona in PAGES:
        client = APIClient()
        if persona != "anonymous":
            client.force_login(objects.world.user(persona))
        response = client.get(route.url(objects))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        got[name] = response.content.decode()
    return got


# A step of a form in steps has the NHS back link instead of breadcrumbs, the one other way back
# DESIGN §8 allows.
FORM_STEPS = {"risks:create_step"}
BACK_LINK = re.compile(r'class="nhsuk-back-link"')


def test_every_page_below_the_home_has_breadcrumbs_and_no_other_way_back(pages):
    assert len(pages) > 40, sorted(pages)
    without, other_back = [], []
    for name, html in pages.items():
        if name in FORM_STEPS:
            if BACK_LINK.findall(html) != ['class="nhsuk-back-link"'] or BREADCRUMB.search(html):
                other_back.append(name)
            continue
        trail = BREADCRUMB.findall(html)
        if len(trail) != 1 or 'href="/"' not in trail[0]:
            without.append(name)
        if "nhsuk-back-link" in BREADCRUMB.sub("", html):
            other_back.append(name)
    assert without == [], (
        f"These pages have no breadcrumb trail starting at the home page: {without}"
    )
    assert other_back == [], f"These pages have a way back besides the breadcrumbs: {other_back}"


def test_no_page_prints_none_for_an_empty_value(pages):
    printed = {
        name: re.findall(r".{0,40}\bNone\b.{0,40}", " ".join(_visible_text(html).split()))
        for name, html in pages.items()
    }
    assert {name: hits for name, hits in printed.items() if hits} == {}


def test_hints_are_phrased_one_way(pages):
    """One style of hint, as GOV.UK and NHS.UK write them: an example starts "For example,"
    (never "Like", "such as" or "e.g."); a hint that is only an example ("For example, 1 4 2026")
    has no full stop, and every other hint is written in sentences that end with one."""
    hints = set()
    for html in pages.values():
        for hint in re.findall(r'<div class="nhsuk-hint"[^>]*>(.*?)</div>', html, re.DOTALL):
            hints.add(" ".join(_visible_text(hint).split()))
    assert len(hints) > 20
    other_examples = sorted(h for h in hints if re.search(r"\b(like|such as|e\.g\.|eg)\b", h, re.I))
    example_only = {h for h in hints if h.startswith("For example,") and ". " not in h}
    example_stops = sorted(h for h in example_only if h.endswith("."))
    sentences_unstopped = sorted(h for h in hints - example_only if not h.endswith("."))
    assert other_examples == [], other_examples
    assert example_stops == [], "\n".join(example_stops)
    assert sentences_unstopped == [], "\n".join(sentences_unstopped)
