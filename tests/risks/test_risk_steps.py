"""Adding a risk a short step at a time, then "Check your answers" (issue 16), without JavaScript:
each step judges its own answers, the answers are kept between steps, and the risk is added once."""

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Membership
from risks.models import Risk
from tests.conftest import PERSONAS, READERS, WRITERS
from tests.risks.helpers import days_ahead

pytestmark = pytest.mark.django_db

STEPS = ["about", "scores", "target"]


def _answers(world) -> dict[str, dict[str, str]]:
    return {
        "about": {
            "title": "Loss of key clinical leaders",
            "description": "Senior clinicians may leave.",
            "category": "workforce_capacity",
            "owner_organisation": "RAL",
            "owner": str(world.buddy_pm.pk),
        },
        "scores": {
            "inherent_likelihood": "4",
            "inherent_consequence": "4",
            "controls": "Backfill plan agreed by both boards.",
            "current_likelihood": "3",
            "current_consequence": "4",
        },
        "target": {
            "target_likelihood": "2",
            "target_consequence": "3",
            "review_frequency": "quarterly",
            "next_review_date": days_ahead(90),
        },
    }


def _step(world, step):
    return reverse("risks:create_step", args=[world.partnership.pk, step])


def _check(world):
    return reverse("risks:create_check", args=[world.partnership.pk])


def _answer(client, world, upto="target", **overrides):
    """Answer the steps in order, up to and including ``upto``; the last response."""
    answers = _answers(world)
    for step in STEPS[: STEPS.index(upto) + 1]:
        data = answers[step] | {k: v for k, v in overrides.items() if k in answers[step]}
        response = client.post(_step(world, step), data)
        assert response.status_code == 302, (step, _errors(response))
    return response


def _errors(response) -> list[str]:
    text = response.content.decode()
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split())
        for item in re.findall(
            r'<ul class="nhsuk-list nhsuk-error-summary__list">(.*?)</ul>', text, re.S
        )
    ]


def _back_link(text: str) -> str:
    return re.search(r'class="nhsuk-back-link"\s+href="([^"]+)"', text).group(1)


def test_the_old_address_for_a_new_risk_starts_the_steps(world, as_user):
    response = as_user(world.buddy_pm).get(reverse("risks:create", args=[world.partnership.pk]))
    assert response.status_code == 302
    assert response.url == _step(world, "about")


def test_adding_a_risk_step_by_step_keeps_answers_and_adds_it_once(world, as_user):
    client = as_user(world.supported_pm)
    response = client.post(_step(world, "about"), _answers(world)["about"])
    assert response.url == _step(world, "scores")

    # Going back shows what was answered; each step's back link goes to the step before.
    about = client.get(_step(world, "about")).content.decode()
    assert 'value="Loss of key clinical leaders"' in about
    assert _back_link(about) == reverse("risks:register", args=[world.partnership.pk])
    assert _back_link(client.get(_step(world, "scores")).content.decode()) == _step(world, "about")
    assert 'class="nhsuk-breadcrumb' not in about  # the back link is the one way back

    assert client.post(_step(world, "scores"), _answers(world)["scores"]).url == _step(
        world, "target"
    )
    assert client.post(_step(world, "target"), _answers(world)["target"]).url == _check(world)

    check = client.get(_check(world)).content.decode()
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", check)).split())
    assert "Check your answers before adding the risk" in words
    for shown in [
        "Loss of key clinical leaders",
        "Workforce and capacity",
        "Royal Free London NHS Foundation Trust",
        world.buddy_pm.get_full_name(),
        "Likelihood 4 – Likely, consequence 4 – Major. Score: Extreme 16",
        "Likelihood 3 – Possible, consequence 4 – Major. Score: High 12",
        "Score: Moderate 6",
        "Backfill plan agreed by both boards.",
        "Every 3 months",
    ]:
        assert shown in words, shown
    for step in STEPS:
        assert f'href="{_step(world, step)}"' in check
    assert 'Change<span class="nhsuk-u-visually-hidden"> title</span>' in check
    assert not Risk.objects.exists()

    # "Change" goes to the step (its back link to the answers) and comes back to the answers.
    about = client.get(_step(world, "about")).content.decode()
    assert _back_link(about) == _check(world)
    changed = _answers(world)["about"] | {"title": "Loss of senior clinicians"}
    assert client.post(_step(world, "about"), changed).url == _check(world)
    check = client.get(_check(world)).content.decode()
    assert "Loss of senior clinicians" in check
    assert "Backfill plan agreed by both boards." in check  # the other answers are kept

    response = client.post(_check(world))
    risk = Risk.objects.get()
    assert response.url == reverse("risks:detail", args=[risk.pk])
    assert (risk.reference, risk.title, risk.current_score, risk.target_score) == (
        "R-001",
        "Loss of senior clinicians",
        12,
        6,
    )
    assert (risk.owner, risk.owner_organisation) == (world.buddy_pm, world.buddy)
    assert risk.history.first().history_user == world.supported_pm

    # "Add risk" pressed again: the same risk, not a second one.
    again = client.post(_check(world))
    assert again.url == reverse("risks:detail", args=[risk.pk])
    assert Risk.objects.count() == 1
    # The next risk starts from blank steps.
    assert "Loss of senior clinicians" not in client.get(_step(world, "about")).content.decode()
    assert client.get(_check(world)).url == _step(world, "about")


def test_a_second_add_while_the_first_is_adding_does_not_add_the_risk_twice(world, as_user):
    """Two presses of "Add risk" that both read the answers before either had added the risk
    (a double click): the second finds the answers already claimed."""
    client = as_user(world.buddy_pm)
    _answer(client, world)
    key = f"risks:new:{world.partnership.pk}"
    draft = client.session[key]
    assert client.post(_check(world)).status_code == 302
    session = client.session
    session[key] = draft  # as the second request read it
    session.save()
    response = client.post(_check(world))
    assert response.url == reverse("risks:register", args=[world.partnership.pk])
    assert Risk.objects.count() == 1


def test_steps_cannot_be_skipped(world, as_user):
    client = as_user(world.buddy_pm)
    assert client.get(_step(world, "target")).url == _step(world, "about")
    assert client.get(_check(world)).url == _step(world, "about")
    assert client.post(_check(world)).url == _step(world, "about")
    _answer(client, world, upto="about")
    assert client.get(_step(world, "target")).url == _step(world, "scores")
    assert client.get(_check(world)).url == _step(world, "scores")
    assert client.get(_step(world, "made-up")).status_code == 404
    assert not Risk.objects.exists()


@pytest.mark.parametrize(
    ("step", "overrides", "message", "field_id"),
    [
        ("about", {"title": ""}, "Enter a title", "id_title"),
        ("about", {"category": ""}, "Select a category", "id_category"),
        (
            "about",
            {"owner_organisation": "RRK"},
            "Select one of the partnership's organisations",
            "id_owner_organisation",
        ),
        (
            "about",
            {"owner_organisation": "RDD"},  # the buddy's programme manager is not a member
            "The owner must be a member of the owner organisation.",
            "id_owner",
        ),
        (
            "scores",
            {"current_likelihood": "0"},
            "Current likelihood must be a whole number from 1 to 5",
            "id_current_likelihood",
        ),
        (
            "scores",
            {"inherent_consequence": ""},
            "Select how bad the consequence would be (inherent consequence)",
            "id_inherent_consequence",
        ),
        (
            "target",
            {"target_likelihood": "4"},
            "The target score (16) cannot be above the current score (12).",
            "id_target_likelihood",
        ),
        (
            "target",
            {"next_review_date": "2026-02-30"},
            "Next review date must be a real date",
            "id_next_review_date_day",
        ),
        (
            "target",
            {"next_review_date": days_ahead(365 * 6)},
            "The next review date must be within five years",
            "id_next_review_date_day",
        ),
    ],
)
def test_each_step_refuses_its_own_bad_answers_with_field_errors_and_keeps_input(
    world, as_user, step, overrides, message, field_id
):
    client = as_user(world.buddy_pm)
    if step != "about":
        _answer(client, world, upto=STEPS[STEPS.index(step) - 1])
    data = _answers(world)[step] | overrides
    if step == "target" and "target_likelihood" in overrides:
        data["target_likelihood"] = "4"
        data["target_consequence"] = "4"  # 16, above the current 12
    response = client.post(_step(world, step), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in text
    assert any(message in error for error in _errors(response)), _errors(response)
    assert f'href="#{field_id}"' in text
    assert f'id="{field_id}' in text
    assert 'class="nhsuk-error-message"' in text or "nhsuk-error-message" in text
    kept = {
        "about": "Senior clinicians may leave.</textarea>",
        "scores": "Backfill plan agreed by both boards.</textarea>",
        "target": 'value="quarterly" checked',
    }[step]
    assert kept in " ".join(text.split())
    # The step is not answered: the next one still sends back here.
    following = STEPS[STEPS.index(step) + 1] if step != "target" else None
    if following:
        assert client.get(_step(world, following)).url == _step(world, step)
    else:
        assert client.get(_check(world)).url == _step(world, step)


def test_the_target_error_uses_the_scores_of_the_step_before(world, as_user):
    client = as_user(world.buddy_pm)
    _answer(client, world, upto="scores", current_likelihood="2", current_consequence="2")
    data = _answers(world)["target"]  # 2 × 3 = 6, above the current 4
    errors = _errors(client.post(_step(world, "target"), data))
    assert any("The target score (6) cannot be above the current score (4)." in e for e in errors)


def test_a_review_date_in_the_past_is_confirmed_on_its_step(world, as_user):
    client = as_user(world.buddy_pm)
    _answer(client, world, upto="scores")
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    data = _answers(world)["target"] | {"next_review_date": past}
    text = client.post(_step(world, "target"), data).content.decode()
    assert "The next review date is in the past. If that is right, confirm it" in text
    assert "Yes, this review date is right" in text
    response = client.post(_step(world, "target"), data | {"confirm": "on"})
    assert response.url == _check(world)
    client.post(_check(world))
    assert Risk.objects.get().next_review_date.isoformat() == past


def test_the_scores_step_shows_each_score_and_band_without_javascript(world, as_user):
    client = as_user(world.buddy_pm)
    _answer(client, world, upto="about")
    blank = client.get(_step(world, "scores")).content.decode()
    assert "Score: not worked out until a likelihood and a consequence are chosen." in blank
    assert "js/risk-score" in blank
    assert "What the levels mean" in blank
    assert blank.count("nhsuk-radios--inline app-scale") == 4  # inherent and current
    data = _answers(world)["scores"] | {"current_consequence": ""}
    text = client.post(_step(world, "scores"), data).content.decode()
    words = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    assert "Score: Extreme 16" in words
    assert "data-risk-bands=" in text


def test_a_blank_review_date_shows_the_first_review_to_be_checked(world, as_user):
    client = as_user(world.buddy_pm)
    with time_machine.travel("2026-03-10 12:00", tick=False):
        _answer(client, world, next_review_date="", review_frequency="monthly")
        check = client.get(_check(world)).content.decode()
        assert "10 April 2026 (one review period from today)" in check
        client.post(_check(world))
    assert str(Risk.objects.get().next_review_date) == "2026-04-10"


def test_an_answer_that_no_longer_stands_is_shown_on_its_step_not_added(world, as_user):
    client = as_user(world.buddy_pm)
    _answer(client, world, owner=str(world.buddy_viewer.pk))
    Membership.objects.filter(user=world.buddy_viewer).delete()  # the owner left meanwhile
    for response in [client.get(_check(world)), client.post(_check(world))]:
        assert response.status_code == 200
        assert any("Select a person" in error for error in _errors(response))
        assert 'action="' + _step(world, "about") + '"' in response.content.decode()
    assert not Risk.objects.exists()


def test_a_date_passed_by_the_time_the_risk_is_added_is_confirmed_on_its_step(world, as_user):
    """The service judges again when the risk is added: its refusal goes back to the step."""
    client = as_user(world.buddy_pm)
    with time_machine.travel("2026-03-10 23:50", tick=False):
        _answer(client, world, next_review_date="2026-03-10")  # today
    with time_machine.travel("2026-03-11 00:05", tick=False):
        response = client.post(_check(world))
    text = response.content.decode()
    assert response.status_code == 200
    assert "The next review date is in the past" in text
    assert "Yes, this review date is right" in text
    assert 'action="' + _step(world, "target") + '"' in text
    assert not Risk.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_steps_are_for_managers_403_for_readers_and_404_for_outsiders(world, as_user, persona):
    client = as_user(world.user(persona))
    expected = 200 if persona in WRITERS else 403 if persona in READERS else 404
    assert client.get(_step(world, "about")).status_code == expected
    response = client.post(_step(world, "about"), _answers(world)["about"])
    assert response.status_code == (302 if persona in WRITERS else expected)
    check = client.post(_check(world))
    assert check.status_code == (302 if persona in WRITERS else expected)
    assert not Risk.objects.exists()  # two of three steps: nothing is added


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    for url in [_step(world, "about"), _check(world)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_closed_partnership_takes_no_new_risk(world, as_user):
    world.partnership.status = "closed"
    world.partnership.closure_outcome = "terminated_early"
    world.partnership.closure_reason = "Ended."
    world.partnership.save()
    response = as_user(world.buddy_pm).get(_step(world, "about"))
    assert response.status_code == 409
