"""Revoke a person's API tokens: all of them, or the one whose key starts with a prefix."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken
from knox.settings import CONSTANTS


class Command(BaseCommand):
    help = "Revoke (delete) API tokens of a user: --all, or --token-prefix with the token's start."

    def add_arguments(self, parser):
        parser.add_argument("username")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Revoke every token of the user")
        which.add_argument(
            "--token-prefix",
            help="Revoke the tokens that start with this (at least 4 characters of the token)",
        )

    def handle(self, *args, username: str, token_prefix: str | None, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user called {username}.") from None
        tokens = AuthToken.objects.filter(user=user)
        if token_prefix is not None:
            token_prefix = token_prefix.strip()
            if len(token_prefix) < 4:
                raise CommandError("Give at least the first 4 characters of the token.")
            # Only the first characters of a token are stored in clear (the rest is hashed).
            tokens = tokens.filter(token_key__startswith=token_prefix[: CONSTANTS.TOKEN_KEY_LENGTH])
        count = tokens.delete()[1].get(AuthToken._meta.label, 0)
        self.stdout.write(f"Revoked {count} token{'' if count == 1 else 's'} of {username}.")
