"""How every service saves a row: the model's rules first, then the row, with who made the change."""

from django.db.models import Model


def save(instance: Model, *, by, exclude=None) -> None:
    """Validate with ``full_clean()`` and save, recording ``by`` in the row's history."""
    instance._history_user = by
    instance.full_clean(exclude=exclude)
    instance.save()
