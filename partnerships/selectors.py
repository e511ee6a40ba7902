"""Reads of partnerships, always starting from what the person may see (``partnerships.access``)."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import chain

from django.db import connection
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
)

from buddying.common.history import HistoryEntry, history_entries
from partnerships import access
from partnerships.models import Approval, Objective, ObjectiveMeasurement, Partnership, Party


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
    """Every change to the partnership, its parties, objectives and their measurements, newest
    first."""
    titles = dict(
        Objective.history.filter(partnership_id=partnership.pk)
        .order_by("history_date")
        .values_list("id", "title")
    )  # each objective's latest title, even once deleted
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
            ObjectiveMeasurement.history.filter(
                objective_id__in=Objective.history.filter(partnership_id=partnership.pk).values(
                    "id"
                )
            ).select_related("history_user"),
            lambda r: f"Measurement of {titles.get(r.objective_id, 'a deleted objective')}",
        ),
        history_entries(
            Approval.history.filter(partnership_id=partnership.pk).select_related(
                "history_user", "party__organisation"
            ),
            lambda r: f"Approval for {r.party.organisation}",
        ),
    )
    return sorted(history, key=lambda entry: entry.when, reverse=True)


def executive_of(user) -> list[str]:
    """The organisations (ODS codes) this person is an executive of, from the memberships read
    once per request: a handful of codes, so "an executive of a party" is a condition on the
    party's own column, not a join through organisations and memberships."""
    return [
        organisation.ods_code
        for organisation in access.organisations_with_role(user, access.EXECUTIVE_ROLES)
    ]


def partnerships_awaiting_approval_by(user) -> QuerySet[Partnership]:
    """Proposed partnerships in which this person is an executive of a party yet to approve
    (none, without a query, for someone who is nobody's executive)."""
    executive = executive_of(user)
    if not executive:
        return Partnership.objects.none()
    unapproved_party = Party.objects.filter(
        partnership_id=OuterRef("pk"),
        role__in=access.PRINCIPAL_PARTY_ROLES,
        organisation_id__in=executive,
    ).exclude(Exists(Approval.objects.filter(party_id=OuterRef("pk"))))
    return partnership_list(user).filter(status="proposed").filter(Exists(unapproved_party))


# --- Objectives' progress over time ----------------------------------------------------------------


def latest_measurements(objective_ids) -> dict:
    """Each objective's latest measurement (by date, then when recorded), in one query."""
    latest = {}
    rows = ObjectiveMeasurement.objects.filter(objective_id__in=list(objective_ids)).order_by(
        "objective_id", "-measured_on", "-created_at"
    )
    if connection.vendor == "postgresql":
        rows = rows.distinct("objective_id")
    for row in rows:
        latest.setdefault(row.objective_id, row)
    return latest


def number_in(text: str) -> Decimal | None:
    """The first number written in a baseline or target ("62%", "1,200 patients", "18 weeks"),
    so it can be drawn; ``None`` when there is none."""
    found = re.search(r"-?\d[\d,]*(?:\.\d+)?", text or "")
    if not found:
        return None
    try:
        return Decimal(found.group().replace(",", ""))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    measurement: ObjectiveMeasurement


@dataclass(frozen=True)
class ObjectiveProgress:
    """An objective's measurements, oldest first, and what its chart draws: each point's place
    in a ``WIDTH`` × ``HEIGHT`` plot, and the baseline and target as lines where they are numbers."""

    measurements: list
    points: list
    baseline: Decimal | None
    target: Decimal | None
    baseline_y: float | None
    target_y: float | None
    low: Decimal | None
    high: Decimal | None

    WIDTH = 560
    HEIGHT = 200


def objective_progress(objective: Objective) -> ObjectiveProgress:
    measurements = list(objective.measurements.select_related("recorded_by"))
    baseline, target = number_in(objective.baseline), number_in(objective.target)
    values = [m.value for m in measurements] + [v for v in (baseline, target) if v is not None]
    if not measurements:
        return ObjectiveProgress(measurements, [], baseline, target, None, None, None, None)
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    width, height = ObjectiveProgress.WIDTH, ObjectiveProgress.HEIGHT

    def y_of(value):
        return None if value is None else round(float((high - value) / (high - low)) * height, 1)

    first, last = measurements[0].measured_on, measurements[-1].measured_on
    days = (last - first).days or 1
    points = [
        ChartPoint(
            x=round(width * (m.measured_on - first).days / days, 1)
            if len(measurements) > 1
            else width / 2,
            y=y_of(m.value),
            measurement=m,
        )
        for m in measurements
    ]
    return ObjectiveProgress(
        measurements, points, baseline, target, y_of(baseline), y_of(target), low, high
    )
