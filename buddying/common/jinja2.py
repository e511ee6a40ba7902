"""The Jinja2 environment for pages: NHS England's nhsuk-frontend-jinja macros plus Django helpers."""

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from buddying.common import formatting
from buddying.common.formatting import quantity_text


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def partnership_trail(partnership, *steps: dict) -> list[dict]:
    """The breadcrumbs below the home page down to a partnership, then ``steps`` (each a dict of
    ``href`` and ``text``): what a page of a partnership sets as its ``crumbs``."""
    return [
        {"href": reverse("partnerships:list"), "text": "Partnerships"},
        {
            "href": reverse("partnerships:detail", args=[partnership.pk]),
            "text": partnership.reference,
        },
        *steps,
    ]


def section_crumb(partnership, name: str, text: str) -> dict:
    """The breadcrumb of one section page of a partnership ("Delivery", "Risks", …)."""
    return {"href": reverse("partnerships:section", args=[partnership.pk, name]), "text": text}


def environment(**options) -> Environment:
    options["undefined"] = ChainableUndefined
    options["finalize"] = formatting.finalize
    env = Environment(**options)  # noqa: S701 - Django's Jinja2 backend turns autoescape on
    env.loader = ChoiceLoader([env.loader, PackageLoader("nhsuk_frontend_jinja")])
    env.globals.update(
        {
            "static": static,
            "STATIC_URL": settings.STATIC_URL,
            "url": url,
            "get_messages": get_messages,
            "partnership_trail": partnership_trail,
            "local_today": timezone.localdate,
            "section_crumb": section_crumb,
        }
    )
    env.filters.update(
        {
            "date_long": formatting.date_long,
            "datetime_long": formatting.datetime_long,
            "money": formatting.money,
            "number": number_format,
            "or_not_recorded": formatting.or_not_recorded,
            # The old name, kept so templates written on other branches still render.
            "or_none": formatting.or_not_recorded,
            "quantity": quantity_text,
            "board": formatting.quantity_board,
            "money_board": formatting.money_board,
            "percent": formatting.percent,
            "measured": formatting.measured,
        }
    )
    return env
