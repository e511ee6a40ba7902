"""Compute a report: each registered section for the report's kind, over the partnerships in its
scope, with each time series turned into an SPC chart (``buddying.reports.spc``) and its figures
as a table."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from markupsafe import Markup

from buddying.common import reports
from buddying.common.formatting import date_long
from buddying.reports import charts, selectors, spc
from buddying.reports.choices import ReportKind
from buddying.reports.models import ReportRequest
from partnerships.models.organisations import title_case_nhs


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    result: spc.Result
    svg: Markup
    table: reports.Table


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    headline: str
    tables: tuple[reports.Table, ...]
    charts: tuple[Chart, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    title: str
    kind_label: str
    scope_label: str
    period_label: str
    generated_at: datetime
    sections: list[Section] = field(default_factory=list)

    def tables(self) -> list[reports.Table]:
        """Every table, the charts' figures included, in the order the page shows them."""
        found = []
        for section in self.sections:
            found.extend(section.tables)
            found.extend(chart.table for chart in section.charts)
        return found


def _chart(series: reports.Series) -> Chart:
    result = spc.xmr(
        series.values, series.labels, improvement=series.improvement, target=series.target
    )
    unit = series.unit
    table = reports.Table(
        key=f"spc-{series.key}",
        title=f"{series.title}: SPC figures",
        columns=(
            reports.Column("Month"),
            reports.Column("Value", numeric=True, unit=unit),
            reports.Column("Moving range", numeric=True, unit=unit),
            reports.Column("Mean", numeric=True, unit=unit),
            reports.Column("Lower process limit", numeric=True, unit=unit),
            reports.Column("Upper process limit", numeric=True, unit=unit),
            reports.Column("Special cause"),
        ),
        rows=tuple(
            (
                p.label,
                round(p.value, 2),
                None if p.moving_range is None else round(p.moving_range, 2),
                None if result.mean is None else round(result.mean, 2),
                None if result.lower_limit is None else round(result.lower_limit, 2),
                None if result.upper_limit is None else round(result.upper_limit, 2),
                p.rules or "None",
            )
            for p in result.points
        ),
    )
    return Chart(
        series.key, series.title, result, charts.spc_svg(result, series.title, series.key), table
    )


def context_for(request: ReportRequest, today: date | None = None) -> reports.ReportContext:
    return reports.ReportContext(
        kind=request.kind,
        partnerships=selectors.partnerships_in_scope(request),
        period_start=request.period_start,
        period_end=request.period_end,
        today=today or timezone.localdate(),
        partnership=request.partnership,
        organisation=request.organisation,
    )


def scope_label(request: ReportRequest) -> str:
    if request.kind == ReportKind.PARTNERSHIP_WEEKLY:
        return f"{request.partnership.reference} {request.partnership.title}"
    if request.kind == ReportKind.ORGANISATION_MONTHLY:
        return f"{title_case_nhs(request.organisation.name)} ({request.organisation_id})"
    return "Every partnership in England"


def title_for(request: ReportRequest) -> str:
    return f"{request.get_kind_display()}: {scope_label(request)}"


def build(request: ReportRequest, today: date | None = None) -> Report:
    context = context_for(request, today)
    report = Report(
        title=title_for(request),
        kind_label=request.get_kind_display(),
        scope_label=scope_label(request),
        period_label=f"{date_long(request.period_start)} to {date_long(request.period_end)}",
        generated_at=timezone.now(),
    )
    registered = reports.sections_for(request.kind)
    for section in registered:
        content = section.build(context)
        if content is None:
            continue
        report.sections.append(
            Section(
                name=section.name,
                title=content.title,
                headline=content.headline,
                tables=content.tables,
                charts=tuple(_chart(series) for series in content.series if series.values),
                notes=content.notes,
            )
        )
    if context.is_partnership:
        report.sections.append(_what_changed(context, registered))
    return report


def _what_changed(context: reports.ReportContext, registered) -> Section:
    """What changed in the period, from the history each app keeps."""
    lines: list[reports.Change] = []
    for section in registered:
        if section.changes is not None:
            lines.extend(section.changes(context))
    total = sum(line.added + line.changed + line.deleted for line in lines)
    return Section(
        name="changes",
        title="What changed this week",
        headline=f"{total} changes recorded" if total else "Nothing changed",
        tables=(
            reports.Table(
                key="changes",
                title="Changes recorded in the history",
                columns=(
                    reports.Column("What"),
                    reports.Column("Added", numeric=True),
                    reports.Column("Changed", numeric=True),
                    reports.Column("Deleted", numeric=True),
                ),
                rows=tuple((line.what, line.added, line.changed, line.deleted) for line in lines),
            ),
        ),
        charts=(),
    )
