"""The daily digest email: one per person, plain text and HTML, grouped by partnership."""

from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from buddying.common.reminders import day_text


def absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def subject(count: int, day: date) -> str:
    things = "1 thing needs" if count == 1 else f"{count} things need"
    return f"Buddying: {things} your attention ({day_text(day)})"


def text_body(user, groups, day: date) -> str:
    name = user.get_full_name() or user.get_username()
    lines = [f"Dear {name},", "", f"These reminders are for {day_text(day)}.", ""]
    for group in groups:
        heading = group.heading
        lines += [heading, "-" * len(heading)]
        for reminder in group.reminders:
            lines += [f"* {reminder.rule_label}: {reminder.text}", f"  {absolute(reminder.url)}"]
        lines.append("")
    lines += [
        f"See all your notifications: {absolute(reverse('notifications:list'))}",
        f"Choose which reminders you get: {absolute(reverse('notifications:preferences'))}",
        "",
        "Buddying – NHS",
    ]
    return "\n".join(lines)


def build(user, groups, day: date) -> EmailMultiAlternatives:
    """The digest for ``groups`` (from ``selectors.grouped``) as an email with an HTML part."""
    count = sum(len(group.reminders) for group in groups)
    message = EmailMultiAlternatives(
        subject=subject(count, day),
        body=text_body(user, groups, day),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"X-Buddying-Reference": f"digest-{user.pk}-{day.isoformat()}"},
    )
    html = render_to_string(
        "notifications/digest_email.jinja",
        {
            "name": user.get_full_name() or user.get_username(),
            "day": day_text(day),
            "groups": groups,
            "absolute": absolute,
            "count": count,
            "list_url": absolute(reverse("notifications:list")),
            "preferences_url": absolute(reverse("notifications:preferences")),
        },
    )
    message.attach_alternative(html, "text/html")
    return message
