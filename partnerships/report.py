"""The partnerships' own section of the summary reports: the partnership (its report), or the
partnerships in scope by status and region (a portfolio), as database aggregates."""

from django.db.models import Count

from buddying.common import reports
from partnerships.choices import PartnershipStatus, PartyRole
from partnerships.models import Partnership, Party
from partnerships.models.organisations import title_case_nhs


def partnership_section(context: reports.ReportContext) -> reports.SectionContent:
    if context.is_partnership:
        partnership = context.partnership
        parties = Party.objects.filter(partnership=partnership).select_related("organisation")
        return reports.SectionContent(
            title="The partnership",
            headline=f"{partnership.reference} {partnership.title}: {partnership.get_status_display()}",
            tables=(
                reports.Table(
                    key="parties",
                    title="Parties",
                    columns=(
                        reports.Column("Organisation"),
                        reports.Column("ODS code"),
                        reports.Column("Role"),
                        reports.Column("Executive sponsor"),
                    ),
                    rows=tuple(
                        (
                            title_case_nhs(p.organisation.name),
                            p.organisation_id,
                            p.get_role_display(),
                            p.sponsor_name or "Not recorded",
                        )
                        for p in parties
                    ),
                ),
            ),
        )
    rows = (
        Party.objects.filter(partnership__in=context.partnerships, role=PartyRole.SUPPORTED)
        .order_by()
        .values("organisation__region_name", "partnership__status")
        .annotate(n=Count("partnership_id"))
    )
    by_region: dict[str, dict[str, int]] = {}
    for row in rows:
        region = row["organisation__region_name"] or "Region not recorded"
        by_region.setdefault(region, {})[row["partnership__status"]] = row["n"]
    statuses = list(PartnershipStatus)
    table_rows = tuple(
        (region, *(counts.get(s, 0) for s in statuses), sum(counts.values()))
        for region, counts in sorted(by_region.items())
    )
    totals = tuple(sum(r[i + 1] for r in table_rows) for i in range(len(statuses) + 1))
    active = totals[statuses.index(PartnershipStatus.ACTIVE)] if table_rows else 0
    return reports.SectionContent(
        title="Partnerships",
        headline=f"{totals[-1] if table_rows else 0} partnerships, {active} of them active",
        tables=(
            reports.Table(
                key="partnerships_by_region",
                title="Partnerships by status and the supported trust's region",
                columns=(
                    reports.Column("Region"),
                    *(reports.Column(s.label, numeric=True) for s in statuses),
                    reports.Column("All", numeric=True),
                ),
                rows=(*table_rows, ("All regions", *totals)) if table_rows else (),
                empty_text="No partnerships.",
            ),
        ),
    )


def changes(context: reports.ReportContext) -> list[reports.Change]:
    return [
        reports.history_change(
            "Partnership",
            Partnership.history.filter(id__in=context.partnerships.values("pk")),
            context.period_start,
            context.period_end,
        ),
        reports.history_change(
            "Parties and sponsors",
            Party.history.filter(partnership__in=context.partnerships),
            context.period_start,
            context.period_end,
        ),
    ]


reports.register(
    reports.ReportSection(name="partnerships", build=partnership_section, order=10, changes=changes)
)
