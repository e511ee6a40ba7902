"""The form macros (templates/macros/forms.jinja) in a real browser, for every kind of widget.

A page built from the macros alone is served at the live server's address, so the NHS.UK CSS
and JavaScript load as on any page: the error summary must link to, and focus, each field.
"""

import re

import pytest
from django import forms

from tests.browser.conftest import axe_violations, describe, render_page

pytestmark = pytest.mark.browser

CHOICES = [("red", "Red"), ("amber", "Amber"), ("green", "Green")]


class EveryWidgetForm(forms.Form):
    title = forms.CharField(label="Title")
    email = forms.EmailField(label="Email address")
    hours = forms.DecimalField(label="Hours")
    starts_on = forms.DateField(label="Start date", widget=forms.DateInput)
    note = forms.CharField(label="Note", widget=forms.Textarea, min_length=50)
    category = forms.ChoiceField(label="Category", choices=[("", "Choose a category"), *CHOICES])
    rag = forms.ChoiceField(label="RAG rating", choices=CHOICES, widget=forms.RadioSelect)
    areas = forms.MultipleChoiceField(
        label="Areas", choices=CHOICES, widget=forms.CheckboxSelectMultiple
    )
    confirm = forms.BooleanField(label="I confirm the figures are correct")
    upload = forms.FileField(label="Deliveries file")
    secret = forms.CharField(label="Password", widget=forms.PasswordInput, min_length=20)


PAGE = """{% extends "layout.jinja" %}
{% from "macros/forms.jinja" import error_summary, field, submit %}
{% block title %}Every widget{% endblock %}
{% block main_content %}
<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
  {{ error_summary(form) }}
  <h1 class="nhsuk-heading-l">Every widget</h1>
  <form method="post" novalidate>
    {% for f in form %}{{ field(f) }}{% endfor %}
    {{ submit("Save") }}
  </form>
</div></div>
{% endblock %}"""


@pytest.fixture
def widget_page(serve):
    """The macros' page with every field in error (typed values kept), at /every-widget/."""
    data = {"title": "", "hours": "lots", "secret": "hunter2", "note": "Kept <b>as typed</b>"}
    form = EveryWidgetForm(data=data, files={})
    assert not form.is_valid()
    return serve("/every-widget/", render_page(PAGE, {"form": form}, path="/every-widget/"))


def test_every_field_error_is_linked_from_the_summary_to_a_field_that_exists(widget_page):
    links = widget_page.locator(".nhsuk-error-summary a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]

    assert len(hrefs) == len(EveryWidgetForm.base_fields)
    for href in hrefs:
        assert widget_page.locator(href).count() == 1, f"{href} links to nothing"


@pytest.mark.parametrize("name", list(EveryWidgetForm.base_fields))
def test_error_summary_link_focuses_the_field(widget_page, name):
    target = widget_page.locator(f".nhsuk-error-summary a[href='#id_{name}']")

    target.click()

    assert widget_page.evaluate("document.activeElement.id") == f"id_{name}"


def test_macros_page_with_errors_has_no_wcag_22_aa_violations(widget_page):
    assert widget_page.title() == "Error: Every widget – Buddying – NHS"
    violations = axe_violations(widget_page)
    assert violations == [], describe(violations)
    assert widget_page.problems == []


def test_what_was_typed_is_kept_but_never_a_password(widget_page):
    assert widget_page.get_by_label("Hours").input_value() == "lots"
    assert widget_page.get_by_label("Note").input_value() == "Kept <b>as typed</b>"
    assert widget_page.get_by_label("Password").input_value() == ""


def test_file_upload_button_is_named_by_its_label_and_visible_text(widget_page):
    """Backs the axe waiver in conftest: voice control users can say what they see."""
    name = re.compile(r"^Deliveries file\W+No file chosen\W+Choose file or drop file$")

    assert widget_page.get_by_role("button", name=name).count() == 1
