"""The change log: one row per create, change or delete of a domain object."""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from buddying.sync.choices import ChangeAction


class Change(models.Model):
    """One create, change or delete of a domain object: what (type and id), where (the
    partnership, or the organisation for an organisation's own records), who, when, and the
    fields that changed with their old and new values.

    Written in the same transaction as the change itself (``buddying.sync.recording``), from
    django-simple-history's records and from every deletion. ``updated_at`` is when it happened,
    so the feeds page and filter like every other list. Kept for good: a mirror may come back
    after months (at least 13) and still learn what was deleted.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    updated_at = models.DateTimeField("when")
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64)
    # No database constraint: the log outlives what it describes (a deleted partnership too).
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "partnerships.Organisation",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    access_route = "partnership"

    class Meta:
        indexes = [
            models.Index(fields=["updated_at", "id"], name="change_sync_idx"),
            models.Index(fields=["object_type", "object_id"], name="change_object_idx"),
            models.Index(fields=["partnership", "updated_at"], name="change_partnership_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id} {self.action} at {self.updated_at}"
