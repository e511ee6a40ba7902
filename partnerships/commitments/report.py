"""The commitments' sections of the summary reports: planned against delivered, and the monthly
delivery the reports draw as SPC charts. Every figure is a database aggregate over the
commitments of the partnerships in scope, whatever their number."""

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import (
    CharField,
    DecimalField,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    Sum,
    Value,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractMonth,
    ExtractYear,
    Greatest,
    Least,
)

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
    series, variations = monthly_delivery(context)
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
        series=tuple(series),
        variations=tuple(variations),
    )


def _month_number(field: str):
    """year × 12 + month of a date, in SQL. On PostgreSQL ``date_part`` (a float), which over a
    million deliveries is a third faster than ``EXTRACT`` (a numeric since PostgreSQL 14)."""
    if connection.vendor == "postgresql":
        return Func(Value("year"), F(field), function="date_part") * Value(12) + Func(
            Value("month"), F(field), function="date_part", output_field=FloatField()
        )
    return ExtractYear(field) * 12 + ExtractMonth(field)


def _plan_in_month(start: dt.date, end: dt.date):
    """A commitment's plan falling in [start, end], pro rata by days, as SQL."""
    overlap = Greatest(
        _DaysBetween(Least(F("end_date"), Value(end)), Greatest(F("start_date"), Value(start)))
        + Value(1),
        Value(0),
    )
    period_days = _DaysBetween(F("end_date"), F("start_date")) + Value(1)
    return F("planned_quantity") * overlap / period_days


def monthly_delivery(
    context: reports.ReportContext,
) -> tuple[list[reports.Series], list[reports.Variation]]:
    """The monthly delivery the reports characterise with SPC, over the last ``SPC_MONTHS``
    months, in two queries whatever the number of partnerships:

    - delivered per partnership, unit and month (one aggregate over the deliveries);
    - per partnership and unit, the plan falling in each month, pro rata by days, and the first
      day any commitment had begun (one aggregate over the commitments).

    From them: the portfolio's chart per unit (its target the average monthly plan); for a
    portfolio (an organisation's or the whole system's), a variation table with one row per
    partnership and unit; and, for an organisation's portfolio, each partnership's chart (up to
    ``MAX_PARTNERSHIP_CHARTS``).
    """
    months = _month_starts(context.period_end, SPC_MONTHS)
    first, last = months[0], context.period_end
    month_index = {month: i for i, month in enumerate(months)}
    # Tens of thousands of rows at national scale: the month as its index in the window and the
    # partnership's id as text, both from the database, so Python makes no date or UUID of each.
    delivered = (
        Delivery.objects.filter(
            commitment__partnership__in=context.partnerships, date__gte=first, date__lte=last
        )
        .order_by()
        .annotate(
            partnership_key=Cast("commitment__partnership_id", CharField()),
            index=Cast(
                _month_number("date") - Value(first.year * 12 + first.month), IntegerField()
            ),
        )
        .values("partnership_key", "commitment__unit", "index")
        .annotate(total=Sum("quantity"))
        .values_list("partnership_key", "commitment__unit", "index", "total")
    )
    # (partnership id, unit) -> the total delivered in each month of the window.
    per_partnership: dict[tuple, list[Decimal]] = {}
    empty = [Decimal(0)] * len(months)
    for partnership_id, unit, index, total in delivered:
        values = per_partnership.get((partnership_id, unit))
        if values is None:
            values = per_partnership[(partnership_id, unit)] = empty.copy()
        values[index] = total

    plans = (
        Commitment.objects.filter(
            partnership__in=context.partnerships, start_date__lte=last, end_date__gte=first
        )
        .order_by()
        .annotate(partnership_key=Cast("partnership_id", CharField()))
        .values("partnership_key", "partnership__reference", "partnership__title", "unit")
        .annotate(
            began=Min("start_date"),
            ended=Max("end_date"),
            **{
                f"plan_{i}": Coalesce(
                    Sum(_plan_in_month(start, _month_end(start))),
                    Value(Decimal(0)),
                    output_field=_FIGURE,
                )
                for i, start in enumerate(months)
            },
        )
    )
    names: dict = {}
    monthly_plan: dict[tuple, list[Decimal]] = {}
    began: dict[tuple, int] = {}
    ended: dict[tuple, int] = {}
    for plan in plans:
        key = (plan["partnership_key"], plan["unit"])
        names[key[0]] = (plan["partnership__reference"], plan["partnership__title"])
        monthly_plan[key] = [plan[f"plan_{i}"] for i in range(len(months))]
        began[key] = month_index.get(plan["began"].replace(day=1), 0)
        ended[key] = month_index.get(plan["ended"].replace(day=1), len(months) - 1)

    def window(key: tuple) -> range:
        """From the first month a commitment had begun (or a delivery came) to the month the
        last one ends (or a delivery came): the months after every commitment has ended are no
        shortfall, and would read as special cause if counted as nothing delivered."""
        starts = [began[key]] if key in began else []
        ends = [ended[key]] if key in ended else []
        values = per_partnership.get(key)
        if values:
            delivered = [i for i, v in enumerate(values) if v]
            if delivered:
                starts.append(delivered[0])
                ends.append(delivered[-1])
        first_month = min(starts, default=len(months) - 1)
        return range(first_month, max(max(ends, default=len(months) - 1), first_month) + 1)

    def target(key: tuple, chosen: range) -> Decimal | None:
        plan = monthly_plan.get(key)
        if plan is None:
            return None
        return (sum((plan[i] for i in chosen), Decimal(0)) / len(chosen)).quantize(Decimal("0.01"))

    # The portfolio per unit: the partnerships' months and plans added up.
    portfolio: dict[tuple, list[Decimal]] = {}
    portfolio_plan: dict[tuple, list[Decimal]] = {}
    for (_partnership_id, unit), values in per_partnership.items():
        totals = portfolio.setdefault((unit,), [Decimal(0)] * len(months))
        for i, value in enumerate(values):
            totals[i] += value
    for (_partnership_id, unit), plan in monthly_plan.items():
        totals = portfolio_plan.setdefault((unit,), [Decimal(0)] * len(months))
        for i, value in enumerate(plan):
            totals[i] += value
    portfolio_began = {}
    for (_partnership_id, unit), index in began.items():
        portfolio_began[(unit,)] = min(index, portfolio_began.get((unit,), index))

    series = []
    for unit in (u.value for u in CommitmentUnit):
        if (unit,) not in portfolio_began:
            continue  # no commitment in this unit ran in the window
        chosen = range(portfolio_began[(unit,)], len(months))
        values = portfolio.get((unit,), [Decimal(0)] * len(months))
        plan = portfolio_plan[(unit,)]
        unit_label = CommitmentUnit(unit).label
        series.append(
            reports.Series(
                key=f"delivery-{unit}",
                title=f"Monthly delivery, all commitments in {unit_label.lower()}",
                labels=tuple(f"{months[i]:%b %Y}" for i in chosen),
                values=tuple(values[i] for i in chosen),
                unit=unit,
                improvement="increase",
                target=(sum((plan[i] for i in chosen), Decimal(0)) / len(chosen)).quantize(
                    Decimal("0.01")
                ),
            )
        )
    if context.kind not in reports.PORTFOLIO_KINDS:
        return series, []

    rows = []
    keys = sorted(
        set(per_partnership) | set(monthly_plan),
        key=lambda key: (names.get(key[0], ("", ""))[0], key[1]),
    )
    for key in keys:
        partnership_id, unit = key
        if partnership_id not in names:
            continue  # deliveries of commitments that ran outside the window
        reference, title = names[partnership_id]
        chosen = window(key)
        values = per_partnership.get(key, [Decimal(0)] * len(months))
        rows.append(
            reports.Series(
                key=f"delivery-{reference}-{unit}",
                title=f"{reference} {title}",
                labels=tuple(f"{months[i]:%b %Y}" for i in chosen),
                values=tuple(values[i] for i in chosen),
                unit=unit,
                improvement="increase",
                target=target(key, chosen),
            )
        )
    if context.kind == reports.ORGANISATION_MONTHLY:
        for row in rows[:MAX_PARTNERSHIP_CHARTS]:
            reference = row.title.split(" ", 1)[0]
            unit_label = CommitmentUnit(row.unit).label.lower()
            series.append(
                dataclasses.replace(
                    row, title=f"{reference}: monthly delivery in {unit_label}", target=None
                )
            )
    variation = reports.Variation(
        key="delivery-variation",
        title="Each partnership's monthly delivery: variation and assurance",
        row_label="Partnership",
        series=tuple(rows),
        sheet="Delivery SPC",
    )
    return series, [variation]


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
