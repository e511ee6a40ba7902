"""The shared-risk agreements' section of the summary reports: agreements by status and disputes
not yet resolved, as database aggregates over the partnerships in scope."""

from django.db.models import Count

from buddying.common import reports
from risks.agreements.choices import AgreementStatus, DisputeStatus
from risks.agreements.models import Agreement, Dispute


def agreement_section(context: reports.ReportContext) -> reports.SectionContent:
    agreements = dict(
        Agreement.objects.filter(partnership__in=context.partnerships)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    disputes = dict(
        Dispute.objects.filter(agreement__partnership__in=context.partnerships)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    unresolved = disputes.get(DisputeStatus.OPEN, 0) + disputes.get(DisputeStatus.IN_MEDIATION, 0)
    in_force = agreements.get(AgreementStatus.IN_FORCE, 0)
    return reports.SectionContent(
        title="Shared-risk agreements and disputes",
        headline=f"{in_force} agreements in force, {unresolved} disputes not resolved",
        tables=(
            reports.Table(
                key="agreements",
                title="Agreements by status",
                columns=(reports.Column("Status"), reports.Column("Agreements", numeric=True)),
                rows=tuple((s.label, agreements.get(s, 0)) for s in AgreementStatus),
            ),
            reports.Table(
                key="disputes",
                title="Disputes by status",
                columns=(reports.Column("Status"), reports.Column("Disputes", numeric=True)),
                rows=tuple((s.label, disputes.get(s, 0)) for s in DisputeStatus),
            ),
        ),
    )


def changes(context: reports.ReportContext) -> list[reports.Change]:
    return [
        reports.history_change(
            "Agreements",
            Agreement.history.filter(partnership__in=context.partnerships),
            context.period_start,
            context.period_end,
        ),
        reports.history_change(
            "Disputes",
            Dispute.history.filter(agreement__partnership__in=context.partnerships),
            context.period_start,
            context.period_end,
        ),
    ]


reports.register(
    reports.ReportSection(name="agreements", build=agreement_section, order=60, changes=changes)
)
