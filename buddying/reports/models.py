"""A report someone asked for, or the schedule made: what it covers, how its building went, and
the files it produced (stored with Django's default storage, under MEDIA_ROOT)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from buddying.common.models import TimeStampedModel
from buddying.reports.choices import ReportKind, ReportStatus
from partnerships.models import Organisation, Partnership


def _upload_to(instance, filename: str) -> str:
    return f"reports/{instance.pk}/{filename}"


class ReportRequest(TimeStampedModel):
    """One summary report, or one queued export of an API list: its kind and scope (a partnership, an organisation or the whole system),
    its period, who asked (nobody for a scheduled one) and its status.

    The status changes only in ``buddying.reports.services`` (a conditional UPDATE claims it, so
    a task delivered twice builds once at a time). Who may read it is decided by the access
    policy over its scope (``buddying.reports.selectors``), never by who asked.
    """

    kind = models.CharField(max_length=30, choices=ReportKind.choices)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period_start = models.DateField("start of the period")
    period_end = models.DateField("end of the period")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # A scheduled report's key (kind, scope, period), so the schedule makes each report once.
    schedule_key = models.CharField(max_length=100, unique=True, null=True, editable=False)
    status = models.CharField(
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.QUEUED,
        editable=False,
        db_index=True,
    )
    failure_reason = models.TextField(blank=True, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    title = models.CharField(max_length=300, blank=True, editable=False)
    html_file = models.FileField(upload_to=_upload_to, blank=True, editable=False)
    body_file = models.FileField(upload_to=_upload_to, blank=True, editable=False)
    pdf_file = models.FileField(upload_to=_upload_to, blank=True, editable=False)
    xlsx_file = models.FileField(upload_to=_upload_to, blank=True, editable=False)
    csv_file = models.FileField(upload_to=_upload_to, blank=True, editable=False)
    # An export (kind "export"): the API list it is of (its path under /api/v1/, e.g.
    # "deliveries"), the filters it was asked with (the list's query parameters), and how many
    # rows its file has once built. Its period is the day it was asked for.
    export_list = models.CharField(max_length=50, blank=True, editable=False)
    export_filters = models.JSONField(default=dict, blank=True, editable=False)
    row_count = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # The requester's memberships when the file was built (``access.memberships_key``): they read
    # it while theirs are the same, so a file never outlives the access it was built with.
    access_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "report"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=ReportKind.PARTNERSHIP_WEEKLY,
                        partnership__isnull=False,
                        organisation__isnull=True,
                    )
                    | Q(
                        kind=ReportKind.ORGANISATION_MONTHLY,
                        partnership__isnull=True,
                        organisation__isnull=False,
                    )
                    | Q(
                        kind__in=[ReportKind.SYSTEM_MONTHLY, ReportKind.EXPORT],
                        partnership__isnull=True,
                        organisation__isnull=True,
                    )
                ),
                name="report_scope_matches_kind",
                violation_error_message="Choose the partnership or organisation the report is about.",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="report_period_end_on_or_after_start",
                violation_error_message="The end of the period must be on or after its start.",
            ),
        ]
        indexes = [models.Index(fields=["kind", "-created_at"], name="report_kind_created")]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.period_start}–{self.period_end}"

    def file_for(self, fmt: str):
        return getattr(self, f"{fmt}_file")

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)
