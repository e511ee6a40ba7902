"""Issue an API token for a person. Prints the token and nothing else: it is shown only once."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken

MAX_DAYS = 3650  # ten years: a token should not outlive the people who use it


class Command(BaseCommand):
    help = (
        "Issue an API token (stored hashed; printed once). Use it as 'Authorization: Token <key>'."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Days until it expires (default {settings.API_TOKEN_DEFAULT_DAYS})",
        )

    def handle(self, *args, username: str, days: int | None, **options):
        days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}.")
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user called {username}.") from None
        if not user.is_active:
            raise CommandError(f"{username} is not an active user.")
        _, token = AuthToken.objects.create(user, expiry=timedelta(days=days))
        self.stdout.write(token)
