from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Summary reports: requests, their building task, the renderers (HTML, PDF, XLSX, CSV)."""

    name = "buddying.reports"
    label = "reports"
    verbose_name = "Summary reports"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app's report.py registers its sections (buddying.common.reports).
        autodiscover_modules("report")
