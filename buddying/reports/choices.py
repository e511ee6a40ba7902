"""The choices of report requests."""

from django.db import models

from buddying.common import reports


class ReportKind(models.TextChoices):
    PARTNERSHIP_WEEKLY = reports.PARTNERSHIP_WEEKLY, "Weekly partnership summary"
    ORGANISATION_MONTHLY = reports.ORGANISATION_MONTHLY, "Monthly portfolio of an organisation"
    SYSTEM_MONTHLY = reports.SYSTEM_MONTHLY, "Monthly system-wide summary"
    # A CSV of one API list with its filters, for the person who asked (too long for a request).
    EXPORT = "export", "Export of an API list (CSV)"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportFormat(models.TextChoices):
    HTML = "html", "Web page (HTML)"
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Spreadsheet (XLSX)"
    CSV = "csv", "CSV"
