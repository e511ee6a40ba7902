"""The secondments' section of the summary reports: who is away today and the capacity drain on
the home organisations (FTE seconded out by staff group, and how much of it is not backfilled),
as database aggregates over the secondments of the partnerships in scope."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from buddying.common import reports
from partnerships.choices import DeliveryStaffGroup
from partnerships.models.organisations import title_case_nhs
from partnerships.secondments.choices import SecondmentStatus
from partnerships.secondments.models import Secondment, status_expression
from partnerships.secondments.selectors import running_on

_FTE = DecimalField(max_digits=12, decimal_places=2)


def _drain(queryset, *group_by: str):
    return (
        queryset.order_by()
        .values(*group_by)
        .annotate(
            fte_out=Coalesce(Sum("fte"), Value(Decimal(0)), output_field=_FTE),
            people=Count("staff_reference", distinct=True),
            not_backfilled=Coalesce(
                Sum("fte", filter=Q(backfilled=False)), Value(Decimal(0)), output_field=_FTE
            ),
            recharge=Coalesce(Sum("monthly_recharge"), Value(Decimal(0)), output_field=_FTE),
        )
        .order_by(*group_by)
    )


def secondment_section(context: reports.ReportContext) -> reports.SectionContent:
    day = context.period_end
    secondments = Secondment.objects.filter(partnership__in=context.partnerships)
    if context.kind == reports.ORGANISATION_MONTHLY and context.organisation is not None:
        # An organisation's capacity drain is its own staff away, whoever hosts them.
        secondments = secondments.filter(home_organisation=context.organisation)
    running = secondments.filter(running_on(day))
    counts = dict(
        secondments.annotate(state=status_expression(day))
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    tables = [
        reports.Table(
            key="secondments_by_status",
            title=f"Secondments by status on {day.day} {day:%B %Y}",
            columns=(reports.Column("Status"), reports.Column("Secondments", numeric=True)),
            rows=tuple((status.label, counts.get(status, 0)) for status in SecondmentStatus),
        )
    ]
    if context.is_partnership:
        rows = _drain(running, "home_organisation__name")
        tables.append(
            reports.Table(
                key="secondments_by_home",
                title="Staff away, by home organisation",
                columns=(
                    reports.Column("Home organisation"),
                    reports.Column("People", numeric=True),
                    reports.Column("FTE away", numeric=True, unit="fte"),
                    reports.Column("FTE not backfilled", numeric=True, unit="fte"),
                    reports.Column("Monthly recharge", numeric=True, unit="gbp"),
                ),
                rows=tuple(
                    (
                        title_case_nhs(r["home_organisation__name"]),
                        r["people"],
                        r["fte_out"],
                        r["not_backfilled"],
                        r["recharge"],
                    )
                    for r in rows
                ),
                empty_text="Nobody is on secondment.",
            )
        )
    rows = list(_drain(running, "staff_group"))
    tables.append(
        reports.Table(
            key="capacity_drain",
            title="Capacity drain, by staff group",
            columns=(
                reports.Column("Staff group"),
                reports.Column("People", numeric=True),
                reports.Column("FTE away", numeric=True, unit="fte"),
                reports.Column("FTE not backfilled", numeric=True, unit="fte"),
            ),
            rows=tuple(
                (
                    DeliveryStaffGroup(r["staff_group"]).label,
                    r["people"],
                    r["fte_out"],
                    r["not_backfilled"],
                )
                for r in rows
            ),
            empty_text="Nobody is on secondment.",
        )
    )
    fte = sum((r["fte_out"] for r in rows), Decimal(0))
    gap = sum((r["not_backfilled"] for r in rows), Decimal(0))
    headline = (
        f"{fte.normalize():f} FTE on secondment, {gap.normalize():f} FTE of it not backfilled"
        if rows
        else "Nobody is on secondment"
    )
    return reports.SectionContent(
        title="Secondments and capacity", headline=headline, tables=tuple(tables)
    )


def changes(context: reports.ReportContext) -> list[reports.Change]:
    return [
        reports.history_change(
            "Secondments",
            Secondment.history.filter(partnership__in=context.partnerships),
            context.period_start,
            context.period_end,
        )
    ]


reports.register(
    reports.ReportSection(name="secondments", build=secondment_section, order=40, changes=changes)
)
