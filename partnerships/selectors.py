"""Reads of partnerships, always starting from what the person may see (``partnerships.access``)."""

from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from partnerships import access
from partnerships.models import Approval, Objective, Partnership, Party


def partnership_list(user) -> QuerySet[Partnership]:
    """Visible partnerships with what a list row shows, in a fixed number of queries."""
    return access.partnerships_visible_to(user).prefetch_related(
        Prefetch("parties", queryset=Party.objects.select_related("organisation"))
    )


def partnership_detail(user) -> QuerySet[Partnership]:
    """Visible partnerships with their parties, objectives and approvals, for one page or object."""
    return partnership_list(user).prefetch_related(
        "objectives",
        Prefetch(
            "approvals",
            queryset=Approval.objects.select_related("approved_by", "party__organisation"),
        ),
    )


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


def _entries(records, describe) -> list[HistoryEntry]:
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
                if change.field not in {"updated_at", "created_at"}
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
        return "None"
    return str(value)


def partnership_history(partnership: Partnership) -> list[HistoryEntry]:
    """Every change to the partnership, its parties and objectives, newest first."""
    history = chain(
        _entries(
            Partnership.history.filter(id=partnership.pk).select_related("history_user"),
            lambda r: "Partnership",
        ),
        _entries(
            Party.history.filter(partnership_id=partnership.pk).select_related(
                "history_user", "organisation"
            ),
            lambda r: f"Party: {r.organisation} ({r.get_role_display().lower()})",
        ),
        _entries(
            Objective.history.filter(partnership_id=partnership.pk).select_related("history_user"),
            lambda r: f"Objective: {r.title}",
        ),
    )
    return sorted(history, key=lambda entry: entry.when, reverse=True)


def partnerships_awaiting_approval_by(user) -> QuerySet[Partnership]:
    """Proposed partnerships in which this person is an executive of a party yet to approve."""
    unapproved_party = Party.objects.filter(
        partnership_id=OuterRef("pk"),
        role__in=access.PRINCIPAL_PARTY_ROLES,
        organisation__memberships__user_id=user.pk,
        organisation__memberships__role__in=access.EXECUTIVE_ROLES,
    ).exclude(Exists(Approval.objects.filter(party_id=OuterRef("pk"))))
    return partnership_list(user).filter(status="proposed").filter(Exists(unapproved_party))
