from django.apps import AppConfig


class BuddyingConfig(AppConfig):
    name = "buddying"
    verbose_name = "Buddying"

    def ready(self):
        # Registers the toolkit's drf-spectacular extensions (they must be imported to count).
        from buddying.common import schema  # noqa: F401
