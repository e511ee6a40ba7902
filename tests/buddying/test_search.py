"""The search box: partnerships, risks and organisations found by words, as far as the person may
see them (PostgreSQL full-text search; the simple match the embedded SQLite default uses)."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buddying.dashboard import search
from tests.conftest import PERSONAS
from tests.factories import OrganisationFactory, PartnershipFactory
from tests.risks.factories import RiskFactory

pytestmark = pytest.mark.django_db


def _found(response) -> dict[str, list[str]]:
    """The links under each heading of the results, as words."""
    html = response.content.decode()
    html = html[html.find("<main") : html.find("</main>")]
    found = {}
    for heading, body in re.findall(
        r'<h2 class="nhsuk-heading-m" id="(\w+)">.*?</h2>(.*?)(?=<h2|$)', html, re.S
    ):
        found[heading] = [
            " ".join(unescape(re.sub(r"<[^>]+>", " ", link)).split())
            for link in re.findall(r"<a [^>]*>(.*?)</a>", body, re.S)
        ]
    return found


@pytest.fixture
def hidden(world):
    """A partnership of the unrelated trust (the outsider's), with a risk nobody else may see."""
    other = PartnershipFactory(
        buddy=world.unrelated, supported=OrganisationFactory(), title="Birmingham theatres recovery"
    )
    RiskFactory(partnership=other, owner=world.outsider, title="Theatre staffing gaps")
    return other


def test_words_find_partnerships_by_title_intent_and_their_organisations(world, as_user):
    RiskFactory(partnership=world.partnership, owner=world.buddy_pm, title="Loss of key leaders")
    client = as_user(world.supported_pm)

    by_title = _found(client.get(reverse("search"), {"q": "basildon"}))
    assert by_title["partnerships"] == [f"{world.partnership.reference} Basildon recovery"]
    # A party's name finds the partnership; a prefix of each word is enough.
    by_party = _found(client.get(reverse("search"), {"q": "royal fre"}))
    assert by_party["partnerships"] == [f"{world.partnership.reference} Basildon recovery"]
    assert by_party["organisations"] == [
        "Royal Free London NHS Foundation Trust : its partnerships"
    ]
    # Stemmed: "leader" finds "leaders"; the risk says which partnership it is in.
    assert _found(client.get(reverse("search"), {"q": "leader"}))["risks"] == [
        "R-001 Loss of key leaders"
    ]
    by_code = _found(client.get(reverse("search"), {"q": "RRK"}))
    assert by_code["organisations"] == [
        "University Hospitals Birmingham NHS Foundation Trust : its partnerships"
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_nobody_finds_what_they_may_not_see(world, as_user, hidden, persona):
    response = as_user(world.user(persona)).get(reverse("search"), {"q": "birmingham"})
    assert response.status_code == 200
    found = _found(response)
    may_see = persona in {"regulator", "outsider"}
    assert found["partnerships"] == (
        [f"{hidden.reference} Birmingham theatres recovery"] if may_see else []
    )
    staffing = _found(as_user(world.user(persona)).get(reverse("search"), {"q": "staffing"}))
    assert staffing["risks"] == (["R-001 Theatre staffing gaps"] if may_see else [])
    # Organisations are the service's reference data: every member finds them, nobody else.
    assert bool(found["organisations"]) == (persona != "nobody")


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("search"), {"q": "royal"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "text", ["", "   ", "&|!:*()'", "<script>", "a" * 500, "royal & !free | (x"]
)
def test_any_text_gives_a_page_and_no_query_syntax_error(world, as_user, text):
    response = as_user(world.buddy_pm).get(reverse("search"), {"q": text})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_each_kind_shows_its_first_matches_in_a_fixed_number_of_queries(world, as_user, settings):
    client = as_user(world.regulator)
    client.get(reverse("search"), {"q": "recovery"})  # the session and the like, once

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("search"), {"q": "recovery"}).status_code == 200
        return len(captured)

    few = queries()
    for number in range(search.LIMIT + 3):
        PartnershipFactory(
            buddy=OrganisationFactory(), supported=OrganisationFactory(), title=f"Recovery {number}"
        )
    assert queries() == few
    found = _found(client.get(reverse("search"), {"q": "recovery"}))
    assert len(found["partnerships"]) == search.LIMIT
    page = client.get(reverse("search"), {"q": "recovery"}).content.decode()
    assert f"Only the first {search.LIMIT} are shown" in page


def test_the_search_box_is_in_the_header_of_every_page_for_members(world, as_user):
    page = as_user(world.buddy_viewer).get(reverse("partnerships:list")).content.decode()
    assert f'action="{reverse("search")}"' in page
    assert "Search partnerships, risks and organisations" in page


def test_words_are_letters_and_digits_only():
    assert search.words_of("Royal-Free: RAL & co's!") == ["royal", "free", "ral", "co", "s"]


def test_the_risk_search_can_use_its_full_text_index(world):
    """The indexed expression (risks migration 0004) is the one the search generates."""
    risks = search._matching(
        search.risk_selectors.risks_visible_to(world.regulator),
        ["staffing"],
        search.RISK_FIELDS,
        full_text=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = risks.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "risks_risk_search" in plan, plan


def _names(found: search.Found, attribute: str) -> list[str]:
    return [getattr(item, attribute) for item in found.items]


def test_the_simple_match_finds_every_word_in_any_field_as_far_as_the_person_may_see(world, hidden):
    """The embedded SQLite default has no full-text search: there every word must appear in one
    of the same fields (run here on PostgreSQL through the same code)."""
    RiskFactory(partnership=world.partnership, owner=world.buddy_pm, title="Loss of key leaders")

    def simple(user, text):
        return search.search(user, text, full_text=False)

    by_party = simple(world.supported_pm, "royal fre")
    assert _names(by_party.partnerships, "title") == ["Basildon recovery"]
    assert _names(by_party.organisations, "ods_code") == ["RAL"]
    # No stemming: "leader" is in "leaders"; each word must be found.
    assert _names(simple(world.supported_pm, "key leader").risks, "title") == [
        "Loss of key leaders"
    ]
    assert simple(world.supported_pm, "key leader nowhere").risks.items == []
    # The same access policy: the outsider's partnership and risk are found only by those who
    # may see them.
    for user, may_see in [(world.buddy_exec, False), (world.regulator, True)]:
        results = simple(user, "birmingham theatres")
        assert bool(results.partnerships.items) == may_see
        assert bool(simple(user, "staffing").risks.items) == may_see
    assert simple(world.nobody, "royal").organisations.items == []
