"""Building blocks shared by the models of both apps."""

import uuid

from django.db import models, transaction


class TimeStampedModel(models.Model):
    """A row with a non-guessable public id and the times it was created and last changed.

    ``updated_at`` is what the API's ``updated_since`` filter reads for incremental sync.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class ReferenceCounter(models.Model):
    """The last number handed out in a scope (e.g. ``BP-2026``), so references never repeat."""

    scope = models.CharField(max_length=100, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope}: {self.last}"

    @classmethod
    def next(cls, scope: str) -> int:
        """Take the next number in ``scope``; the row lock makes concurrent callers wait their turn."""
        with transaction.atomic():
            cls.objects.get_or_create(scope=scope)
            counter = cls.objects.select_for_update().get(scope=scope)
            counter.last += 1
            counter.save(update_fields=["last"])
            return counter.last
