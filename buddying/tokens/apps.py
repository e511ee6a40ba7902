from django.apps import AppConfig


class TokensConfig(AppConfig):
    """A person's own API tokens: named, expiring, read-only or not, revocable, last use kept."""

    name = "buddying.tokens"
    label = "tokens"
    verbose_name = "API tokens"
