"""Writes the change log (``Change``) as changes happen, in the same transaction.

Every domain model (one that declares ``access_route`` and keeps a history, plus organisations)
is recorded: creates, changes and deletions from django-simple-history's records, with the changed
fields' old and new values, one row per record — and for simple-history's bulk writes
(``bulk_create_with_history``, ``bulk_update_with_history``) one bulk insert per batch. A deletion
cascading from a partnership is recorded for each object it removes (simple-history records each).
A person's own reminders keep no history and are no part of a mirror: they are not recorded.

Writes that bypass ``save()`` (a queryset ``update``) are for what a row *shows* — figures and
flags derived from other rows (``buddying.common.writes.touch``) — and move ``updated_at``; the
change a person made is recorded on the row they changed.
"""

from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from simple_history.manager import HistoryManager
from simple_history.signals import post_create_historical_record

from buddying.sync.choices import ChangeAction
from buddying.sync.models import Change

# Bookkeeping, not content: a change of only these is not a change anyone reads.
IGNORED_FIELDS = frozenset({"id", "created_at", "updated_at", "version"})
_ACTIONS = {"+": ChangeAction.CREATED, "~": ChangeAction.CHANGED, "-": ChangeAction.DELETED}


def tracked_models() -> list[type]:
    """The models whose changes the log records: those that belong to a partnership or to an
    organisation (they declare ``access_route``) and keep a history, and organisations."""
    return [
        model
        for model in apps.get_models()
        if hasattr(model, "access_route")
        and hasattr(model._meta, "simple_history_manager_attribute")
    ] + [apps.get_model("partnerships", "Organisation")]


def object_type(model) -> str:
    return model._meta.model_name


def where(instance) -> tuple:
    """``(partnership_id, organisation_id)`` the object belongs to, for who may read its log."""
    model = type(instance)
    route = getattr(model, "access_route", None)
    if route == "":
        return instance.pk, None
    if route:
        *path, last = route.split("__")
        obj = instance
        try:
            for name in path:
                obj = getattr(obj, name)
        except ObjectDoesNotExist:
            return None, None
        return getattr(obj, f"{last}_id"), None
    if model._meta.label == "partnerships.Organisation":
        return None, instance.pk
    return None, getattr(instance, "organisation_id", None)


def _value(field, value):
    """A field's value as the database holds it (a decimal to its places: 3 is "3.00")."""
    if value is not None and isinstance(field, models.DecimalField):
        return Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


_ASK = object()


def _field_changes(record, previous=_ASK) -> dict:
    fields = [f for f in record.tracked_fields if f.name not in IGNORED_FIELDS]
    if record.history_type == "-":
        return {}
    if record.history_type != "~":
        previous = None
    elif previous is _ASK:
        previous = record.prev_record
    if previous is None:
        return {
            f.name: {"old": None, "new": _value(f, getattr(record, f.attname))}
            for f in fields
            if getattr(record, f.attname) not in (None, "")
        }
    delta = record.diff_against(previous, excluded_fields=list(IGNORED_FIELDS))
    by_name = {f.name: f for f in fields}
    return {
        change.field: {
            "old": _value(by_name.get(change.field), change.old),
            "new": _value(by_name.get(change.field), change.new),
        }
        for change in delta.changes
    }


def change_for(instance, record, previous=_ASK) -> Change | None:
    """The log row for one django-simple-history record of ``instance`` (unsaved), or ``None``
    when the model is not tracked or nothing anyone reads changed. ``previous``, the record
    before it, is read when not given."""
    model = type(instance)
    if model not in _TRACKED:
        return None
    action = _ACTIONS.get(record.history_type)
    changes = _field_changes(record, previous)
    if action is None or (action == ChangeAction.CHANGED and not changes):
        return None
    partnership_id, organisation_id = where(instance)
    return Change(
        updated_at=record.history_date,
        action=action,
        object_type=object_type(model),
        object_id=str(instance.pk),
        partnership_id=partnership_id,
        organisation_id=organisation_id,
        user_id=record.history_user_id,
        changes=changes,
    )


def _record_history(sender, instance, history_instance, **kwargs) -> None:
    # The sender is the historical model; ``instance`` the object itself.
    change = change_for(instance, history_instance)
    if change is not None:
        change.save()


def _previous_records(history_model, records) -> dict:
    """The record before each of ``records`` (changes of existing objects), by the object's id,
    read in one query (PostgreSQL's ``DISTINCT ON``)."""
    key = history_model.instance_type._meta.pk.attname
    ids = [getattr(record, key) for record in records if record.history_type == "~"]
    if not ids:
        return {}
    earlier = (
        history_model.objects.filter(**{f"{key}__in": ids})
        .exclude(history_id__in=[record.history_id for record in records])
        .order_by(key, "-history_date", "-history_id")
        .distinct(key)
    )
    return {getattr(record, key): record for record in earlier}


def _recording_bulk_history_create(original):
    """simple-history's bulk writes (``bulk_create_with_history``, ``bulk_update_with_history``)
    send no signal: log them too, in one more bulk insert (and, for changes, one read of the
    records before them), however many rows the batch has."""

    def bulk_history_create(self, objs, *args, **kwargs):
        objs = list(objs)
        records = original(self, objs, *args, **kwargs)
        if records and type(objs[0]) in _TRACKED:
            previous = _previous_records(self.model, records)
            key = self.model.instance_type._meta.pk.attname
            changes = [
                change_for(obj, record, previous.get(getattr(record, key)))
                for obj, record in zip(objs, records, strict=False)
            ]
            Change.objects.bulk_create([change for change in changes if change is not None])
        return records

    bulk_history_create.recording = True
    return bulk_history_create


_TRACKED: set = set()


def connect() -> None:
    _TRACKED.update(tracked_models())
    if not getattr(HistoryManager.bulk_history_create, "recording", False):
        HistoryManager.bulk_history_create = _recording_bulk_history_create(
            HistoryManager.bulk_history_create
        )
    post_create_historical_record.connect(_record_history, dispatch_uid="sync-history")
