"""Reminders (one per rule, item, due date and person), people's choices, and the digests sent.

A reminder is recorded once: the unique key (rule, item, due date, person) is claimed with
``INSERT … ON CONFLICT DO NOTHING`` in the same transaction that records it, so the daily job run
twice, two workers at once, or a task retried after a crash, never records (nor sends) it twice.
A reminder is also the person's in-app notification (unread until they mark it read).
"""

import uuid

from django.conf import settings
from django.db import models

from buddying.notifications.choices import Delivery
from partnerships.models import Organisation, Partnership


class Reminder(models.Model):
    """Something due that one person is told about: in the app, and in the day's email digest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    rule = models.CharField(max_length=60)
    item_type = models.CharField(max_length=60)  # "<app label>.<model name>"
    item_id = models.UUIDField()
    due_date = models.DateField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    # The group it is shown under: its partnership; else (a monthly portfolio report) the
    # organisation; else (a system-wide report) the whole system.
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        # Never looked up by partnership (only a partnership's deletion, which is rare, would
        # use it): one index fewer to write for each of the day's many new reminders.
        db_index=False,
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,  # only ever read from the reminder
    )
    text = models.TextField()
    url = models.CharField(max_length=300)
    raised_on = models.DateField(help_text="The day the daily job found it due.")
    created_at = models.DateTimeField(auto_now_add=True)
    # Which run of the job recorded it: the run reads back exactly what it claimed.
    run = models.UUIDField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "Digest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
        db_index=False,  # only ever read from the reminder; one index fewer to write per row
    )
    read_at = models.DateTimeField(null=True, blank=True)

    # People see their reminders only while they may see the partnership (the access policy).
    access_route = "partnership"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "item_type", "item_id", "due_date", "user"],
                name="reminder_once_per_rule_item_due_date_person",
            )
        ]
        indexes = [
            models.Index(
                fields=["user", "emailed_at"],
                name="reminder_to_email",
                condition=models.Q(emailed_at__isnull=True),
            ),
            models.Index(
                fields=["user"], name="reminder_unread", condition=models.Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.item_type} {self.item_id} due {self.due_date} for {self.user_id}"


class ReminderPreference(models.Model):
    """A person's choice for one rule (no row: by email and in the app)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preferences"
    )
    rule = models.CharField(max_length=60)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.EMAIL)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "rule"], name="reminder_preference_one_per_rule"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.rule}: {self.delivery}"


class Digest(models.Model):
    """The one email a person is sent on a day: recorded in the transaction that sends it, so a
    second send that day (a rerun, a second worker) finds it and sends nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField()
    reminder_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_one_per_person_per_day")
        ]

    def __str__(self) -> str:
        return f"Digest for {self.user_id} on {self.day}"
