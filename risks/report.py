"""The risk register's section of the summary reports: open risks by band, those outside any
party's appetite, and overdue reviews and actions — database aggregates over the risks of the
partnerships in scope."""

from django.db.models import Count

from buddying.common import reports
from risks.choices import RiskBand, RiskCategory, RiskStatus
from risks.models import Risk, RiskAction
from risks.selectors import action_overdue_q, outside_appetite_q, review_overdue_q

MAX_LISTED = 50  # a partnership's report lists its risks outside appetite up to this many


def risk_section(context: reports.ReportContext) -> reports.SectionContent:
    risks = Risk.objects.filter(partnership__in=context.partnerships).order_by()
    open_risks = risks.filter(status=RiskStatus.OPEN)
    # Outside appetite by band and category in one query: the appetite test as a WHERE EXISTS
    # (a semi-join), not a FILTER evaluated risk by risk, which at national scale took seconds.
    outside = list(
        open_risks.filter(outside_appetite_q())
        .values_list("current_band", "category")
        .annotate(n=Count("pk"))
    )
    open_by_band = dict(open_risks.values_list("current_band").annotate(n=Count("pk")))
    by_band = {
        band: {
            "open": open_by_band.get(band, 0),
            "outside_count": sum(n for b, _category, n in outside if b == band),
        }
        for band in RiskBand
    }
    band_rows = tuple(
        (
            band.label,
            by_band.get(band, {}).get("open", 0),
            by_band.get(band, {}).get("outside_count", 0),
        )
        for band in reversed(RiskBand)
    )
    totals = open_risks.aggregate(
        review_overdue=Count("pk", filter=review_overdue_q(context.today)),
    )
    overdue_actions = (
        RiskAction.objects.filter(partnership__in=context.partnerships)
        .filter(action_overdue_q(context.today))
        .count()
    )
    outside_total = sum(row[2] for row in band_rows)
    open_total = sum(row[1] for row in band_rows)
    tables = [
        reports.Table(
            key="risks_by_band",
            title="Open risks by band",
            columns=(
                reports.Column("Band"),
                reports.Column("Open risks", numeric=True),
                reports.Column("Outside appetite", numeric=True),
            ),
            rows=band_rows,
        ),
        reports.Table(
            key="risk_reviews",
            title="Risk reviews and actions",
            columns=(reports.Column("Measure"), reports.Column("Number", numeric=True)),
            rows=(
                ("Open risks", open_total),
                ("Outside appetite", outside_total),
                ("Review overdue", totals["review_overdue"]),
                ("Actions overdue", overdue_actions),
            ),
        ),
    ]
    if context.is_partnership:
        listed = (
            open_risks.filter(outside_appetite_q())
            .order_by("-current_score", "number")
            .values_list(
                "reference",
                "title",
                "category",
                "current_score",
                "current_band",
                "next_review_date",
            )[:MAX_LISTED]
        )
        tables.append(
            reports.Table(
                key="risks_outside_appetite",
                title="Risks outside appetite",
                columns=(
                    reports.Column("Reference"),
                    reports.Column("Title"),
                    reports.Column("Category"),
                    reports.Column("Current score", numeric=True),
                    reports.Column("Band"),
                    reports.Column("Next review", unit="date"),
                ),
                rows=tuple(
                    (ref, title, RiskCategory(cat).label, score, RiskBand(band).label, review)
                    for ref, title, cat, score, band, review in listed
                ),
                empty_text="No open risk is outside any party's appetite.",
            )
        )
    else:
        by_category = {
            category: sum(n for _band, c, n in outside if c == category)
            for category in RiskCategory
        }
        tables.append(
            reports.Table(
                key="outside_by_category",
                title="Risks outside appetite by category",
                columns=(
                    reports.Column("Category"),
                    reports.Column("Outside appetite", numeric=True),
                ),
                rows=tuple((cat.label, by_category.get(cat, 0)) for cat in RiskCategory),
            )
        )
    headline = (
        f"{outside_total} of {open_total} open risks are outside a party's appetite"
        if open_total
        else "No open risks"
    )
    return reports.SectionContent(title="Risks", headline=headline, tables=tuple(tables))


def changes(context: reports.ReportContext) -> list[reports.Change]:
    return [
        reports.history_change(
            "Risks",
            Risk.history.filter(partnership__in=context.partnerships),
            context.period_start,
            context.period_end,
        ),
        reports.history_change(
            "Risk actions",
            RiskAction.history.filter(risk__partnership__in=context.partnerships),
            context.period_start,
            context.period_end,
        ),
    ]


reports.register(reports.ReportSection(name="risks", build=risk_section, order=30, changes=changes))
