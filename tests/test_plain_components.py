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


@pytest.mark.parametrize("case", CASES)
def test_the_plain_table_draws_the_nhs_tables_markup(case):
    params = CASES[case]
    nhs = _render("nhsuk/components/tables/macro.jinja", params)
    plain = _render("macros/plain.jinja", params)
    assert _tree(plain) == _tree(nhs)
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
    nhs = _render("nhsuk/components/tag/macro.jinja", params, "tag")
    plain = _render("macros/plain.jinja", params, "tag")
    assert _tree(plain) == _tree(nhs)
