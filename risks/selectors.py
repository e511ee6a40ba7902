"""Reads of risks, actions and appetites, always starting from what the person may see.

Risks and actions belong to a partnership, so ``partnerships.access`` scopes them. A risk appetite
belongs to an organisation: its own members, members of the organisations it is in partnership
with, and regulators read it (``access.organisations_related_to``); anyone else gets a 404.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from buddying.common.history import HistoryEntry, history_entries
from partnerships import access
from partnerships.models import Organisation, Partnership, Party
from risks import matrix
from risks.choices import (
    APPETITE_LEVEL_ORDER,
    ActionStatus,
    RiskBand,
    RiskCategory,
    RiskStatus,
)
from risks.models import Risk, RiskAction, RiskAppetite

User = get_user_model()

# --- Expressions shared with the FilterSets ----------------------------------------------------


def outside_appetite_q() -> Q:
    """An open risk whose current score is above the tolerance of any party for its category."""
    return Q(status=RiskStatus.OPEN) & Q(
        Exists(
            RiskAppetite.objects.filter(
                organisation__parties__partnership_id=OuterRef("partnership_id"),
                category=OuterRef("category"),
                **matrix.tolerance_exceeded_by(OuterRef("current_score")),
            )
        )
    )


def review_overdue_q(today: date | None = None) -> Q:
    return Q(status=RiskStatus.OPEN, next_review_date__lt=today or timezone.localdate())


def action_overdue_q(today: date | None = None, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}status": ActionStatus.OPEN,
            f"{prefix}due_date__lt": today or timezone.localdate(),
        }
    )


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


# --- Risks -------------------------------------------------------------------------------------


def risks_visible_to(user) -> QuerySet[Risk]:
    return access.visible(Risk, user)


def risk_list(user, today: date | None = None) -> QuerySet[Risk]:
    """Visible risks with what a register row shows, annotated in SQL (no query per row)."""
    today = today or timezone.localdate()
    overdue_actions = (
        RiskAction.objects.filter(action_overdue_q(today), risk_id=OuterRef("pk"))
        .order_by()
        .values("risk_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        risks_visible_to(user)
        .select_related("partnership", "owner", "owner_organisation")
        .annotate(
            outside_appetite=_flag(outside_appetite_q()),
            review_overdue=_flag(review_overdue_q(today)),
            overdue_actions=Coalesce(
                Subquery(overdue_actions, output_field=IntegerField()), Value(0)
            ),
        )
    )


def risk_detail(user, today: date | None = None) -> QuerySet[Risk]:
    """As ``risk_list``, with the partnership's parties and the risk's actions."""
    today = today or timezone.localdate()
    return risk_list(user, today).prefetch_related(
        Prefetch("partnership__parties", queryset=Party.objects.select_related("organisation")),
        Prefetch(
            "actions",
            queryset=RiskAction.objects.select_related("owner").annotate(
                overdue=_flag(action_overdue_q(today))
            ),
        ),
    )


def attach_outside_appetite(risks: list[Risk]) -> list[Risk]:
    """Set ``risk.outside_appetite_for``: the organisations whose tolerance the risk exceeds.

    One query for the whole page of risks, whatever its length.
    """
    partnership_ids = {risk.partnership_id for risk in risks}
    tolerances: dict[tuple, list[tuple[int, Organisation]]] = defaultdict(list)
    if partnership_ids:
        # From the parties' side, so each appetite is paired with the right partnership.
        rows = (
            Party.objects.filter(
                partnership_id__in=partnership_ids,
                organisation__risk_appetites__isnull=False,
            )
            .order_by("organisation__name")
            .values_list(
                "partnership_id",
                "organisation__risk_appetites__category",
                "organisation__risk_appetites__tolerance",
                "organisation_id",
                "organisation__name",
            )
        )
        for partnership_id, category, tolerance, code, name in rows:
            tolerances[(partnership_id, category)].append(
                (tolerance, Organisation(ods_code=code, name=name))
            )
    for risk in risks:
        risk.outside_appetite_for = (
            [
                organisation
                for tolerance, organisation in tolerances[(risk.partnership_id, risk.category)]
                if matrix.outside_tolerance(risk.current_score, tolerance)
            ]
            if risk.status == RiskStatus.OPEN
            else []
        )
    return risks


# --- Heat map ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    consequence: int
    score: int
    band: str
    count: int


def heat_map(risks: QuerySet[Risk]) -> list[list[HeatCell]]:
    """Counts of open risks per current likelihood × consequence, in one query.

    Rows run from likelihood 5 (top) to 1, columns from consequence 1 to 5, as the matrix is drawn.
    """
    counts = {
        (row["current_likelihood"], row["current_consequence"]): row["count"]
        for row in risks.filter(status=RiskStatus.OPEN)
        .order_by()
        .values("current_likelihood", "current_consequence")
        .annotate(count=Count("pk"))
    }
    return [
        [
            HeatCell(
                likelihood=likelihood,
                consequence=consequence,
                score=matrix.score(likelihood, consequence),
                band=matrix.band_for(matrix.score(likelihood, consequence)),
                count=counts.get((likelihood, consequence), 0),
            )
            for consequence in matrix.SCALE
        ]
        for likelihood in reversed(matrix.SCALE)
    ]


def band_counts(risks: QuerySet[Risk]) -> dict[str, int]:
    """Open risks per current band, in one query."""
    counts = dict(
        risks.filter(status=RiskStatus.OPEN)
        .order_by()
        .values_list("current_band")
        .annotate(count=Count("pk"))
    )
    return {band: counts.get(band, 0) for band in RiskBand.values}


# --- History -----------------------------------------------------------------------------------


def _name_owners(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """History shows a changed owner by id; put the person's name there instead (one query)."""
    ids = {
        value
        for entry in entries
        for name, before, after in entry.changes
        if name == "Owner"
        for value in (before, after)
        if value.isdigit()
    }
    if not ids:
        return entries
    names = {
        str(user.pk): user.get_full_name() or user.get_username()
        for user in User.objects.filter(pk__in=ids)
    }
    return [
        replace(
            entry,
            changes=tuple(
                (name, names.get(before, before), names.get(after, after))
                if name == "Owner"
                else (name, before, after)
                for name, before, after in entry.changes
            ),
        )
        for entry in entries
    ]


def risk_history(risk: Risk) -> list[HistoryEntry]:
    """Every change to the risk and its actions, newest first."""
    entries = history_entries(
        Risk.history.filter(id=risk.pk).select_related("history_user"), lambda r: "Risk"
    ) + history_entries(
        RiskAction.history.filter(risk_id=risk.pk).select_related("history_user"),
        lambda r: f"Action: {r.description[:60]}",
    )
    return sorted(_name_owners(entries), key=lambda entry: entry.when, reverse=True)


def appetite_history(organisation: Organisation) -> list[HistoryEntry]:
    """Every change to the organisation's risk appetite, newest first, with who and when."""
    entries = history_entries(
        RiskAppetite.history.filter(organisation_id=organisation.pk).select_related("history_user"),
        lambda r: f"Appetite for {r.get_category_display().lower()} risk",
    )
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


# --- Risk appetite -----------------------------------------------------------------------------


def appetites_visible_to(user) -> QuerySet[RiskAppetite]:
    """The appetites of the person's own organisations and their partners (all for a regulator)."""
    return RiskAppetite.objects.filter(
        organisation__in=access.organisations_related_to(user)
    ).select_related("organisation")


def organisation_appetites(organisation: Organisation) -> dict[str, RiskAppetite | None]:
    """The organisation's appetite per category, ``None`` where it has not set one."""
    found = {a.category: a for a in RiskAppetite.objects.filter(organisation=organisation)}
    return {category: found.get(category) for category in RiskCategory.values}


@dataclass
class CategoryComparison:
    """The parties' appetites for one category, and whether they diverge.

    ``divergent`` is True when the appetites that are set differ (levels two or more steps
    apart, or different tolerances), False when every party has set one and they agree, and
    None when that cannot be known because a party has not set one.
    """

    category: str
    label: str
    appetites: list[tuple[Party, RiskAppetite | None]]
    divergent: bool | None
    reasons: list[str] = field(default_factory=list)
    not_set_by: list[Organisation] = field(default_factory=list)


@dataclass
class Comparison:
    partnership: Partnership
    parties: list[Party]
    categories: list[CategoryComparison]
    risks_outside: list[Risk]
    # How many open risks are outside an appetite in all (``risks_outside`` may be the first few).
    risks_outside_count: int = 0

    @property
    def divergent_count(self) -> int:
        return sum(1 for row in self.categories if row.divergent)


def compare_category(
    category: str, appetites: list[tuple[Party, RiskAppetite | None]]
) -> CategoryComparison:
    """Apply the divergence rule to one category's appetites (no guessing for missing ones)."""
    set_ = [(party, appetite) for party, appetite in appetites if appetite is not None]
    not_set_by = [party.organisation for party, appetite in appetites if appetite is None]
    reasons = []
    if len(set_) >= 2:
        ordered = sorted(set_, key=lambda item: APPETITE_LEVEL_ORDER[item[1].level])
        (low_party, low), (high_party, high) = ordered[0], ordered[-1]
        if APPETITE_LEVEL_ORDER[high.level] - APPETITE_LEVEL_ORDER[low.level] >= 2:
            reasons.append(
                f"Levels are two or more steps apart: {low.get_level_display().lower()} for "
                f"{low_party.organisation.display_name}, {high.get_level_display().lower()} for "
                f"{high_party.organisation.display_name}."
            )
        if len({appetite.tolerance for _, appetite in set_}) > 1:
            listed = ", ".join(
                f"{appetite.tolerance} for {party.organisation.display_name}"
                for party, appetite in set_
            )
            reasons.append(f"Tolerances differ: {listed}.")
    if reasons:
        divergent = True
    elif not_set_by:
        divergent = None
    else:
        divergent = False
    return CategoryComparison(
        category=category,
        label=RiskCategory(category).label,
        appetites=appetites,
        divergent=divergent,
        reasons=reasons,
        not_set_by=not_set_by,
    )


# The comparison (page and API) shows the highest-scoring risks outside an appetite, with the count
# of all of them; the register (and ``risks/?outside_appetite=true``) lists them all.
COMPARISON_RISKS = 25


def appetite_comparison(user, partnership: Partnership, limit: int | None = None) -> Comparison:
    """The parties' appetites side by side per category, and the risks outside any of them
    (the ``limit`` highest-scoring if given, with the count of all of them).

    ``partnership`` must come from a visible queryset with its parties (and their organisations)
    prefetched. Two queries whatever the number of risks: the appetites, then the risks (and
    their count). With the parties' appetites in hand, "outside any party's appetite" is a
    plain condition per category (the score above the lowest tolerance set for it), so the
    risks are read from the partnership's own rows without a subquery per risk, and each risk's
    ``outside_appetite_for`` is worked out here rather than read again.
    """
    parties = list(partnership.parties.all())
    found = {
        (appetite.organisation_id, appetite.category): appetite
        for appetite in RiskAppetite.objects.filter(
            organisation_id__in=[party.organisation_id for party in parties]
        )
    }
    categories = [
        compare_category(
            category,
            [(party, found.get((party.organisation_id, category))) for party in parties],
        )
        for category in RiskCategory.values
    ]
    lowest: dict[str, int] = {}
    for (_, category), appetite in found.items():
        lowest[category] = min(appetite.tolerance, lowest.get(category, appetite.tolerance))
    above_lowest = Q(pk__in=[])
    for category, tolerance in lowest.items():
        # The same rule as ``outside_appetite_q`` (``matrix.tolerance_exceeded_by``).
        above_lowest |= Q(category=category, **{"current_score__gt": tolerance})
    outside = (
        Risk.objects.filter(partnership=partnership, status=RiskStatus.OPEN)
        .filter(above_lowest)
        .order_by("-current_score", "number")
    )
    risks_outside = list(outside if limit is None else outside[:limit])
    by_name = sorted(parties, key=lambda party: party.organisation.name)
    for risk in risks_outside:
        risk.outside_appetite_for = [
            party.organisation
            for party in by_name
            if (party.organisation_id, risk.category) in found
            and matrix.outside_tolerance(
                risk.current_score, found[(party.organisation_id, risk.category)].tolerance
            )
        ]
    return Comparison(
        partnership=partnership,
        parties=parties,
        categories=categories,
        risks_outside=risks_outside,
        # Counted even when fewer than ``limit``, so the queries do not vary with the risks.
        risks_outside_count=len(risks_outside) if limit is None else outside.order_by().count(),
    )


def appetite_position(risk: Risk) -> list[tuple[Organisation, RiskAppetite | None, bool | None]]:
    """For one risk (parties prefetched): each party, its appetite, and whether the risk is outside."""
    parties = list(risk.partnership.parties.all())
    found = {
        appetite.organisation_id: appetite
        for appetite in RiskAppetite.objects.filter(
            organisation_id__in=[party.organisation_id for party in parties],
            category=risk.category,
        )
    }
    rows = []
    for party in parties:
        appetite = found.get(party.organisation_id)
        outside = (
            None
            if appetite is None
            else matrix.outside_tolerance(risk.current_score, appetite.tolerance)
        )
        rows.append((party.organisation, appetite, outside))
    return rows


# --- Actions -----------------------------------------------------------------------------------


def action_list(user, today: date | None = None) -> QuerySet[RiskAction]:
    return (
        access.visible(RiskAction, user)
        .select_related("risk", "partnership", "owner")
        .annotate(overdue=_flag(action_overdue_q(today)))
    )


# --- A partnership's risks, for its overview and its risks section ----------------------------

PARTNERSHIP_TOP_RISKS = 5


@dataclass(frozen=True)
class PartnershipRisks:
    """What a partnership's overview and risks section say about its risks."""

    open_count: int
    outside_appetite_count: int
    review_overdue_count: int
    overdue_action_count: int
    bands: dict[str, int]
    top: list  # the highest current scores, with ``outside_appetite_for`` set
    can_add: bool

    @property
    def headline(self) -> str:
        if not self.open_count:
            return "No open risks"
        text = f"{self.open_count} open {'risk' if self.open_count == 1 else 'risks'}"
        if self.outside_appetite_count:
            text += f", {self.outside_appetite_count} outside a party's appetite"
        return text


def _partnership_counts(partnership: Partnership, today: date) -> dict:
    """Open risks, those outside a party's appetite, reviews overdue and the bands of one
    partnership, from one grouped read of its open risks (at most 10 categories × 14 scores
    rows, however many risks) and its parties' appetites, applying the same rule as
    ``outside_appetite_q`` in Python: a score above any party's tolerance for the category."""
    groups = (
        Risk.objects.filter(partnership=partnership, status=RiskStatus.OPEN)
        .order_by()
        .values_list("category", "current_score")
        .annotate(count=Count("pk"), review_overdue=Count("pk", filter=review_overdue_q(today)))
    )
    lowest: dict[str, int] = {}
    for category, tolerance in RiskAppetite.objects.filter(
        organisation__parties__partnership=partnership
    ).values_list("category", "tolerance"):
        lowest[category] = min(tolerance, lowest.get(category, tolerance))
    counts = {"open_count": 0, "outside_appetite_count": 0, "review_overdue_count": 0}
    bands = dict.fromkeys(RiskBand.values, 0)
    for category, score, count, review_overdue in groups:
        counts["open_count"] += count
        counts["review_overdue_count"] += review_overdue
        bands[matrix.band_for(score)] += count
        if category in lowest and matrix.outside_tolerance(score, lowest[category]):
            counts["outside_appetite_count"] += count
    return {**counts, "bands": bands}


def partnership_risks_headline(partnership: Partnership, user) -> PartnershipRisks:
    """What the overview says of a partnership's risks (no top risks), in three queries."""
    return _partnership_risks(partnership, user, top=0)


def partnership_risks(partnership: Partnership, user) -> PartnershipRisks:
    """Counts, bands and the top risks of one partnership, in five queries whatever its size.

    The caller has already checked the person may see the partnership.
    """
    return _partnership_risks(partnership, user, top=PARTNERSHIP_TOP_RISKS)


def _partnership_risks(partnership: Partnership, user, *, top: int) -> PartnershipRisks:
    today = timezone.localdate()
    counts = _partnership_counts(partnership, today)
    # The partnership is on the action: one read of its open actions by due date.
    overdue_actions = RiskAction.objects.filter(
        action_overdue_q(today), partnership=partnership
    ).count()
    highest = (
        attach_outside_appetite(
            list(
                Risk.objects.filter(partnership=partnership, status=RiskStatus.OPEN)
                .select_related("owner_organisation")
                .order_by("-current_score", "number")[:top]
            )
        )
        if top
        else []
    )
    return PartnershipRisks(
        **counts,
        overdue_action_count=overdue_actions,
        top=highest,
        can_add=access.allows(user, "change", Risk(partnership=partnership)),
    )
