"""History as pages show it: who changed what, when, from the records django-simple-history keeps."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HistoryEntry:
    """One change, as the history on a page shows it."""

    when: datetime
    who: str
    what: str
    action: str
    changes: tuple[tuple[str, str, str], ...]


_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return "System"
    return user.get_full_name() or user.get_username()


def history_entries(records, describe) -> list[HistoryEntry]:
    entries = []
    previous: dict = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        key = record.id
        before = previous.get(key)
        changes: tuple = ()
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before)
            changes = tuple(
                (
                    record.instance_type._meta.get_field(change.field).verbose_name.capitalize(),
                    _display(before, change.field),
                    _display(record, change.field),
                )
                for change in delta.changes
                if change.field not in {"updated_at", "created_at", "version"}
            )
            if not changes:
                previous[key] = record
                continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=_who(record),
                what=describe(record),
                action=_ACTIONS.get(record.history_type, record.history_type),
                changes=changes,
            )
        )
        previous[key] = record
    return entries


def _display(record, field_name: str) -> str:
    field = record.instance_type._meta.get_field(field_name)
    value = getattr(record, field.attname)
    if field.choices:
        value = dict(field.flatchoices).get(value, value)
    if value in (None, ""):
        return "Not recorded"
    return str(value)
