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
class VariationRow:
    label: str
    unit: str
    result: spc.Result

    @property
    def latest(self) -> spc.Point | None:
        return self.result.points[-1] if self.result.points else None


@dataclass(frozen=True)
class VariationTable:
    """Many series characterised with SPC, a row each: ``rows`` as the page and the PDF show
    them (special causes first: concerning, improving, neither, then common cause), ``table``
    the same figures for the XLSX and CSV, ``summary`` the rows counted by variation and
    assurance."""

    key: str
    title: str
    row_label: str
    rows: tuple[VariationRow, ...]
    table: reports.Table
    summary: reports.Table

    @property
    def special_cause(self) -> tuple[VariationRow, ...]:
        return tuple(row for row in self.rows if row.result.variation not in VARIATION_QUIET)

    @property
    def shown(self) -> tuple[VariationRow, ...]:
        """The rows the page and the PDF list: every row of a small portfolio; of the whole
        system, those showing special cause variation (up to ``PAGE_ROWS``)."""
        if len(self.rows) <= PAGE_ROWS:
            return self.rows
        return self.special_cause[:PAGE_ROWS]

    @property
    def shown_caption(self) -> str:
        if len(self.shown) == len(self.rows):
            return f"{self.title}: each partnership"
        return f"{self.title}: those showing special cause variation, concerning first"

    @property
    def hidden_count(self) -> int:
        return len(self.rows) - len(self.shown)

    @property
    def hidden_text(self) -> str:
        return (
            f"{self.hidden_count:,} more rows, "
            f"{self.common_cause_count:,} of them showing common cause variation only, are in "
            f"the table above's counts and listed in full in the XLSX and CSV files."
        )

    @property
    def common_cause_count(self) -> int:
        return len(self.rows) - len(self.special_cause)


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    headline: str
    tables: tuple[reports.Table, ...]
    charts: tuple[Chart, ...]
    notes: tuple[str, ...] = ()
    variations: tuple[VariationTable, ...] = ()


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
            for variation in section.variations:
                found.extend((variation.summary, variation.table))
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


# The order a variation table lists its rows in: what needs a board's attention first.
VARIATION_ORDER = {
    spc.CONCERN_HIGH: 0,
    spc.CONCERN_LOW: 0,
    spc.IMPROVEMENT_HIGH: 1,
    spc.IMPROVEMENT_LOW: 1,
    spc.NEITHER_HIGH: 2,
    spc.NEITHER_LOW: 2,
    spc.COMMON_CAUSE: 3,
    None: 4,  # fewer than two months
}
VARIATION_QUIET = (spc.COMMON_CAUSE, None)
# A variation table longer than this lists only its special causes on the page and in the PDF
# (up to this many); the XLSX and CSV have every row.
PAGE_ROWS = 50
ASSURANCE_COLUMNS = (spc.CONSISTENT_PASS, spc.HIT_AND_MISS, spc.CONSISTENT_FAIL, None)
# Within a variation, those that will not meet their target first.
ASSURANCE_ORDER = {spc.CONSISTENT_FAIL: 0, spc.HIT_AND_MISS: 1, spc.CONSISTENT_PASS: 2, None: 3}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _variation(variation: reports.Variation) -> VariationTable:
    """Each series through ``spc.xmr`` (the one tested function), then the rows in the order a
    board reads them, their figures as a table and the count of each icon."""
    from partnerships.commitments.choices import CommitmentUnit

    def unit_label(unit: str) -> str:
        return CommitmentUnit(unit).label if unit in CommitmentUnit.values else unit

    rows = sorted(
        (
            VariationRow(
                label=series.title,
                unit=unit_label(series.unit),
                result=spc.xmr(
                    series.values,
                    series.labels,
                    improvement=series.improvement,
                    target=series.target,
                ),
            )
            for series in variation.series
        ),
        key=lambda row: (
            VARIATION_ORDER[row.result.variation],
            ASSURANCE_ORDER[row.result.assurance],
            row.label,
            row.unit,
        ),
    )
    table = reports.Table(
        key=variation.key,
        title=variation.title,
        columns=(
            reports.Column(variation.row_label),
            reports.Column("Unit"),
            reports.Column("Months", numeric=True),
            reports.Column("Latest month"),
            reports.Column("Latest value", numeric=True),
            reports.Column("Mean", numeric=True),
            reports.Column("Lower process limit", numeric=True),
            reports.Column("Upper process limit", numeric=True),
            reports.Column("Target (average monthly plan)", numeric=True),
            reports.Column("Variation"),
            reports.Column("Assurance"),
            reports.Column("Special cause in the latest month"),
        ),
        rows=tuple(
            (
                row.label,
                row.unit,
                len(row.result.points),
                row.latest.label if row.latest else None,
                _rounded(row.latest.value) if row.latest else None,
                _rounded(row.result.mean),
                _rounded(row.result.lower_limit),
                _rounded(row.result.upper_limit),
                _rounded(row.result.target),
                row.result.variation_label,
                row.result.assurance_label,
                (row.latest.rules if row.latest else "") or "None",
            )
            for row in rows
        ),
        empty_text="No partnership had commitments running in the last two years.",
        sheet=f"{variation.sheet} by partnership",
    )
    counts: dict[tuple, int] = {}
    for row in rows:
        key = (row.result.variation, row.result.assurance)
        counts[key] = counts.get(key, 0) + 1
    variations = [
        *(kind for kind in spc.VARIATION_LABELS if any(k[0] == kind for k in counts)),
        *([None] if any(k[0] is None for k in counts) else []),
    ]
    summary = reports.Table(
        key=f"{variation.key}-summary",
        title=f"{variation.title}: how many of each",
        columns=(
            reports.Column("Variation in the latest month"),
            *(
                reports.Column(
                    spc.ASSURANCE_LABELS[kind].split(":")[0]
                    if kind
                    else "No assurance (no target or too few months)",
                    numeric=True,
                )
                for kind in ASSURANCE_COLUMNS
            ),
            reports.Column("Total", numeric=True),
        ),
        rows=tuple(
            (
                spc.VARIATION_LABELS.get(kind, "Not enough data (fewer than two months)"),
                *(counts.get((kind, assurance), 0) for assurance in ASSURANCE_COLUMNS),
                sum(count for (k, _a), count in counts.items() if k == kind),
            )
            for kind in variations
        ),
        sheet=f"{variation.sheet} counted",
    )
    return VariationTable(
        key=variation.key,
        title=variation.title,
        row_label=variation.row_label,
        rows=tuple(rows),
        table=table,
        summary=summary,
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
    if request.kind == ReportKind.EXPORT:
        filters = ", ".join(f"{key}={value}" for key, value in request.export_filters.items())
        return f"Export of {request.export_list}" + (f" ({filters})" if filters else "")[:250]
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
                variations=tuple(_variation(variation) for variation in content.variations),
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
