"""The plain components (templates/macros/plain.jinja) draw the same markup as the NHS.UK
``table`` and ``tag`` macros for every parameter the row-heavy pages use, so a page may swap one
for the other without changing what a screen reader or axe sees."""

from html.parser import HTMLParser

import pytest
from django.template import engines
from markupsafe import Markup

SORTED_HEAD = [
    {"text": "Reference", "sort": "none", "href": "?sort=reference"},
    {"text": "Title", "sort": True, "href": "?sort=title"},
    {"text": "Owner"},
    {"text": "Current score", "format": "numeric", "sort": "descending", "href": "?sort=score"},
    {"html": Markup('<span class="nhsuk-u-visually-hidden">Action</span>')},
]
ROWS = [
    [
        {"html": Markup('<a href="/risks/1/">R-001</a>')},
        {"text": "Staffing <gaps> & rotas"},
        {"html": Markup("Ann Smith<br><span>Trust</span>")},
        {"text": 12, "format": "numeric"},
        {"html": Markup('<a href="/x/">Log</a>'), "header": "Action"},
    ],
    [
        {"text": "R-002"},
        {"text": "Finance"},
        {"text": "Not recorded"},
        {"html": Markup("<strong>Extreme 25</strong>")},
        {"text": "Nothing", "header": "Action"},
    ],
]
PLAIN_HEAD = [
    {"text": "Commitment"},
    {"text": "Description"},
    {"text": "Delivered", "format": "numeric"},
]
PLAIN_ROWS = [
    [
        {"text": "C-1", "header": "Commitment"},
        {"text": "Beds", "header": "Description"},
        {"text": "3 of 5", "format": "numeric", "header": "Delivered"},
    ]
]

CASES = {
    "register: sortable on the server, responsive": {
        "caption": "Risks (2)",
        "captionSize": "m",
        "head": SORTED_HEAD,
        "rows": ROWS,
        "responsive": True,
    },
    "home: responsive with headers on the cells": {
        "caption": "Commitments behind plan (1)",
        "captionSize": "m",
        "head": PLAIN_HEAD,
        "rows": PLAIN_ROWS,
        "responsive": True,
    },
    "not responsive, no caption": {"head": PLAIN_HEAD, "rows": PLAIN_ROWS},
    "sortable in the browser": {
        "caption": "Sorted here",
        "head": [{"text": "A", "sort": "ascending"}, {"text": "B", "sort": True}],
        "rows": [[{"text": "1"}, {"text": "2"}]],
    },
}


class _Tree(HTMLParser):
    """Elements with their attributes (order ignored) and text, whitespace collapsed."""

    def __init__(self):
        super().__init__()
        self.items: list = []

    def handle_starttag(self, tag, attrs):
        self.items.append(("<", tag, tuple(sorted((k, v or "") for k, v in attrs))))

    def handle_endtag(self, tag):
        self.items.append((">", tag))

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            if self.items and self.items[-1][0] == "text":
                self.items[-1] = ("text", self.items[-1][1] + " " + text)
            else:
                self.items.append(("text", text))


def _tree(html: str) -> list:
    parser = _Tree()
    parser.feed(html)
    return parser.items


def _render(macro_path: str, params: dict, name: str = "table") -> str:
    template = engines["jinja2"].from_string(
        f'{{% from "{macro_path}" import {name} %}}{{{{ {name}(params) }}}}'
    )
    return template.render({"params": params})


def _same_markup(component: str, params: dict, name: str) -> tuple[str, str]:
    """The plain macro's and the NHS macro's HTML for ``params``, after checking that both draw
    the same elements, attributes and text."""
    nhs = _render(f"nhsuk/components/{component}/macro.jinja", params, name)
    plain = _render("macros/plain.jinja", params, name)
    assert _tree(plain) == _tree(nhs)
    return plain, nhs


@pytest.mark.parametrize("case", CASES)
def test_the_plain_table_draws_the_nhs_tables_markup(case):
    params = CASES[case]
    plain, nhs = _same_markup("tables", params, "table")
    assert len(plain) < len(nhs) / 2  # and without the NHS macro's blank lines


def test_the_plain_table_escapes_text():
    html = _render("macros/plain.jinja", CASES["register: sortable on the server, responsive"])
    assert "Staffing &lt;gaps&gt; &amp; rotas" in html


@pytest.mark.parametrize(
    "params",
    [
        {"text": "Extreme 25", "colour": "red"},
        {"text": "Open", "colour": "blue"},
        {"text": "No colour named"},
        {"text": "Not a colour", "colour": "tartan"},
        {"html": Markup("<span>Closed</span>"), "colour": "grey", "classes": "app-tag"},
        {"text": "<b>escaped</b>", "colour": "green"},
    ],
)
def test_the_plain_tag_draws_the_nhs_tags_markup(params):
    _same_markup("tag", params, "tag")


CHECKBOXES = {
    "register: a category filter in a fieldset, one checked": {
        "idPrefix": "filter-category",
        "name": "category",
        "classes": "nhsuk-checkboxes--small",
        "fieldset": {"legend": {"text": "Category", "classes": "nhsuk-fieldset__legend--s"}},
        "items": [
            {"value": "clinical", "text": "Clinical", "checked": False},
            {"value": "finance", "text": "Finance & <money>", "checked": True},
            {"value": "people", "text": "People", "checked": False},
        ],
    },
    "register: one checkbox without a fieldset": {
        "idPrefix": "filter-outside",
        "name": "outside_appetite",
        "classes": "nhsuk-checkboxes--small",
        "items": [{"value": "true", "text": "Only risks outside a party's appetite"}],
    },
    "no id prefix, no classes, a legend without classes": {
        "name": "band",
        "fieldset": {"legend": {"text": "Band"}},
        "items": [
            {"value": "low", "text": "Low", "checked": True},
            {"value": "high", "text": "High"},
        ],
    },
}


@pytest.mark.parametrize("case", CHECKBOXES)
def test_the_plain_checkboxes_draw_the_nhs_checkboxes_markup(case):
    params = CHECKBOXES[case]
    plain, nhs = _same_markup("checkboxes", params, "checkboxes")
    assert len(plain) < len(nhs) / 2


def test_the_plain_checkboxes_escape_their_text():
    params = CHECKBOXES["register: a category filter in a fieldset, one checked"]
    html = _render("macros/plain.jinja", params, "checkboxes")
    assert "Finance &amp; &lt;money&gt;" in html
    assert 'id="filter-category-2" name="category" type="checkbox" value="finance" checked>' in html


_NAVIGATION = [
    {"href": "/", "text": "Dashboard", "active": False},
    {"href": "/partnerships/", "text": "Partnerships", "active": True},
    {"href": "/notifications/", "text": "Notifications (3 unread)", "active": None},
]
HEADERS = {
    "signed in, with a risk appetite link": {
        "service": {"text": "Buddying", "href": "/"},
        "account": {
            "items": [
                {"text": "Ann Smith (Royal Free <London> NHS FT)", "icon": True},
                {"href": "/appetite/RAL/", "text": "Your risk appetite"},
                {"href": "/account/tokens/", "text": "API tokens"},
                {"href": "/sign-out/", "text": "Sign out"},
            ]
        },
        "search": {
            "action": "/search/",
            "name": "q",
            "visuallyHiddenLabel": "Search partnerships, risks and organisations",
            "placeholder": "Search",
        },
        "navigation": {"items": [*_NAVIGATION, {"href": "/api/docs/", "text": "API"}]},
    },
    "signed in, nothing current": {
        "service": {"text": "Buddying", "href": "/"},
        "account": {"items": [{"text": "regulator", "icon": True}, {"href": "/o/", "text": "Out"}]},
        "search": {
            "action": "/s/",
            "name": "q",
            "visuallyHiddenLabel": "Find",
            "placeholder": "Go",
        },
        "navigation": {"items": [{**item, "active": False} for item in _NAVIGATION]},
    },
    "signed out": {
        "service": {"text": "Buddying", "href": "/"},
        "account": {"items": [{"href": "/sign-in/", "text": "Sign in"}]},
    },
    "the sign-in page": {"service": {"text": "Buddying", "href": "/"}},
}


@pytest.mark.parametrize("case", HEADERS)
def test_the_plain_header_draws_the_nhs_headers_markup(case):
    params = HEADERS[case]
    _same_markup("header", params, "header")


def test_the_plain_header_escapes_the_account_name():
    params = HEADERS["signed in, with a risk appetite link"]
    html = _render("macros/plain.jinja", params, "header")
    assert "Ann Smith (Royal Free &lt;London&gt; NHS FT)" in html


SUMMARY_LISTS = {
    "the overview's summary": {
        "rows": [
            {
                "key": {"text": "Shared intent"},
                "value": {"text": "Recover <urgent> care\nin a year"},
            },
            {"key": {"text": "Scope"}, "value": {"html": Markup("<ul class='x'><li>A</li></ul>")}},
            {"key": {"text": "Equivalent consultancy cost"}, "value": {"text": "£1.2m"}},
        ]
    },
    "approvals": {
        "rows": [
            {"key": {"text": "Trust A (buddy)"}, "value": {"text": "Approved by Ann on 1 May"}},
            {"key": {"text": "Trust B (supported)"}, "value": {"text": "Waiting"}},
        ]
    },
    "no rows": {"rows": []},
}


@pytest.mark.parametrize("case", SUMMARY_LISTS)
def test_the_plain_summary_list_draws_the_nhs_summary_lists_markup(case):
    params = SUMMARY_LISTS[case]
    _same_markup("summary-list", params, "summaryList")


CARDS = {
    "a section's headline on the overview": {
        "heading": "Delivery <plan>",
        "headingLevel": 3,
        "headingSize": "s",
        "href": "/partnerships/1/sections/commitments/",
        "descriptionHtml": Markup('<p class="nhsuk-u-margin-bottom-2">3 of 4 on track.</p>'),
    },
    "no link, default level": {"heading": "Plain", "descriptionHtml": Markup("<p>Text</p>")},
}


@pytest.mark.parametrize("case", CARDS)
def test_the_plain_card_draws_the_nhs_cards_markup(case):
    params = CARDS[case]
    _same_markup("card", params, "card")
