"""Reads of partnerships, always starting from what the person may see (``partnerships.access``)."""

from itertools import chain

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
)

from buddying.common.history import HistoryEntry, history_entries
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


def partnership_history(partnership: Partnership) -> list[HistoryEntry]:
    """Every change to the partnership, its parties and objectives, newest first."""
    history = chain(
        history_entries(
            Partnership.history.filter(id=partnership.pk).select_related("history_user"),
            lambda r: "Partnership",
        ),
        history_entries(
            Party.history.filter(partnership_id=partnership.pk).select_related(
                "history_user", "organisation"
            ),
            lambda r: f"Party: {r.organisation} ({r.get_role_display().lower()})",
        ),
        history_entries(
            Objective.history.filter(partnership_id=partnership.pk).select_related("history_user"),
            lambda r: f"Objective: {r.title}",
        ),
        history_entries(
            Approval.history.filter(partnership_id=partnership.pk).select_related(
                "history_user", "party__organisation"
            ),
            lambda r: f"Approval for {r.party.organisation}",
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
