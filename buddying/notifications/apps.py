from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Reminders, daily digests and in-app notifications (DESIGN §4).

    A composition app: it reads every domain app's ``reminders.py`` and no domain app imports it.
    """

    name = "buddying.notifications"
    label = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from buddying.notifications import registry

        registry.autodiscover()
