"""The outcome reviews' sections of the summary reports: reviews due and overdue, and value for
money (the cost of support beside the equivalent consultancy cost), as database aggregates over
the reviews of the partnerships in scope."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from buddying.common import reports
from partnerships.reviews.choices import ReviewKind, ReviewStatus
from partnerships.reviews.models import OutcomeReview
from partnerships.reviews.selectors import REPORTED, with_figures

DUE_SOON_DAYS = 30
MAX_LISTED = 50
NOT_DONE = (ReviewStatus.SCHEDULED, ReviewStatus.DRAFT)


def review_section(context: reports.ReportContext) -> reports.SectionContent:
    today = context.today
    reviews = OutcomeReview.objects.filter(partnership__in=context.partnerships).order_by()
    overdue = Q(status__in=NOT_DONE, due_date__lt=today)
    due_soon = Q(
        status__in=NOT_DONE, due_date__gte=today, due_date__lte=today + dt.timedelta(DUE_SOON_DAYS)
    )
    counts = reviews.aggregate(
        overdue=Count("pk", filter=overdue),
        due_soon=Count("pk", filter=due_soon),
        signed_off=Count("pk", filter=Q(status=ReviewStatus.SIGNED_OFF)),
    )
    listed = (
        reviews.filter(overdue | due_soon)
        .order_by("due_date", "partnership__reference")
        .values_list(
            "partnership__reference", "kind", "period_start", "period_end", "due_date", "status"
        )[:MAX_LISTED]
    )
    tables = [
        reports.Table(
            key="reviews_due",
            title=f"Reviews overdue or due in the next {DUE_SOON_DAYS} days",
            columns=(
                reports.Column("Partnership"),
                reports.Column("Kind"),
                reports.Column("Period from", unit="date"),
                reports.Column("Period to", unit="date"),
                reports.Column("Due", unit="date"),
                reports.Column("Status"),
                reports.Column("Overdue"),
            ),
            rows=tuple(
                (
                    ref,
                    ReviewKind(kind).label,
                    start,
                    end,
                    due,
                    ReviewStatus(status).label,
                    "Yes" if due < today else "No",
                )
                for ref, kind, start, end, due, status in listed
            ),
            empty_text="No review is overdue or due soon.",
        )
    ]
    if not context.is_partnership:
        tables.append(_value_for_money(context))
    headline = f"{counts['overdue']} reviews overdue, {counts['due_soon']} due in the next {DUE_SOON_DAYS} days"
    return reports.SectionContent(title="Outcome reviews", headline=headline, tables=tuple(tables))


def _value_for_money(context: reports.ReportContext) -> reports.Table:
    """Planned: the partnerships' remuneration and consultancy estimates. Reported: the final
    review where a partnership has a submitted or signed-off one, else its quarterly reviews
    (as ``partnerships.reviews.selectors.value_for_money`` counts one partnership)."""
    planned = context.partnerships.order_by().aggregate(
        cost=Sum("remuneration_gbp"), consultancy=Sum("consultancy_equivalent_gbp")
    )
    reported = OutcomeReview.objects.filter(
        partnership__in=context.partnerships, status__in=REPORTED
    )
    has_final = Exists(
        OutcomeReview.objects.filter(
            partnership_id=OuterRef("partnership_id"), kind=ReviewKind.FINAL, status__in=REPORTED
        )
    )
    counted = with_figures(
        reported.filter(Q(kind=ReviewKind.FINAL) | (Q(kind=ReviewKind.QUARTERLY) & ~has_final))
    ).order_by()
    totals = counted.aggregate(
        cost=Sum("total_cost"), consultancy=Sum("consultancy_equivalent_gbp"), reviews=Count("pk")
    )

    def saving(figures):
        if figures["cost"] is None or figures["consultancy"] is None:
            return None
        return figures["consultancy"] - figures["cost"]

    return reports.Table(
        key="value_for_money",
        title="Value for money",
        columns=(
            reports.Column("Basis"),
            reports.Column("Cost of support", numeric=True, unit="gbp"),
            reports.Column("Consultancy equivalent", numeric=True, unit="gbp"),
            reports.Column("Saving", numeric=True, unit="gbp"),
        ),
        rows=(
            ("Planned", planned["cost"], planned["consultancy"], saving(planned)),
            (
                f"Reported in {totals['reviews']} reviews",
                totals["cost"] or Decimal(0),
                totals["consultancy"] or Decimal(0),
                saving({k: v or Decimal(0) for k, v in totals.items()}),
            ),
        ),
    )


def changes(context: reports.ReportContext) -> list[reports.Change]:
    return [
        reports.history_change(
            "Outcome reviews",
            OutcomeReview.history.filter(partnership__in=context.partnerships),
            context.period_start,
            context.period_end,
        )
    ]


reports.register(
    reports.ReportSection(name="reviews", build=review_section, order=50, changes=changes)
)
