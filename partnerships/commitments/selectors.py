"""Reads of commitments and deliveries, always starting from what the person may see.

The figures are computed in the database, so one function serves the partnership page, the API
and the reminders, whatever the number of commitments and deliveries:
- delivered to date: the sum of deliveries dated up to today;
- expected to date: planned × whole days gone by before today ÷ days in the period (counting both
  the first and the last day), clamped to [0, planned]. Nothing is due on the first day (nobody
  is behind on a day that has not ended), so expected is 0 then and the percentage of expected
  is empty rather than a division by zero; after the last day the whole plan is expected;
- variance: delivered − expected;
- RAG: green when delivered ≥ 90% of expected (so on the first day, when nothing is expected yet),
  amber when ≥ 70%, red below; grey before the start.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, Round
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan
from django.utils import timezone

from buddying.common.formatting import quantity_text
from buddying.common.history import history_entries
from partnerships import access
from partnerships.choices import Rag
from partnerships.commitments.choices import CommitmentCategory, CommitmentUnit
from partnerships.commitments.models import Commitment, Delivery, DeliveryUpload
from partnerships.models import Partnership
from partnerships.models.organisations import title_case_nhs

RAG_GREEN_SHARE = Decimal("0.9")
RAG_AMBER_SHARE = Decimal("0.7")
_FIGURE = DecimalField(max_digits=16, decimal_places=2)
_PERCENT = DecimalField(max_digits=12, decimal_places=1)
# Quantities have 2 decimal places, so delivered × 10 and expected × 9 differ by 0 or by at least
# 0.01: adding 0.001 makes "exactly 90%" green even where SQLite compares in floating point.
_ROUNDING_SLACK = Value(Decimal("0.001"), output_field=_FIGURE)


class _DaysBetween(Func):
    """Whole days from the second date to the first, computed in the database."""

    arity = 2
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL: date − date is an integer number of days.
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # A real number, so the pro-rata division below is not an integer division.
        return super().as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra_context,
        )


# The RAG rule as data (best first): green at 90% of expected, amber at 70%, red below. ``_rag``
# (SQL, per commitment) and ``rag_of`` (Python, for sums already read) are both drawn from it.
_RAG_SHARES = ((Rag.GREEN, RAG_GREEN_SHARE), (Rag.AMBER, RAG_AMBER_SHARE))


def _rag(delivered, expected, not_started: Q) -> Case:
    return Case(
        When(not_started, then=Value(Rag.GREY)),
        *(
            When(
                GreaterThanOrEqual(
                    delivered * Value(10) + _ROUNDING_SLACK, expected * Value(share * 10)
                ),
                then=Value(rag),
            )
            for rag, share in _RAG_SHARES
        ),
        default=Value(Rag.RED),
        output_field=CharField(),
    )


def rag_of(delivered: Decimal, expected: Decimal, *, started: bool) -> str:
    """``_rag`` in Python, for figures summed already (the same rule, from the same table)."""
    if not started:
        return Rag.GREY.value
    for rag, share in _RAG_SHARES:
        if delivered * 10 + _ROUNDING_SLACK.value >= expected * (share * 10):
            return rag.value
    return Rag.RED.value


def red_from(start: date, end: date, planned: Decimal, delivered: Decimal) -> date | None:
    """The first day ``_rag`` says red for a commitment with ``delivered`` so far, if nothing more
    is delivered (``None``: never). Exact integer arithmetic on the same rule, so "red_from <=
    today" is ``rag == "red"`` on every day (``tests/commitments/test_red_from.py``).

    Red is ``delivered × 10 + 0.001 < expected × 7`` (the amber share, 0.7, × 10) with expected =
    planned × elapsed ÷ period rounded to the penny (half away from zero), elapsed clamped to
    [0, period]: it grows with the days, so the first such day is found in closed form rather
    than day by day.
    """
    period = (end - start).days + 1
    if period < 1:
        return None
    # In thousandths and pennies, all integers: red when expected (pennies) × share × 100 > x.
    x = int((delivered * 10 + _ROUNDING_SLACK.value) * 1000)
    factor = int(RAG_AMBER_SHARE * 100)  # 70: the share has at most two places
    need = x // factor + 1  # the fewest pennies expected that make it red
    if need <= 0:
        return start  # red from the first day: nothing expected is already too much
    planned_pennies = int(planned * 100)
    if planned_pennies <= 0:
        return None
    # round(planned × e ÷ period) >= need  ⇔  2 × planned × e >= (2 × need − 1) × period.
    elapsed = -(-(2 * need - 1) * period // (2 * planned_pennies))
    if elapsed > period:
        return None
    return start + timedelta(days=elapsed)


def red_from_drift(commitments: QuerySet[Commitment] | None = None) -> list[tuple]:
    """``(pk, right red_from)`` of each commitment whose stored ``red_from`` is not it."""
    rows = (Commitment.objects.all() if commitments is None else commitments).values_list(
        "pk", "start_date", "end_date", "planned_quantity", "delivered_total", "red_from"
    )
    return [
        (pk, right)
        for pk, start, end, planned, delivered, stored in rows.iterator(chunk_size=2000)
        if (right := red_from(start, end, planned, delivered)) != stored
    ]


def _percent(part, whole) -> Case:
    return Case(
        When(GreaterThan(whole, Value(0)), then=Round(part * Value(100) / whole, 1)),
        default=None,
        output_field=_PERCENT,
    )


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """``_percent`` in Python: ``part`` as a percentage of ``whole`` to one place, rounded half
    away from zero as PostgreSQL's ``round`` does; empty when ``whole`` is not above zero."""
    if whole is None or whole <= 0:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def with_figures(queryset: QuerySet[Commitment], today: date | None = None) -> QuerySet:
    """Annotate commitments with ``delivered``, ``expected``, ``variance``, ``rag``,
    ``percent_of_expected`` and ``percent_of_plan``, all column arithmetic in the database.

    ``delivered`` is the stored ``delivered_total`` (no delivery is ever dated after today, so it
    is the total delivered to date) and ``last_delivery_on`` is a column too: no subquery per
    row, so ``rag=red`` over every commitment in England is one pass over one table.
    """
    today = today or timezone.localdate()
    on = Value(today, output_field=DateField())
    period_days = _DaysBetween(F("end_date"), F("start_date")) + Value(1)
    elapsed_days = Least(Greatest(_DaysBetween(on, F("start_date")), Value(0)), period_days)
    return queryset.annotate(
        delivered=ExpressionWrapper(F("delivered_total"), output_field=_FIGURE),
        expected=ExpressionWrapper(
            Round(F("planned_quantity") * elapsed_days / period_days, 2), output_field=_FIGURE
        ),
        variance=ExpressionWrapper(F("delivered") - F("expected"), output_field=_FIGURE),
        rag=_rag(F("delivered"), F("expected"), Q(start_date__gt=today)),
        percent_of_expected=_percent(F("delivered"), F("expected")),
        percent_of_plan=_percent(F("delivered"), F("planned_quantity")),
    )


def stored_totals_drift() -> QuerySet[Commitment]:
    """Commitments whose stored ``delivered_total`` or ``last_delivery_on`` differ from their
    deliveries, with the right values annotated as ``actual_total`` and ``actual_last``."""
    deliveries = Delivery.objects.filter(commitment_id=OuterRef("pk")).order_by()
    actual_total = Coalesce(
        Subquery(
            deliveries.values("commitment_id").annotate(total=Sum("quantity")).values("total"),
            output_field=_FIGURE,
        ),
        Value(Decimal(0)),
        output_field=_FIGURE,
    )
    actual_last = Subquery(
        deliveries.order_by("-date").values("date")[:1], output_field=DateField()
    )
    never = Value(date(1, 1, 1), output_field=DateField())
    stored_last = Coalesce(F("last_delivery_on"), never)
    actual_last_or_never = Coalesce(F("actual_last"), never)
    differs = (
        Q(GreaterThan(F("delivered_total"), F("actual_total")))
        | Q(LessThan(F("delivered_total"), F("actual_total")))
        | Q(GreaterThan(stored_last, actual_last_or_never))
        | Q(LessThan(stored_last, actual_last_or_never))
    )
    return (
        Commitment.objects.annotate(actual_total=actual_total, actual_last=actual_last)
        .filter(differs)
        .order_by("pk")
    )


def commitment_list(user, today: date | None = None) -> QuerySet[Commitment]:
    """Visible commitments with their figures and what a row shows, in one query."""
    return with_figures(
        access.visible(Commitment, user).select_related("partnership", "organisation"), today
    )


def delivery_list(user) -> QuerySet[Delivery]:
    return access.visible(Delivery, user).select_related(
        "logged_by", "commitment__partnership", "commitment__organisation"
    )


def _sums(queryset: QuerySet[Commitment], today: date, *group_by: str, **more) -> QuerySet:
    """The commitments' figures summed in SQL per ``group_by`` and unit (hours are never added to
    pounds), with ``more`` aggregates beside them."""
    return (
        with_figures(queryset, today)
        .order_by()
        .values(*group_by, "unit")
        .annotate(
            commitments=Count("pk"),
            planned=Sum("planned_quantity"),
            delivered_total=Sum("delivered"),
            expected_total=Sum("expected"),
            started=Count("pk", filter=Q(start_date__lte=today)),
            **more,
        )
    )


def _rollup(queryset: QuerySet[Commitment], today: date, *group_by: str) -> list[dict]:
    """Sum the commitments' figures in SQL, grouped by ``group_by`` and unit, with the group's
    variance, RAG and percentages."""
    rows = (
        _sums(queryset, today, *group_by)
        .annotate(
            variance_total=ExpressionWrapper(
                F("delivered_total") - F("expected_total"), output_field=_FIGURE
            ),
            rag=_rag(F("delivered_total"), F("expected_total"), Q(started=0)),
            percent_of_expected=_percent(F("delivered_total"), F("expected_total")),
            percent_of_plan=_percent(F("delivered_total"), F("planned")),
        )
        .order_by(*group_by, "unit")
    )
    return list(rows)


@dataclass(frozen=True)
class FigureRow:
    """Planned against delivered for a group of commitments in one unit (for tables and charts)."""

    label: str
    unit: str
    unit_label: str
    commitments: int
    planned: Decimal
    expected: Decimal
    delivered: Decimal
    variance: Decimal
    rag: str
    rag_label: str
    percent_of_expected: Decimal | None
    percent_of_plan: Decimal | None


def _grouped_figures(queryset: QuerySet[Commitment], today: date) -> list[dict]:
    """The commitments' figures summed per organisation, category and unit, in one query: each
    roll-up and the headline are sums of these few groups, so a page needs no query of its own
    for each (four aggregates of the same rows cost the largest partnership's page 17 ms)."""
    return list(
        _sums(
            queryset,
            today,
            "organisation_id",
            "organisation__name",
            "category",
            on_track=Count("pk", filter=Q(rag=Rag.GREEN)),
        ).order_by("organisation__name", "organisation_id", "category", "unit")
    )


_SUMMED = ("commitments", "planned", "delivered_total", "expected_total", "started", "on_track")


def _summed_by(groups: list[dict], key) -> dict:
    """The groups' sums added up per ``key(group)``, in the order the keys first appear."""
    sums: dict = {}
    for group in groups:
        total = sums.setdefault(key(group), dict.fromkeys(_SUMMED, 0))
        for field in _SUMMED:
            total[field] += group[field]
    return sums


def _summed_row(label: str, unit: str, sums: dict) -> FigureRow:
    """A figure row from summed figures: ``_rollup``'s arithmetic, in Python."""
    delivered, expected = sums["delivered_total"], sums["expected_total"]
    rag = rag_of(delivered, expected, started=sums["started"] > 0)
    return FigureRow(
        label=label,
        unit=unit,
        unit_label=CommitmentUnit(unit).label,
        commitments=sums["commitments"],
        planned=sums["planned"],
        expected=expected,
        delivered=delivered,
        variance=delivered - expected,
        rag=rag,
        rag_label=Rag(rag).label,
        percent_of_expected=percent_of(delivered, expected),
        percent_of_plan=percent_of(delivered, sums["planned"]),
    )


def _by_party(groups: list[dict]) -> list[FigureRow]:
    # The organisations in the database's order (by name), each one's units in order.
    sums = _summed_by(groups, lambda g: (g["organisation__name"], g["organisation_id"], g["unit"]))
    rank = {organisation: n for n, organisation in enumerate(dict.fromkeys(k[:2] for k in sums))}
    return [
        _summed_row(title_case_nhs(name), unit, figures)
        for (name, organisation_id, unit), figures in sorted(
            sums.items(), key=lambda item: (rank[item[0][:2]], item[0][2])
        )
    ]


def _by_category(groups: list[dict]) -> list[FigureRow]:
    sums = _summed_by(groups, lambda g: (g["category"], g["unit"]))
    return [
        _summed_row(CommitmentCategory(category).label, unit, figures)
        for (category, unit), figures in sorted(sums.items())
    ]


def _totals(groups: list[dict]) -> list[FigureRow]:
    """The whole partnership, one row per unit."""
    sums = _summed_by(groups, lambda g: g["unit"])
    return [
        _summed_row(CommitmentUnit(unit).label, unit, figures)
        for unit, figures in sorted(sums.items())
    ]


def commitment_rollups(queryset: QuerySet[Commitment], today: date | None = None) -> dict:
    """Figures per committing organisation and per category (each in its unit), in one query."""
    groups = _grouped_figures(queryset, today or timezone.localdate())
    return {"by_party": _by_party(groups), "by_category": _by_category(groups)}


@dataclass(frozen=True)
class CommitmentSummary:
    """What the partnership page shows about commitments: each one, and the totals per party and
    per category, with the organisations this person may plan and log for."""

    today: date
    commitments: list
    by_party: list[FigureRow]
    by_category: list[FigureRow]
    committable_organisation_ids: frozenset[str]
    headline: str
    totals: list[FigureRow] = ()  # the whole partnership, one row per unit
    page: Page | None = None  # the page of commitments listed (``commitments`` are its rows)

    @property
    def can_add(self) -> bool:
        return bool(self.committable_organisation_ids)


def _headline_of(planned: int, started: int, on_track: int) -> str:
    if not planned:
        return "No commitments planned yet"
    if not started:
        return "No commitment has started yet"
    if on_track == started:
        return f"All {started} commitments under way are on track"
    return f"{on_track} of {started} commitments under way are on track"


def _counted_headline(groups: list[dict]) -> str:
    return _headline_of(
        sum(g["commitments"] for g in groups),
        sum(g["started"] for g in groups),
        sum(g["on_track"] for g in groups),
    )


def commitment_headline(partnership: Partnership, user=None) -> CommitmentSummary:
    """The delivery headline on a partnership's overview: the headline and the totals per unit,
    counted in the database in one query, with no row per commitment (the section's own page
    has those)."""
    today = timezone.localdate()
    groups = _grouped_figures(Commitment.objects.filter(partnership=partnership), today)
    return CommitmentSummary(
        today=today,
        commitments=[],
        by_party=[],
        by_category=[],
        committable_organisation_ids=frozenset(),
        headline=_counted_headline(groups),
        totals=_totals(groups),
    )


SECTION_PAGE_SIZE = 50


def commitment_summary(partnership: Partnership, user=None, page=None) -> CommitmentSummary:
    """The commitments section of a partnership page: one page of its commitments (``page``,
    ``SECTION_PAGE_SIZE`` at a time) and the figures of them all, counted in the database in a
    fixed number of queries whatever its size.

    The caller has already checked the person may see the partnership.
    """
    today = timezone.localdate()
    queryset = Commitment.objects.filter(partnership=partnership)
    groups = _grouped_figures(queryset, today)
    paginator = Paginator(
        with_figures(queryset.select_related("organisation"), today).order_by(
            "organisation__name", "reference"
        ),
        SECTION_PAGE_SIZE,
    )
    paginator.count = sum(g["commitments"] for g in groups)  # counted with the figures already
    listed = paginator.get_page(page)
    commitments = list(listed.object_list)
    committable = (
        frozenset(
            p.organisation_id
            for p in access.acting_parties(user, partnership, "change", Commitment)
        )
        if user is not None
        else frozenset()
    )
    return CommitmentSummary(
        today=today,
        commitments=commitments,
        by_party=_by_party(groups),
        by_category=_by_category(groups),
        committable_organisation_ids=committable,
        headline=_counted_headline(groups),
        totals=_totals(groups),
        page=listed,
    )


COMMITMENT_HISTORY_LIMIT = 100


def commitment_history(commitment: Commitment, limit: int = COMMITMENT_HISTORY_LIMIT):
    """The latest changes to a commitment and its deliveries, newest first (at most ``limit``)."""
    commitment_records = Commitment.history.filter(id=commitment.pk).select_related("history_user")
    delivery_records = list(
        Delivery.history.filter(commitment_id=commitment.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit * 2]
    )
    history = chain(
        history_entries(commitment_records, lambda r: f"Commitment {r.reference}"),
        history_entries(
            delivery_records,
            lambda r: (
                f"Delivery of {quantity_text(r.quantity, commitment.unit)} on "
                f"{r.date.day} {r.date:%B %Y}"
            ),
        ),
    )
    # Each list is oldest first, so the position breaks ties of one moment (newest first still).
    ordered = sorted(enumerate(history), key=lambda item: (item[1].when, item[0]), reverse=True)
    return [entry for _, entry in ordered[:limit]]


def uploads_visible_to(user):
    """Uploads of the partnerships the person may see."""
    return DeliveryUpload.objects.filter(
        partnership__in=access.visible(Partnership, user)
    ).select_related("uploaded_by")
