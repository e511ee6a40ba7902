"""Reads of outcome reviews and learning, always starting from what the person may see.

The learning library is the one exception to "parties and regulators only": a published
learning item is readable by every member of the service, whatever their organisation.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from buddying.common.history import history_entries
from partnerships import access
from partnerships.models import Objective, Partnership
from partnerships.reviews.choices import LearningDirection, ReviewKind, ReviewStatus
from partnerships.reviews.models import (
    LearningItem,
    ObjectiveAssessment,
    OutcomeReview,
    ReviewSignOff,
)
from partnerships.secondments import selectors as secondment_selectors

_MONEY = DecimalField(max_digits=16, decimal_places=2)
_ZERO = Value(Decimal(0), output_field=_MONEY)
# Reported figures count once: a final review that is submitted or signed off covers the whole
# partnership; otherwise the quarterly reviews (which never overlap). Interim reviews overlap
# quarters, so they are shown but not added up.
REPORTED = (ReviewStatus.SUBMITTED, ReviewStatus.SIGNED_OFF)
SEARCH_CONFIG = "english"


def with_figures(queryset: QuerySet[OutcomeReview]) -> QuerySet[OutcomeReview]:
    """Annotate ``total_cost`` (remuneration + secondment recharges) and ``saving_gbp``
    (consultancy equivalent − total cost), both computed in the database."""
    return queryset.annotate(
        total_cost=ExpressionWrapper(
            Coalesce("cost_remuneration_gbp", _ZERO) + Coalesce("cost_secondments_gbp", _ZERO),
            output_field=_MONEY,
        ),
        saving_gbp=ExpressionWrapper(
            F("consultancy_equivalent_gbp") - F("total_cost"), output_field=_MONEY
        ),
    )


def review_list(user) -> QuerySet[OutcomeReview]:
    """Visible reviews with what a row shows, in one query."""
    return with_figures(
        access.visible(OutcomeReview, user).select_related("partnership")
    ).prefetch_related(
        Prefetch(
            "sign_offs",
            queryset=ReviewSignOff.objects.select_related("party__organisation", "signed_by"),
        )
    )


def review_detail(user) -> QuerySet[OutcomeReview]:
    """Visible reviews with their partnership's parties, objectives, assessments and sign-offs."""
    return review_list(user).prefetch_related(
        "partnership__parties__organisation",
        "partnership__objectives",
        Prefetch("assessments", queryset=ObjectiveAssessment.objects.select_related("objective")),
    )


@dataclass(frozen=True)
class AssessmentRow:
    objective: Objective
    assessment: ObjectiveAssessment | None


def assessment_rows(review: OutcomeReview) -> list[AssessmentRow]:
    """Each of the partnership's objectives beside the review's assessment of it (if any)."""
    by_objective = {a.objective_id: a for a in review.assessments.all()}
    return [
        AssessmentRow(objective, by_objective.get(objective.pk))
        for objective in review.partnership.objectives.all()
    ]


def is_overdue(review: OutcomeReview, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return review.due_date < today and review.status in (ReviewStatus.SCHEDULED, ReviewStatus.DRAFT)


def is_due_soon(review: OutcomeReview, today: date | None = None, days: int = 30) -> bool:
    today = today or timezone.localdate()
    return (
        review.status in (ReviewStatus.SCHEDULED, ReviewStatus.DRAFT)
        and today <= review.due_date
        and (review.due_date - today).days <= days
    )


# --- Cost of support pre-filled from the data ----------------------------------------------------

_PENNY = Decimal("0.01")


def pro_rata(amount: Decimal | None, partnership: Partnership, start: date, end: date):
    """The share of a whole-partnership amount that falls in ``start``–``end``: by days, over the
    partnership's planned start to planned end (``None`` without the amount or those dates)."""
    if amount is None or not partnership.planned_start or not partnership.planned_end:
        return None
    whole = (partnership.planned_end - partnership.planned_start).days + 1
    first, last = max(start, partnership.planned_start), min(end, partnership.planned_end)
    days = max((last - first).days + 1, 0)
    return (Decimal(amount) * days / whole).quantize(_PENNY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CostPrefill:
    """The cost figures the data gives for a period, and how many secondments the recharges
    came from (``None``: the data gives no figure)."""

    cost_remuneration_gbp: Decimal | None
    cost_secondments_gbp: Decimal | None
    consultancy_equivalent_gbp: Decimal | None
    secondments: int

    def figures(self) -> dict[str, Decimal | None]:
        return {
            "cost_remuneration_gbp": self.cost_remuneration_gbp,
            "cost_secondments_gbp": self.cost_secondments_gbp,
            "consultancy_equivalent_gbp": self.consultancy_equivalent_gbp,
        }


def cost_prefill(partnership: Partnership, start: date | None, end: date | None) -> CostPrefill:
    """What the partnership's data says the period cost, to pre-fill a review (one query):

    - remuneration: the partnership's remuneration to the buddy, pro rata by days over its planned
      start to end (``pro_rata``). Commitments hold no remuneration: time is committed without a
      rate, and money committed is a party's own contribution (such as backfill), not a payment
      to the buddy, so they are not read;
    - secondment recharges: from the secondments not cancelled that run in the period, each
      day's share of their monthly recharge (``secondments.selectors.recharges_between``);
      blank when no secondment runs in the period;
    - the consultancy equivalent: the partnership's estimate, pro rata like the remuneration.
    """
    if start is None or end is None or end < start:
        return CostPrefill(None, None, None, 0)
    recharges = secondment_selectors.recharges_between(partnership, start, end)
    return CostPrefill(
        cost_remuneration_gbp=pro_rata(partnership.remuneration_gbp, partnership, start, end),
        cost_secondments_gbp=recharges.amount if recharges.secondments else None,
        consultancy_equivalent_gbp=pro_rata(
            partnership.consultancy_equivalent_gbp, partnership, start, end
        ),
        secondments=recharges.secondments,
    )


# --- Value for money -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueForMoney:
    """The cost of support beside the equivalent consultancy cost, planned and reported."""

    planned_cost: Decimal | None
    planned_consultancy: Decimal | None
    planned_saving: Decimal | None
    reviews_counted: int
    reported_to: date | None
    cost_to_date: Decimal | None
    consultancy_to_date: Decimal | None
    saving_to_date: Decimal | None
    basis: str


def value_for_money(partnership: Partnership) -> ValueForMoney:
    """The partnership's planned figures and what its submitted and signed-off reviews reported:
    the final review once there is one, else the quarterly reviews added up. One query."""
    reported = with_figures(
        OutcomeReview.objects.filter(partnership=partnership, status__in=REPORTED)
    ).order_by()
    aggregates = {}
    for kind in (ReviewKind.FINAL, ReviewKind.QUARTERLY):
        only = Q(kind=kind)
        aggregates |= {
            f"{kind}_reviews": Count("pk", filter=only),
            f"{kind}_cost": Sum("total_cost", filter=only),
            f"{kind}_consultancy": Sum("consultancy_equivalent_gbp", filter=only),
            f"{kind}_saving": Sum("saving_gbp", filter=only),
            f"{kind}_to": Max("period_end", filter=only),
        }
    totals = reported.aggregate(**aggregates)
    kind = ReviewKind.FINAL if totals["final_reviews"] else ReviewKind.QUARTERLY
    planned_cost = partnership.remuneration_gbp
    planned_consultancy = partnership.consultancy_equivalent_gbp
    planned_saving = (
        planned_consultancy - planned_cost
        if planned_cost is not None and planned_consultancy is not None
        else None
    )
    return ValueForMoney(
        planned_cost=planned_cost,
        planned_consultancy=planned_consultancy,
        planned_saving=planned_saving,
        reviews_counted=totals[f"{kind}_reviews"],
        reported_to=totals[f"{kind}_to"],
        cost_to_date=totals[f"{kind}_cost"],
        consultancy_to_date=totals[f"{kind}_consultancy"],
        saving_to_date=totals[f"{kind}_saving"],
        basis="the final review" if kind == ReviewKind.FINAL else "the quarterly reviews",
    )


# --- Learning ------------------------------------------------------------------------------------


def learning_list(user) -> QuerySet[LearningItem]:
    """The learning items of the partnerships the person may see, and every published item
    (the library) for anyone with a membership. One SQL condition, no id lists."""
    if not access.memberships_of(user):
        return LearningItem.objects.none()
    own = access.visible(LearningItem, user)
    library = LearningItem.objects.filter(published=True)
    return (own | library).select_related("partnership")


def library(user) -> QuerySet[LearningItem]:
    """The published learning of every partnership (readable by every member of the service)."""
    return learning_list(user).filter(published=True)


def search(queryset: QuerySet[LearningItem], text: str) -> QuerySet[LearningItem]:
    """Items matching ``text``: full-text search on PostgreSQL (stemmed English, best match
    first), a plain "contains" on other databases."""
    text = (text or "").strip()
    if not text:
        return queryset
    if connection.vendor != "postgresql":
        return queryset.filter(Q(title__icontains=text) | Q(description__icontains=text))
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    # ``search_document @@ query`` uses the GIN index on the same expression (migration 0002).
    return (
        queryset.annotate(search_document=search_vector())
        .filter(search_document=query)
        .annotate(search_rank=SearchRank(F("search_document"), query))
        .order_by("-search_rank", "-created_at", "pk")
    )


def search_vector() -> SearchVector:
    """Title (weighted A) and description (B), stemmed in English: the indexed expression."""
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "description", weight="B", config=SEARCH_CONFIG
    )


@dataclass(frozen=True)
class LearningBalance:
    direction: str
    label: str
    items: int
    adopted: int


def learning_balance(partnership: Partnership) -> list[LearningBalance]:
    """How much learning went each way, and how much of it was adopted, in one query."""
    counts = {
        row["direction"]: row
        for row in LearningItem.objects.filter(partnership=partnership)
        .order_by()
        .values("direction")
        .annotate(items=Count("pk"), adopted_items=Count("pk", filter=Q(adopted=True)))
    }
    return [
        LearningBalance(
            value,
            label,
            counts.get(value, {}).get("items", 0),
            counts.get(value, {}).get("adopted_items", 0),
        )
        for value, label in LearningDirection.choices
    ]


# --- The partnership page's section --------------------------------------------------------------


@dataclass(frozen=True)
class ReviewSection:
    today: date
    reviews: list
    value_for_money: ValueForMoney
    learning: list
    balance: list[LearningBalance]
    can_write_reviews: bool
    can_write_learning: bool


def partnership_section(partnership: Partnership, user, *, learning: bool = True) -> ReviewSection:
    """Reviews, value for money and learning for the partnership page, in a fixed number of
    queries (the caller has checked the person may see the partnership). Without ``learning``
    (the overview's reviews headline), the learning items and balance are not read."""
    today = timezone.localdate()
    reviews = list(
        with_figures(OutcomeReview.objects.filter(partnership=partnership)).order_by(
            "due_date", "kind", "pk"
        )
    )
    for review in reviews:
        review.overdue = is_overdue(review, today)
        review.due_soon = is_due_soon(review, today)
    return ReviewSection(
        today=today,
        reviews=reviews,
        value_for_money=value_for_money(partnership),
        learning=list(
            LearningItem.objects.filter(partnership=partnership).order_by("-created_at", "pk")
        )
        if learning
        else [],
        balance=learning_balance(partnership) if learning else [],
        can_write_reviews=access.allows(user, "change", OutcomeReview(partnership=partnership)),
        can_write_learning=access.allows(user, "change", LearningItem(partnership=partnership)),
    )


@dataclass(frozen=True)
class LearningHeadline:
    count: int
    adopted: int


def learning_headline(partnership: Partnership, user=None) -> LearningHeadline:
    """The learning headline on a partnership's overview: two counts in one query (the section's
    own page lists the items)."""
    counts = LearningItem.objects.filter(partnership=partnership).aggregate(
        count=Count("pk"), adopted=Count("pk", filter=Q(adopted=True))
    )
    return LearningHeadline(count=counts["count"], adopted=counts["adopted"])


REVIEW_HISTORY_LIMIT = 100


def review_history(review: OutcomeReview, limit: int = REVIEW_HISTORY_LIMIT):
    """Changes to a review, its assessments and sign-offs, newest first."""
    history = chain(
        history_entries(
            OutcomeReview.history.filter(id=review.pk).select_related("history_user"),
            lambda r: "Review",
        ),
        history_entries(
            ObjectiveAssessment.history.filter(review_id=review.pk).select_related(
                "history_user", "objective"
            ),
            lambda r: f"Assessment: {r.objective.title}",
        ),
        history_entries(
            ReviewSignOff.history.filter(review_id=review.pk).select_related(
                "history_user", "party__organisation"
            ),
            lambda r: f"Sign-off for {r.party.organisation}",
        ),
    )
    return sorted(history, key=lambda entry: entry.when, reverse=True)[:limit]


def learning_history(item: LearningItem):
    return sorted(
        history_entries(
            LearningItem.history.filter(id=item.pk).select_related("history_user"),
            lambda r: "Learning item",
        ),
        key=lambda entry: entry.when,
        reverse=True,
    )
