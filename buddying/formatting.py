"""Formatting in the NHS.UK content style: "1 April 2026", "£75", "£1.2 million", "None"."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone


def date_long(value: date | datetime | None) -> str:
    if value is None:
        return "None"
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.day} {value:%B %Y}"


def datetime_long(value: datetime | None) -> str:
    if value is None:
        return "None"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    hour = local.strftime("%I").lstrip("0")
    return f"{date_long(local.date())} at {hour}:{local:%M}{local:%p}".replace("AM", "am").replace(
        "PM", "pm"
    )


def money(value: Decimal | int | float | None) -> str:
    if value is None:
        return "None"
    value = Decimal(value)
    if abs(value) >= 1_000_000:
        millions = (value / Decimal(1_000_000)).quantize(Decimal("0.1"))
        text = f"{millions:f}".rstrip("0").rstrip(".")
        return f"£{text} million"
    if value == value.to_integral_value():
        return f"£{int(value):,}"
    return f"£{value:,.2f}"


def or_none(value) -> str:
    if value is None or value == "":
        return "None"
    return value
