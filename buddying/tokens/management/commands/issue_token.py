"""Issue an API token for a person. Prints the token and nothing else: it is shown only once."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from buddying.tokens.services import MAX_DAYS, token_create


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
            help=f"Days until it expires, 1 to {MAX_DAYS} "
            f"(default {settings.API_TOKEN_DEFAULT_DAYS})",
        )
        parser.add_argument("--name", default="Issued by command", help="What the token is for")
        parser.add_argument(
            "--read-only", action="store_true", help="A token that reads and never writes"
        )

    def handle(self, *args, username: str, days: int | None, name: str, read_only, **options):
        days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}.")
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user called {username}.") from None
        if not user.is_active:
            raise CommandError(f"{username} is not an active user.")
        try:
            _, key = token_create(user=user, name=name, days=days, read_only=read_only)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(key)
