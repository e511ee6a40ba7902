from django.apps import AppConfig


class BuddyingConfig(AppConfig):
    name = "buddying"
    verbose_name = "Buddying"
