"""The Jinja2 environment for pages: NHS England's nhsuk-frontend-jinja macros plus Django helpers."""

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import number_format
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from buddying.common import formatting
from buddying.common.formatting import quantity_text


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    options["undefined"] = ChainableUndefined
    env = Environment(**options)  # noqa: S701 - Django's Jinja2 backend turns autoescape on
    env.loader = ChoiceLoader([env.loader, PackageLoader("nhsuk_frontend_jinja")])
    env.globals.update(
        {
            "static": static,
            "STATIC_URL": settings.STATIC_URL,
            "url": url,
            "get_messages": get_messages,
        }
    )
    env.filters.update(
        {
            "date_long": formatting.date_long,
            "datetime_long": formatting.datetime_long,
            "money": formatting.money,
            "number": number_format,
            "or_none": formatting.or_none,
            "quantity": quantity_text,
            "board": formatting.quantity_board,
            "money_board": formatting.money_board,
            "percent": formatting.percent,
        }
    )
    return env
