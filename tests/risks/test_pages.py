"""Browser pages: access for every persona, forms and their errors, register, heat map."""

import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs

import pytest
import time_machine
from django.urls import reverse

from risks.forms import RISK_STEPS
from risks.models import Risk, RiskAction, RiskAppetite
from tests.conftest import PERSONAS, READERS, WRITERS
from tests.risks.factories import RiskActionFactory, RiskAppetiteFactory, RiskFactory
from tests.risks.helpers import days_ahead

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk(world):
    return RiskFactory(partnership=world.partnership, owner=world.buddy_pm)


@pytest.fixture
def action(risk, world):
    return RiskActionFactory(risk=risk, owner=world.supported_pm)


READ_PAGES = [
    ("risks:register", "partnership"),
    ("risks:heat_map", "partnership"),
    ("risks:comparison", "partnership"),
    ("risks:detail", "risk"),
]
# Adding a risk, a step at a time, has its own tests (test_risk_steps.py).
WRITE_PAGES = [
    ("risks:edit", "risk"),
    ("risks:action_create", "risk"),
    ("risks:action_edit", "action"),
]


def _url(name, target, world, risk, action):
    obj = {"partnership": world.partnership, "risk": risk, "action": action}[target]
    return reverse(name, args=[obj.pk])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "target"), READ_PAGES)
def test_read_pages_show_to_parties_and_regulators_and_404_for_everyone_else(
    world, as_user, risk, action, persona, name, target
):
    response = as_user(world.user(persona)).get(_url(name, target, world, risk, action))
    assert response.status_code == (200 if persona in READERS else 404)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "target"), WRITE_PAGES)
def test_write_pages_open_for_managers_are_403_for_readers_and_404_for_outsiders(
    world, as_user, risk, action, persona, name, target
):
    response = as_user(world.user(persona)).get(_url(name, target, world, risk, action))
    expected = 200 if persona in WRITERS else 403 if persona in READERS else 404
    assert response.status_code == expected


@pytest.mark.parametrize(("name", "target"), READ_PAGES + WRITE_PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, world, risk, action, name, target):
    response = client.get(_url(name, target, world, risk, action))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_unknown_ids_are_404(world, as_user):
    client = as_user(world.buddy_exec)
    assert client.get("/risks/not-a-uuid/").status_code == 404
    assert client.get("/risks/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/organisations/NOPE/risk-appetite/").status_code == 404
    assert client.get("/organisations/RAL/risk-appetite/made-up/").status_code == 404
    assert client.get("/organisations/R%00L/risk-appetite/").status_code == 404
    assert client.get("/organisations/ral/risk-appetite/").status_code == 200


# --- The appetite pages ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_appetite_page_is_readable_by_its_partners_and_regulators(world, as_user, persona):
    response = as_user(world.user(persona)).get(reverse("risks:appetite", args=["RAL"]))
    assert response.status_code == (200 if persona in READERS else 404)


def test_members_read_their_own_organisations_appetite_without_a_partnership(world, as_user):
    response = as_user(world.outsider).get(reverse("risks:appetite", args=["RRK"]))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_appetite_form_is_only_for_an_executive_of_that_organisation(world, as_user, persona):
    response = as_user(world.user(persona)).get(
        reverse("risks:appetite_edit", args=["RAL", "financial"])
    )
    expected = 200 if persona == "buddy_exec" else 403 if persona in READERS else 404
    assert response.status_code == expected


def test_setting_an_appetite_shows_it_and_its_history(world, as_user):
    client = as_user(world.buddy_exec)
    url = reverse("risks:appetite_edit", args=["RAL", "financial"])
    response = client.post(url, {"level": "cautious", "tolerance": "8", "statement": "Careful."})
    assert response.status_code == 302
    client.post(url, {"level": "open", "tolerance": "12"})
    page = client.get(reverse("risks:appetite", args=["RAL"])).content.decode()
    assert "Changes to the risk appetite" in page
    assert "Tolerance: 8 → 12" in page
    assert "Level: Cautious → Open" in page
    assert page.count(world.buddy_exec.get_full_name()) >= 2
    assert "Not set" in page  # the other six categories


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tolerance": "8"}, "Select an appetite level"),
        ({"level": "open", "tolerance": ""}, "Enter the tolerance"),
        ({"level": "open", "tolerance": "0"}, "The tolerance must be a score from 1 to 25."),
        ({"level": "open", "tolerance": "26"}, "The tolerance must be a score from 1 to 25."),
        ({"level": "open", "tolerance": "ten"}, "Tolerance must be a whole number from 1 to 25"),
    ],
)
def test_appetite_form_shows_errors_and_keeps_input(world, as_user, data, message):
    response = as_user(world.buddy_exec).post(
        reverse("risks:appetite_edit", args=["RAL", "financial"]), data
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in text
    assert "There is a problem" in text
    assert message in text
    if data.get("tolerance"):
        assert f'value="{data["tolerance"]}"' in text
    assert not RiskAppetite.objects.exists()


# --- Risk forms --------------------------------------------------------------------------------


def _form_data(world, **overrides):
    data = {
        "title": "Loss of key clinical leaders",
        "description": "",
        "category": "workforce_capacity",
        "owner_organisation": "RAL",
        "owner": str(world.buddy_pm.pk),
        "inherent_likelihood": "4",
        "inherent_consequence": "4",
        "current_likelihood": "3",
        "current_consequence": "4",
        "target_likelihood": "2",
        "target_consequence": "3",
        "controls": "",
        "review_frequency": "quarterly",
        "next_review_date": days_ahead(90),
    }
    data.update(overrides)
    return data


def _add_risk_through_the_steps(client, world, data):
    """Add a risk as a person does: each step's answers, then "Add risk" on the last page."""
    for step in RISK_STEPS:
        answers = {name: data[name] for name in step.fields if name in data}
        url = reverse("risks:create_step", args=[world.partnership.pk, step.slug])
        assert client.post(url, answers).status_code == 302
    return client.post(reverse("risks:create_check", args=[world.partnership.pk]))


def test_risk_form_shows_npsa_labels_and_descriptors(world, as_user, risk):
    text = as_user(world.buddy_pm).get(reverse("risks:edit", args=[risk.pk])).content.decode()
    for label in ["1 – Rare", "5 – Almost certain", "1 – Negligible", "5 – Catastrophic"]:
        assert label in text
    assert "Will undoubtedly happen/recur, possibly frequently" in text
    assert "Statutory duty/inspections".lower() in text


def _score_shown(text: str, kind: str) -> str:
    found = re.search(rf'data-risk-score="{kind}"[^>]*>(.*?)</p>', text, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_risk_form_shows_each_score_and_band_from_the_choices_without_javascript(
    world, as_user, risk
):
    client = as_user(world.buddy_pm)
    url = reverse("risks:edit", args=[risk.pk])
    # Sent back with a problem elsewhere: the scores of what was chosen are worked out.
    data = _form_data(world, title="", target_consequence="", status="open")
    text = client.post(url, data).content.decode()
    assert _score_shown(text, "inherent") == "Score: Extreme 16"
    assert _score_shown(text, "current") == "Score: High 12"
    assert _score_shown(text, "target") == (
        "Score: not worked out until a likelihood and a consequence are chosen."
    )
    assert 'class="nhsuk-tag nhsuk-tag--orange"' in text
    # The page's script reads the same bands the server uses.
    assert (
        """data-risk-bands='[[3, "low", "Low"], [6, "moderate", "Moderate"], [12, "high", "High"], [25, "extreme", "Extreme"]]'"""
        in text
    )
    assert "js/risk-score" in text


def test_risk_form_scores_are_short_inline_choices(world, as_user, risk):
    text = as_user(world.buddy_pm).get(reverse("risks:edit", args=[risk.pk])).content.decode()
    assert text.count("nhsuk-radios--inline app-scale") == 6
    # The descriptors are said once, in "What the levels mean", not under each of 30 radios.
    assert "What the levels mean" in text
    assert text.count("Will undoubtedly happen/recur, possibly frequently") == 1


def test_editing_a_risk_shows_its_scores(world, as_user, risk):
    text = as_user(world.buddy_exec).get(reverse("risks:edit", args=[risk.pk])).content.decode()
    assert (
        _score_shown(text, "current") == f"Score: {risk.current_band.title()} {risk.current_score}"
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"current_likelihood": "0"}, "Current likelihood must be a whole number from 1 to 5"),
        ({"target_consequence": "6"}, "Target consequence must be a whole number from 1 to 5"),
        (
            {"current_likelihood": "2", "current_consequence": "2"},
            "The target score (6) cannot be above the current score (4).",
        ),
        ({"title": ""}, "Enter a title"),
        ({"owner_organisation": "RRK"}, "Select one of the partnership"),
        ({"next_review_date": "2026-02-30"}, "Next review date must be a real date"),
    ],
)
def test_risk_form_refuses_bad_values_with_a_message_and_keeps_input(
    world, as_user, risk, overrides, message
):
    response = as_user(world.buddy_pm).post(
        reverse("risks:edit", args=[risk.pk]), _form_data(world, status="open", **overrides)
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in text
    assert message in text
    assert 'value="Loss of key clinical leaders"' in text or overrides.get("title") == ""
    assert Risk.objects.get().version == risk.version  # nothing saved


def test_editing_a_risk_to_closed_needs_a_reason(world, as_user, risk):
    url = reverse("risks:edit", args=[risk.pk])
    data = _form_data(world, status="closed", closing_reason="")
    text = as_user(world.buddy_exec).post(url, data).content.decode()
    assert "Enter why the risk is closed." in text
    data["closing_reason"] = "Backfill in place."
    assert as_user(world.buddy_exec).post(url, data).status_code == 302
    risk.refresh_from_db()
    assert risk.status == "closed"


def test_viewer_cannot_post_a_risk(world, as_user):
    response = as_user(world.buddy_viewer).post(
        reverse("risks:create", args=[world.partnership.pk]), _form_data(world)
    )
    assert response.status_code == 403
    assert not Risk.objects.exists()


def test_action_form_adds_and_completes_an_action(world, as_user, risk):
    client = as_user(world.buddy_pm)
    response = client.post(
        reverse("risks:action_create", args=[risk.pk]),
        {
            "description": "Agree backfill",
            "owner": str(world.supported_pm.pk),
            "due_date": days_ahead(),
        },
    )
    assert response.status_code == 302
    action = RiskAction.objects.get()
    response = client.post(
        reverse("risks:action_edit", args=[action.pk]),
        {
            "description": "Agree backfill",
            "owner": str(world.supported_pm.pk),
            "due_date": days_ahead(),
            "status": "done",
        },
    )
    action.refresh_from_db()
    assert (response.status_code, action.status) == (302, "done")


def test_action_form_shows_errors(world, as_user, risk):
    response = as_user(world.buddy_pm).post(
        reverse("risks:action_create", args=[risk.pk]),
        {"description": "", "owner": str(world.outsider.pk), "due_date": "soon"},
    )
    text = response.content.decode()
    assert "Enter what will be done" in text
    assert "Select a person from one of the partnership" in text
    assert "Due date must be a real date" in text


# --- Register, heat map, overdue ---------------------------------------------------------------


def _scored(world, title, likelihood, consequence, **extra):
    extra.setdefault("owner", world.buddy_pm)
    return RiskFactory(
        partnership=world.partnership,
        title=title,
        inherent_likelihood=5,
        inherent_consequence=5,
        current_likelihood=likelihood,
        current_consequence=consequence,
        target_likelihood=1,
        target_consequence=1,
        **extra,
    )


def _text(response) -> str:
    """The page's main content as plain words."""
    html = response.content.decode()
    html = html[html.find("<main") : html.find("</main>")]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _titles(response, known=("Alpha", "Beta", "Gamma", "Money", "People")):
    """The risk titles in the register table, in the order shown."""
    words = _text(response)
    found = [
        (words.find(f"Title {t} Category"), t) for t in known if f"Title {t} Category" in words
    ]
    return [title for _, title in sorted(found)]


def test_register_sorts_by_whitelisted_columns_and_ignores_others(world, as_user):
    _scored(world, "Beta", 2, 2)
    _scored(world, "Alpha", 5, 5)
    _scored(world, "Gamma", 3, 3)
    client = as_user(world.buddy_viewer)
    url = reverse("risks:register", args=[world.partnership.pk])
    assert _titles(client.get(url)) == ["Alpha", "Gamma", "Beta"]  # highest score first
    assert _titles(client.get(url + "?sort=title")) == ["Alpha", "Beta", "Gamma"]
    assert _titles(client.get(url + "?sort=score")) == ["Beta", "Gamma", "Alpha"]
    assert _titles(client.get(url + "?sort=-reference")) == ["Gamma", "Alpha", "Beta"]
    response = client.get(url + "?sort=owner__password")
    assert response.status_code == 200
    assert "There is a problem with the filters" in response.content.decode()


def test_register_filters_by_category_band_owner_and_outside_appetite(world, as_user):
    _scored(world, "Money", 5, 5, category="financial")
    _scored(world, "People", 1, 2, category="workforce_capacity", owner=world.buddy_exec)
    RiskAppetiteFactory(organisation=world.buddy, category="financial", tolerance=12)
    client = as_user(world.regulator)
    url = reverse("risks:register", args=[world.partnership.pk])
    assert _titles(client.get(url + "?category=financial")) == ["Money"]
    assert _titles(client.get(url + "?band=low")) == ["People"]
    assert _titles(client.get(url + "?band=low&band=extreme")) == ["Money", "People"]
    assert _titles(client.get(url + "?owner=buddy_exec")) == ["People"]
    outside = client.get(url + "?outside_appetite=true")
    assert _titles(outside) == ["Money"]
    assert "Outside appetite for Royal Free London NHS Foundation Trust" in _text(outside)
    assert _titles(client.get(url + "?likelihood=5&consequence=5")) == ["Money"]


def _page_titles(response) -> list[str]:
    return re.findall(
        r'aria-hidden="true">Title </span><span>([^<]+)</span>', response.content.decode()
    )


def _pagination_links(response) -> list[str]:
    html = response.content.decode()
    nav = html[html.find('<nav class="nhsuk-pagination"') :]
    return [unescape(href) for href in re.findall(r'href="(\?[^"]*)"', nav[: nav.find("</nav>")])]


def test_register_pages_50_risks_at_a_time_keeping_its_sort_and_filters(world, as_user):
    for index in range(55):
        _scored(world, f"Fin {index:02}", 1 + index % 5, 1 + index % 3, category="financial")
    for index in range(5):
        _scored(world, f"Strat {index}", 5, 5, category="strategic")
    client = as_user(world.buddy_viewer)
    url = reverse("risks:register", args=[world.partnership.pk])

    first = client.get(url + "?category=financial&sort=title")
    assert _page_titles(first) == [f"Fin {index:02}" for index in range(50)]
    assert "Risks (55)" in _text(first)
    (next_link,) = _pagination_links(first)
    assert parse_qs(next_link[1:]) == {"category": ["financial"], "sort": ["title"], "page": ["2"]}

    second = client.get(url + next_link)
    assert _page_titles(second) == [f"Fin {index:02}" for index in range(50, 55)]
    assert "Risks (55)" in _text(second)
    (previous_link,) = _pagination_links(second)
    assert parse_qs(previous_link[1:]) == {
        "category": ["financial"],
        "sort": ["title"],
        "page": ["1"],
    }
    # The sort links keep the filters, and the filter form keeps the sort.
    assert "?category=financial&amp;sort=reference" in second.content.decode()
    assert '<input type="hidden" name="sort" value="title">' in second.content.decode()

    # Without filters: 60 risks, the second page holds the last ten of the chosen order.
    descending = client.get(url + "?sort=-title&page=2")
    assert _page_titles(descending) == [f"Fin {index:02}" for index in range(9, -1, -1)]
    # A page past the end shows the last page; nonsense shows the first.
    assert _page_titles(client.get(url + "?sort=-title&page=9")) == _page_titles(descending)
    assert _page_titles(client.get(url + "?sort=-title&page=x"))[0] == "Strat 4"


def test_heat_map_counts_open_risks_per_cell_and_links_to_them(world, as_user):
    _scored(world, "A", 4, 3)
    _scored(world, "B", 4, 3)
    _scored(world, "C", 1, 1)
    _scored(world, "Closed", 4, 3, status="closed", closing_reason="Gone.")
    response = as_user(world.supported_viewer).get(
        reverse("risks:heat_map", args=[world.partnership.pk])
    )
    words = _text(response)
    assert "3 open risks: 0 extreme, 2 high, 0 moderate, 1 low." in words
    assert words.index("5 – Almost certain") < words.index("1 – Rare")  # likelihood 5 on top
    text = response.content.decode()
    link = (
        reverse("risks:register", args=[world.partnership.pk])
        + "?likelihood=4&amp;consequence=3&amp;status=open"
    )
    assert link in text
    assert (
        '2<span class="nhsuk-u-visually-hidden"> risks: likelihood 4, consequence 3</span>' in text
    )
    assert re.search(r'<th[^>]*scope="row"', text)  # likelihood labels are row headers
    # Every cell is shaded by its band and says it in words, never colour alone.
    cells = re.findall(
        r'<td class="nhsuk-table__cell app-heat__cell app-heat__cell--(\w+)">(.*?)</td>', text, re.S
    )
    assert len(cells) == 25
    filled = {
        " ".join(re.sub(r"<[^>]+>", " ", html).split()): band
        for band, html in cells
        if "<a " in html
    }
    assert filled == {
        "2 risks: likelihood 4, consequence 3 High 12": "high",
        "1 risk: likelihood 1, consequence 1 Low 1": "low",
    }
    # A cell with no risks shows nothing to the eye but is read as "no risks".
    empty = [html.strip() for band, html in cells if "<a " not in html]
    assert '<span class="nhsuk-u-visually-hidden">No risks (extreme 25)</span>' in empty
    assert all(html.startswith('<span class="nhsuk-u-visually-hidden">') for html in empty)
    # The key gives each band's shade, words, scores and count.
    assert "Key: open risks by current band" in words
    assert "Band High Scores 8 to 12 Risks 2" in words


@time_machine.travel("2026-07-02 09:00 +0100", tick=False)
def test_overdue_actions_and_reviews_are_shown(world, as_user):
    risk = _scored(world, "Late", 3, 3, next_review_date=date(2026, 7, 1))
    RiskActionFactory(risk=risk, owner=world.buddy_pm, due_date=date(2026, 7, 1))
    RiskActionFactory(risk=risk, owner=world.buddy_pm, due_date=date(2026, 7, 2))
    RiskActionFactory(risk=risk, owner=world.buddy_pm, due_date=date(2026, 6, 1), status="done")
    client = as_user(world.buddy_viewer)
    register = client.get(reverse("risks:register", args=[world.partnership.pk])).content.decode()
    assert "1 action overdue" in register
    assert "Review overdue" in register
    detail = _text(client.get(reverse("risks:detail", args=[risk.pk])))
    # Ordered by due date: done (1 June), due yesterday (overdue), due today (not yet).
    # Responsive tables repeat each column's heading ("Status") in its cells.
    assert "1 July 2026 Status Overdue" in detail
    assert "2 July 2026 Status Open" in detail
    assert "1 June 2026 Status Done" in detail
    assert detail.count("Overdue") == 1


@time_machine.travel("2026-06-30 09:00 +0100", tick=False)
def test_nothing_is_overdue_before_its_date(world, as_user):
    risk = _scored(world, "On time", 3, 3, next_review_date=date(2026, 7, 1))
    RiskActionFactory(risk=risk, owner=world.buddy_pm, due_date=date(2026, 7, 1))
    register = (
        as_user(world.buddy_viewer)
        .get(reverse("risks:register", args=[world.partnership.pk]))
        .content.decode()
    )
    assert "overdue" not in register.lower().replace("review_overdue", "")


def test_risk_page_shows_history_with_who(world, as_user):
    client = as_user(world.buddy_pm)
    _add_risk_through_the_steps(client, world, _form_data(world))
    risk = Risk.objects.get()
    client.post(
        reverse("risks:edit", args=[risk.pk]), _form_data(world, title="Renamed", status="open")
    )
    text = client.get(reverse("risks:detail", args=[risk.pk])).content.decode()
    assert "Title: Loss of key clinical leaders → Renamed" in text
    assert world.buddy_pm.get_full_name() in text


def test_partnership_page_links_to_the_register(world, as_user):
    text = (
        as_user(world.buddy_viewer)
        .get(reverse("partnerships:section", args=[world.partnership.pk, "risks"]))
        .content.decode()
    )
    assert reverse("risks:register", args=[world.partnership.pk]) in text


def test_risk_history_names_a_changed_owner(world, as_user):
    client = as_user(world.buddy_pm)
    _add_risk_through_the_steps(client, world, _form_data(world))
    risk = Risk.objects.get()
    client.post(
        reverse("risks:edit", args=[risk.pk]),
        _form_data(world, owner=str(world.buddy_exec.pk), status="open"),
    )
    words = _text(client.get(reverse("risks:detail", args=[risk.pk])))
    assert f"Owner: {world.buddy_pm.get_full_name()} → {world.buddy_exec.get_full_name()}" in words


def test_changing_a_risk_of_a_closed_partnership_shows_why_not(world, as_user, risk):
    world.partnership.status = "closed"
    world.partnership.closure_outcome = "terminated_early"
    world.partnership.closure_reason = "Ended."
    world.partnership.save()
    client = as_user(world.buddy_pm)
    detail = client.get(reverse("risks:detail", args=[risk.pk])).content.decode()
    assert reverse("risks:edit", args=[risk.pk]) not in detail
    # The form does not open (409, as the API answers), rather than failing only on saving.
    response = client.get(reverse("risks:edit", args=[risk.pk]))
    assert response.status_code == 409
    assert "The partnership is closed, so its risks cannot be changed." in response.content.decode()
    response = client.post(reverse("risks:edit", args=[risk.pk]), _form_data(world, status="open"))
    assert response.status_code == 409


def test_register_marks_closed_risks_and_filters_by_status(world, as_user):
    _scored(world, "Alpha", 3, 3)
    _scored(world, "Beta", 3, 3, status="closed", closing_reason="Resolved.")
    client = as_user(world.buddy_viewer)
    url = reverse("risks:register", args=[world.partnership.pk])
    words = _text(client.get(url))
    assert "Beta Closed" in words
    assert "Alpha Closed" not in words
    assert _titles(client.get(url + "?status=open")) == ["Alpha"]
