"""The shared layout in a real browser: the notification banner and the error pages."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template import engines
from django.urls import reverse

from tests.browser.conftest import axe_violations, describe, render_page

pytestmark = pytest.mark.browser

PAGE = """{% extends "layout.jinja" %}
{% block title %}Messages{% endblock %}
{% block main_content %}<h1 class="nhsuk-heading-l">Messages</h1>{% endblock %}"""


def serve_with_messages(serve, *messages):
    html = render_page(PAGE, {}, path="/messages/", messages=messages)
    return serve("/messages/", html)


def test_success_messages_share_one_banner_that_takes_focus(serve):
    page = serve_with_messages(
        serve,
        Message(constants.SUCCESS, "Approval recorded."),
        Message(constants.SUCCESS, "The partnership is now agreed."),
    )

    banners = page.locator(".nhsuk-notification-banner")
    assert banners.count() == 1
    assert banners.get_attribute("role") == "alert"
    assert banners.get_by_role("heading", level=2).inner_text() == "Success"
    lines = banners.locator(".nhsuk-notification-banner__heading")
    assert lines.all_inner_texts() == ["Approval recorded.", "The partnership is now agreed."]
    page.wait_for_function("document.activeElement.classList.contains('nhsuk-notification-banner')")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.problems == []


def test_banner_is_important_not_success_when_any_message_is_not_a_success(serve):
    page = serve_with_messages(
        serve,
        Message(constants.SUCCESS, "Objective saved."),
        Message(constants.WARNING, "The review is overdue."),
    )

    banner = page.locator(".nhsuk-notification-banner")
    assert banner.get_by_role("heading", level=2).inner_text() == "Important"
    assert "nhsuk-notification-banner--success" not in banner.get_attribute("class")
    assert banner.get_attribute("role") == "region"
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_no_banner_without_messages(serve):
    page = serve_with_messages(serve)

    assert page.locator(".nhsuk-notification-banner").count() == 0


def test_server_error_page_looks_like_the_service_and_has_no_wcag_22_aa_violations(serve):
    # Rendered without a request: it must not need the database or the signed-in user.
    html = engines["jinja2"].get_template("errors/500.jinja").render({})
    page = serve("/server-error/", html)

    assert page.title() == "Sorry, there is a problem with the service – Buddying – NHS"
    assert (
        page.locator("header.nhsuk-header").evaluate("e => getComputedStyle(e).backgroundColor")
        == "rgb(0, 94, 184)"
    )
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.problems == []


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(world, page, sign_in):
    sign_in(world.buddy_pm)
    page.goto(reverse("partnerships:list"))

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "maincontent"


@pytest.mark.parametrize(
    ("path", "current"),
    [
        (lambda w: reverse("dashboard"), "Dashboard"),
        (lambda w: reverse("partnerships:list"), "Partnerships"),
        (lambda w: reverse("partnerships:detail", args=[w.partnership.pk]), "Partnerships"),
        (lambda w: reverse("risks:register", args=[w.partnership.pk]), "Partnerships"),
    ],
)
def test_header_navigation_marks_the_current_section(world, page, sign_in, path, current):
    sign_in(world.buddy_pm)
    page.goto(path(world))

    navigation = page.locator("header nav.nhsuk-header__navigation")
    marked = navigation.locator("[aria-current]")
    assert marked.count() == 1
    assert marked.inner_text().strip() == current
