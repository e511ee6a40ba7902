from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The home pages (executive, programme manager, regulator); no models."""

    name = "buddying.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
