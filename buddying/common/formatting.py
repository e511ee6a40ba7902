"""Formatting in the NHS.UK content style: "1 April 2026", "£75", "£1.2 million", "Not recorded".

An empty value reads "Not recorded" (DESIGN §8), never "None" or a blank cell."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

NOT_RECORDED = "Not recorded"


def date_long(value: date | datetime | None) -> str:
    if value is None:
        return NOT_RECORDED
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.day} {value:%B %Y}"


def datetime_long(value: datetime | None) -> str:
    if value is None:
        return NOT_RECORDED
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    hour = local.strftime("%I").lstrip("0")
    return f"{date_long(local.date())} at {hour}:{local:%M}{local:%p}".replace("AM", "am").replace(
        "PM", "pm"
    )


def money(value: Decimal | int | float | None) -> str:
    if value is None:
        return NOT_RECORDED
    value = Decimal(value)
    if abs(value) >= 1_000_000:
        millions = (value / Decimal(1_000_000)).quantize(Decimal("0.1"))
        text = f"{millions:f}".rstrip("0").rstrip(".")
        return f"£{text} million"
    if value == value.to_integral_value():
        return f"£{int(value):,}"
    return f"£{value:,.2f}"


def or_not_recorded(value) -> str:
    """The value, or "Not recorded" when it is empty (``None``, blank or only spaces)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return NOT_RECORDED
    return value


def finalize(value):
    """Every ``{{ value }}`` a page prints: ``None`` reads "Not recorded", never "None"."""
    return NOT_RECORDED if value is None else value


def measured(value: Decimal | int | float | None) -> str:
    """A measured value as written: "1,200", "71.5", "0.25"."""
    if value is None:
        return NOT_RECORDED
    text = f"{Decimal(value):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def quantity_text(value: Decimal | None, unit: str) -> str:
    """A quantity in its unit, as pages and messages show it: "7.50 hours", "£1,200",
    "0.40 FTE", "1 day", "−£1,336.99" (a minus sign for a shortfall), "Not recorded"."""
    if value is None:
        return NOT_RECORDED
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
        return NOT_RECORDED
    value = Decimal(value)
    if abs(value) >= 1_000_000:
        return money(value)
    sign = "−" if value < 0 else ""
    return f"{sign}£{int(abs(value).quantize(Decimal(1))):,}"


def quantity_board(value: Decimal | None, unit: str) -> str:
    """A quantity as a board reads it: whole hours and days ("391 hours"), whole pounds
    ("£39,123", "£1.2 million") and FTE to one place ("0.4 FTE"). The precise figure is in the CSV."""
    if value is None:
        return NOT_RECORDED
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
        return NOT_RECORDED
    return f"{Decimal(value).quantize(Decimal(1)):,}%"
