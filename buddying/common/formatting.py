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


def quantity_text(value: Decimal | None, unit: str) -> str:
    """A quantity in its unit, as pages and messages show it: "7.50 hours", "£1,200",
    "0.40 FTE", "1 day", "−£1,336.99" (a minus sign for a shortfall), "None"."""
    if value is None:
        return "None"
    text = f"{abs(value):,.2f}".removesuffix(".00")
    sign = "−" if value < 0 else ""
    if unit == "gbp":
        return f"{sign}£{text}"
    if unit == "fte":
        return f"{sign}{text} FTE"
    return f"{sign}{text} {unit[:-1] if text == '1' else unit}"


def money_board(value: Decimal | int | float | None) -> str:
    """Money as a board reads it: whole pounds ("£39,123"), "£1.2 million" from a million up."""
    if value is None:
        return "Not recorded"
    value = Decimal(value)
    if abs(value) >= 1_000_000:
        return money(value)
    sign = "−" if value < 0 else ""
    return f"{sign}£{int(abs(value).quantize(Decimal(1))):,}"


def quantity_board(value: Decimal | None, unit: str) -> str:
    """A quantity as a board reads it: whole hours and days ("391 hours"), whole pounds
    ("£39,123", "£1.2 million") and FTE to one place ("0.4 FTE"). The precise figure is in the CSV."""
    if value is None:
        return "Not recorded"
    if unit == "gbp":
        return money_board(value)
    sign = "−" if value < 0 else ""
    if unit == "fte":
        return f"{sign}{abs(Decimal(value)).quantize(Decimal('0.1')):f} FTE"
    whole = int(abs(Decimal(value)).quantize(Decimal(1)))
    return f"{sign}{whole:,} {unit[:-1] if whole == 1 else unit}"


def percent(value: Decimal | float | None) -> str:
    """A whole percentage ("32%"), or "Not recorded" when there is nothing to divide by."""
    if value is None:
        return "Not recorded"
    return f"{Decimal(value).quantize(Decimal(1)):,}%"
