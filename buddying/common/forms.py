"""Form building blocks shared by every app's forms."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError

from buddying.common.errors import StaleVersion, needs_confirmation


def add_service_errors(form: forms.Form, error: ValidationError, *, field: str | None = None):
    """Show a service's ``ValidationError`` (or ``StateConflict``) on ``form``.

    Messages keyed by a field the form has go on that field; anything else goes on ``field``
    (``None``: the top of the error summary). A ``StaleVersion`` shows, beside each field the
    person changed, the value saved meanwhile, and moves the form on to the current version, so
    saving again (deliberately) applies the person's own values.
    """
    if isinstance(error, StaleVersion):
        _show_stale(form, error)
        return
    if needs_confirmation(error):
        # The page then shows the form's "yes, this is right" box (see ``confirm_field``).
        form.asks_to_confirm = True
    if hasattr(error, "error_dict"):
        for key, messages in error.error_dict.items():
            form.add_error(key if key in form.fields else field, messages)
    else:
        form.add_error(field, error.messages)


class OrganisationChoiceField(forms.ModelChoiceField):
    """A select of organisations by their full name."""

    def label_from_instance(self, obj) -> str:
        return obj.display_name


class DateInputParts(forms.MultiWidget):
    """The NHS.UK date input: day, month and year as three boxes (``<name>_day`` and so on).

    The parts are joined as ``YYYY-MM-DD`` for the ``DateField`` to parse, so a wrong date gets the
    field's own message. A single ``<name>`` value in ISO form is accepted too, which keeps the
    forms usable by scripts and tests that post one value.
    """

    template_name = "django/forms/widgets/multiwidget.html"  # unused: pages use the NHS macro
    parts = ("day", "month", "year")

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput, forms.TextInput, forms.TextInput], attrs)
        self.widgets_names = [f"_{part}" for part in self.parts]

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value.count("-") == 2:
            year, month, day = value.split("-")
            return [day, month, year]
        return ["", "", ""]

    def value_from_datadict(self, data, files, name):
        day, month, year = ((data.get(f"{name}_{part}") or "").strip() for part in self.parts)
        if not (day or month or year):
            return data.get(name)
        return f"{year}-{month}-{day}"

    def value_omitted_from_data(self, data, files, name):
        return name not in data and all(f"{name}_{part}" not in data for part in self.parts)


def use_nhs_date_inputs(form: forms.BaseForm) -> None:
    """Give every date field of the form the NHS.UK day/month/year input."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField) and not isinstance(field.widget, DateInputParts):
            field.widget = DateInputParts()


# "1,200", "£39,123.50", "-1,000": digits grouped in threes by commas, as the service shows them.
_GROUPED = re.compile(r"^(?P<sign>[-−]?)\s*£?\s*(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?P<part>\.\d+)?$")


def without_separators(value):
    """A number as people write it, made plain for the field: "1,200" → "1200", "£75" → "75".
    Anything else is left as it is, for the field to judge ("1,2" stays, and is refused)."""
    if not isinstance(value, str):
        return value
    found = _GROUPED.match(value.strip())
    if not found:
        return value
    sign = "-" if found["sign"] else ""
    return f"{sign}{found['whole'].replace(',', '')}{found['part'] or ''}"


class _AcceptsSeparators:
    def to_python(self, value):
        return super().to_python(without_separators(value))


_WITH_SEPARATORS: dict[type, type] = {}


def accept_thousands_separators(form: forms.BaseForm) -> None:
    """Let every number field of the form take "1,200" (and "£1,200" for money), the way the
    product displays numbers. The field still judges the number itself."""
    for field in form.fields.values():
        kind = type(field)
        if not isinstance(field, forms.DecimalField | forms.IntegerField | forms.FloatField):
            continue
        if isinstance(field, _AcceptsSeparators) or field.widget.is_hidden:
            continue
        if kind not in _WITH_SEPARATORS:
            _WITH_SEPARATORS[kind] = type(kind.__name__, (_AcceptsSeparators, kind), {})
        field.__class__ = _WITH_SEPARATORS[kind]


class NhsFormMixin:
    """Mixed into every page form: NHS.UK date inputs for date fields, and numbers that may be
    written with thousands separators ("1,200")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_nhs_date_inputs(self)
        accept_thousands_separators(self)


def _display(field: forms.Field, value) -> str:
    if value in (None, ""):
        return "nothing"
    choices = dict(getattr(field, "choices", None) or ())
    if value in choices:
        return str(choices[value])
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def _show_stale(form: forms.Form, error: StaleVersion) -> None:
    current = error.current
    form.add_error(None, error.messages)
    cleaned = getattr(form, "cleaned_data", {}) or {}
    for name, field in form.fields.items():
        if name == "version" or not hasattr(current, name) or name not in cleaned:
            continue
        now = getattr(current, name)
        now = getattr(now, "pk", now)
        mine = cleaned[name]
        mine = getattr(mine, "pk", mine)
        if now != mine:
            form.add_error(name, f"Saved meanwhile: {_display(field, now)}. Yours is below.")
    if form.is_bound and "version" in form.fields:
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = str(current.version)


class VersionedFormMixin:
    """A form that changes a row carries the version the person read, as a hidden field, so a
    change made meanwhile by someone else is never silently overwritten (``buddying.common.writes``).

    Pass ``version=`` for a plain form; a model form takes its instance's version.
    """

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if version is None and instance is not None and not instance._state.adding:
            version = instance.version
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=version, min_value=0
        )

    @property
    def version(self) -> int | None:
        return getattr(self, "cleaned_data", {}).get("version")


def confirm_field(label: str) -> forms.BooleanField:
    """The box a person ticks to confirm a value the service found implausible. Pages show it
    when ``form.asks_to_confirm`` (set by ``add_service_errors``) or once it is ticked."""
    return forms.BooleanField(required=False, label=label)
