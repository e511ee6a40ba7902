"""The commitments' sections of the summary reports: planned against delivered, and the monthly
delivery the reports draw as SPC charts. Every figure is a database aggregate over the
commitments of the partnerships in scope, whatever their number."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least, TruncMonth

from buddying.common import reports
from partnerships.commitments.choices import CommitmentUnit
from partnerships.commitments.models import Commitment, Delivery
from partnerships.commitments.selectors import _DaysBetween, _rollup
from partnerships.models.organisations import title_case_nhs

SPC_MONTHS = 24  # the chart's window: two years of months up to the end of the period
MAX_PARTNERSHIP_CHARTS = 12  # an organisation's portfolio charts each partnership up to this
_FIGURE = DecimalField(max_digits=16, decimal_places=2)


def _month_starts(last: dt.date, count: int) -> list[dt.date]:
    year, month = last.year, last.month
    starts = []
    for _ in range(count):
        starts.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def _month_end(start: dt.date) -> dt.date:
    following = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _columns(label: str) -> tuple[reports.Column, ...]:
    return (
        reports.Column(label),
        reports.Column("Unit"),
        reports.Column("Commitments", numeric=True),
        reports.Column("Planned", numeric=True),
        reports.Column("Expected to date", numeric=True),
        reports.Column("Delivered to date", numeric=True),
        reports.Column("Delivered in the period", numeric=True),
        reports.Column("Variance", numeric=True),
        reports.Column("% of expected", numeric=True, unit="percent"),
        reports.Column("Status"),
    )


def _in_period(queryset, context, *group_by: str) -> dict:
    rows = (
        Delivery.objects.filter(
            commitment__in=queryset,
            date__gte=context.period_start,
            date__lte=context.period_end,
        )
        .order_by()
        .values(*(f"commitment__{name}" for name in group_by), "commitment__unit")
        .annotate(total=Sum("quantity"))
    )
    return {
        tuple(row[f"commitment__{name}"] for name in (*group_by, "unit")): row["total"]
        for row in rows
    }


def planned_against_delivered(context: reports.ReportContext) -> reports.SectionContent:
    """Per committing organisation (a partnership's report) or per unit (a portfolio), the
    planned, expected and delivered figures, in two queries."""
    from partnerships.choices import Rag

    queryset = Commitment.objects.filter(partnership__in=context.partnerships)
    group_by = ("organisation__name",) if context.is_partnership else ()
    label = "Committing organisation" if group_by else "All commitments"
    rows = _rollup(queryset, context.today, *group_by)
    in_period = _in_period(queryset, context, *group_by)
    table_rows = []
    for row in rows:
        key = tuple(row[name] for name in (*group_by, "unit"))
        table_rows.append(
            (
                title_case_nhs(row["organisation__name"]) if group_by else "All partnerships",
                CommitmentUnit(row["unit"]).label,
                row["commitments"],
                row["planned"],
                row["expected_total"],
                row["delivered_total"],
                in_period.get(key) or Decimal(0),
                row["variance_total"],
                row["percent_of_expected"],
                Rag(row["rag"]).label,
            )
        )
    behind = [r for r in table_rows if r[9] in (Rag.AMBER.label, Rag.RED.label)]
    if not table_rows:
        headline = "No commitments planned"
    elif behind:
        headline = f"{len(behind)} of {len(table_rows)} lines of commitments are behind plan"
    else:
        headline = "Commitments are on track"
    return reports.SectionContent(
        title="Commitments: planned against delivered",
        headline=headline,
        tables=(
            reports.Table(
                key="commitments",
                title="Planned against delivered",
                columns=_columns(label),
                rows=tuple(table_rows),
                empty_text="No commitments planned.",
            ),
        ),
        series=tuple(monthly_delivery(context)),
    )


def _plan_in_month(start: dt.date, end: dt.date):
    """A commitment's plan falling in [start, end], pro rata by days, as SQL."""
    overlap = Greatest(
        _DaysBetween(Least(F("end_date"), Value(end)), Greatest(F("start_date"), Value(start)))
        + Value(1),
        Value(0),
    )
    period_days = _DaysBetween(F("end_date"), F("start_date")) + Value(1)
    return F("planned_quantity") * overlap / period_days


def monthly_delivery(context: reports.ReportContext) -> list[reports.Series]:
    """Delivered per month and unit over the last ``SPC_MONTHS`` months (one query), with the
    average monthly plan as the target (one query); and, for an organisation's portfolio, the
    same per partnership."""
    months = _month_starts(context.period_end, SPC_MONTHS)
    first, last = months[0], context.period_end
    deliveries = Delivery.objects.filter(
        commitment__partnership__in=context.partnerships, date__gte=first, date__lte=last
    ).order_by()
    per_partnership = context.kind == reports.ORGANISATION_MONTHLY
    group = ("commitment__partnership__reference",) if per_partnership else ()
    totals = (
        deliveries.annotate(month=TruncMonth("date"))
        .values(*group, "commitment__unit", "month")
        .annotate(total=Sum("quantity"))
    )
    by_key: dict[tuple, dict[dt.date, Decimal]] = {}
    portfolio: dict[tuple, dict[dt.date, Decimal]] = {}
    for row in totals:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        unit = row["commitment__unit"]
        by_portfolio = portfolio.setdefault((unit,), {})
        by_portfolio[month] = by_portfolio.get(month, Decimal(0)) + row["total"]
        if group:
            by_key.setdefault((row[group[0]], unit), {})[month] = row["total"]

    commitments = Commitment.objects.filter(
        partnership__in=context.partnerships, start_date__lte=last, end_date__gte=first
    ).order_by()
    plans = commitments.values("unit").annotate(
        **{
            f"plan_{i}": Coalesce(
                Sum(_plan_in_month(start, _month_end(start))),
                Value(Decimal(0)),
                output_field=_FIGURE,
            )
            for i, start in enumerate(months)
        },
        **{
            f"from_{i}": Count("pk", filter=Q(start_date__lte=_month_end(start)))
            for i, start in enumerate(months)
        },
    )
    series = []
    for plan in plans:
        unit = plan["unit"]
        # The chart starts at the first month any commitment of this unit had begun.
        started = [i for i in range(len(months)) if plan[f"from_{i}"]]
        if not started:
            continue
        chosen = list(range(started[0], len(months)))
        values = portfolio.get((unit,), {})
        monthly_plan = [plan[f"plan_{i}"] for i in chosen]
        target = sum(monthly_plan, Decimal(0)) / len(monthly_plan)
        unit_label = CommitmentUnit(unit).label
        series.append(
            reports.Series(
                key=f"delivery-{unit}",
                title=f"Monthly delivery, all commitments in {unit_label.lower()}",
                labels=tuple(f"{months[i]:%b %Y}" for i in chosen),
                values=tuple(values.get(months[i], Decimal(0)) for i in chosen),
                unit=unit,
                improvement="increase",
                target=target.quantize(Decimal("0.01")),
            )
        )
    if group:
        for (reference, unit), values in sorted(by_key.items())[:MAX_PARTNERSHIP_CHARTS]:
            active = [m for m in months if m >= min(values)]
            series.append(
                reports.Series(
                    key=f"delivery-{reference}-{unit}",
                    title=f"{reference}: monthly delivery in {CommitmentUnit(unit).label.lower()}",
                    labels=tuple(f"{m:%b %Y}" for m in active),
                    values=tuple(values.get(m, Decimal(0)) for m in active),
                    unit=unit,
                    improvement="increase",
                )
            )
    return series


def changes(context: reports.ReportContext) -> list[reports.Change]:
    start, end = context.period_start, context.period_end
    return [
        reports.history_change(
            "Commitments",
            Commitment.history.filter(partnership__in=context.partnerships),
            start,
            end,
        ),
        reports.history_change(
            "Deliveries",
            Delivery.history.filter(commitment__partnership__in=context.partnerships),
            start,
            end,
        ),
    ]


reports.register(
    reports.ReportSection(
        name="commitments",
        build=planned_against_delivered,
        order=20,
        changes=changes,
    )
)
