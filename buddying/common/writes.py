"""How every service writes a row, so that no accepted change is ever silently lost (issue 8).

An edit:

1. locks the row (``lock``: ``SELECT … FOR UPDATE``) and reads it again inside the transaction;
2. refuses it if the person read an older version (``StaleVersion``: 412 in the API, the form
   comes back with the current values);
3. sets only the fields whose value changes (``apply``);
4. validates and saves only those fields, with the version moved on (``save_changes``).

Creation and deletion use ``save`` and a plain delete on the locked row.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import F, Model, QuerySet
from django.utils import timezone

from buddying.common.errors import StaleVersion
from buddying.common.formatting import datetime_long

_ALWAYS_WRITTEN = ("version", "updated_at")


def save(instance: Model, *, by, exclude=None) -> None:
    """Validate with ``full_clean()`` and save a new row, recording ``by`` in its history."""
    instance._history_user = by
    instance.full_clean(exclude=exclude)
    instance.save()


def _who_changed(instance: Model) -> str:
    history = getattr(instance, "history", None)
    record = history.select_related("history_user").first() if history is not None else None
    user = getattr(record, "history_user", None)
    when = getattr(record, "history_date", None) or getattr(instance, "updated_at", None)
    who = (user.get_full_name() or user.get_username()) if user else "someone else"
    return f"{who} on {datetime_long(when)}" if when else who


def stale_message(instance: Model) -> str:
    noun = instance._meta.verbose_name
    return (
        f"This {noun} was changed by {_who_changed(instance)} since you opened it. "
        "Nothing was saved. Check the current values and make your change again."
    )


def lock(source: type[Model] | QuerySet, pk, *, version: int | None = None) -> Model:
    """The row, locked until the transaction ends and read afresh; ``StaleVersion`` if the
    caller read it at another ``version`` (``None``: the caller does not say, e.g. a command)."""
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    instance = queryset.select_for_update(of=("self",)).get(pk=pk)
    check_version(instance, version)
    return instance


def check_version(instance: Model, version: int | None) -> None:
    if version is not None and int(version) != instance.version:
        raise StaleVersion(stale_message(instance), current=instance)


def apply(instance: Model, fields: Mapping[str, Any]) -> list[str]:
    """Set the fields whose value differs; the names of those changed."""
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def save_changes(instance: Model, changed: Iterable[str], *, by, exclude=None) -> bool:
    """Validate the row and write only ``changed`` (and the version), recording ``by`` in the
    history. Nothing is written, and the version stays, when nothing changed."""
    changed = list(dict.fromkeys(changed))
    if not changed:
        return False
    instance._history_user = by
    instance.full_clean(exclude=exclude)
    instance.version += 1
    names = {field.name for field in instance._meta.concrete_fields}
    instance.save(update_fields=[*changed, *(f for f in _ALWAYS_WRITTEN if f in names)])
    return True


def touch(queryset: QuerySet) -> int:
    """Mark rows changed when something they show changed (their figures, a flag), so
    ``updated_since`` and ETags see it. A queryset update: no change in their own history."""
    return queryset.update(updated_at=timezone.now(), version=F("version") + 1)
