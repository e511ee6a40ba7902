"""The reference counter that numbers partnerships, commitments and risks."""

from django.db import models, transaction


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
