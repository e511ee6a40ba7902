"""Choices of the notifications app."""

from django.db import models


class Delivery(models.TextChoices):
    """How a person hears of one rule's reminders."""

    EMAIL = "email", "By email and in the app"
    APP_ONLY = "app_only", "In the app only (no email)"
    OFF = "off", "Not at all"
