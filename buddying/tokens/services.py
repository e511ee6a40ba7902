"""Every write to tokens: make one (the key is returned once), revoke one, note its use."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from knox.models import AuthToken

from buddying.tokens.models import TokenDetails
from partnerships import access

MAX_DAYS = 365
# Last use is written at most this often per token, so reading the API writes almost nothing.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def token_create(
    *, user, name: str = "", days: int | None = None, read_only: bool = False
) -> tuple[TokenDetails, str]:
    """Make a token for ``user``: returns its details and the key, which is never shown again.

    A regulator's token is always read-only (a regulator writes nothing). It expires after
    ``days`` (1 to 365; the default ``API_TOKEN_DEFAULT_DAYS``).
    """
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": [f"Enter a number of days from 1 to {MAX_DAYS}."]})
    name = (name or "").strip() or "API token"
    if len(name) > 100:
        raise ValidationError({"name": ["Enter a name of 100 characters or fewer."]})
    if not user.is_active:
        raise ValidationError(f"{user.get_username()} is not an active user.")
    if access.is_regulator(user):
        read_only = True
    token, key = AuthToken.objects.create(user, expiry=timedelta(days=days))
    details = TokenDetails.objects.create(token=token, name=name, read_only=read_only)
    return details, key


@transaction.atomic
def token_revoke(*, details: TokenDetails, by) -> None:
    """Revoke a token at once: its owner or an administrator may."""
    if details.token.user_id != by.pk and not by.is_superuser:
        raise PermissionDenied("You can revoke only your own tokens.")
    details.token.delete()


def token_used(token: AuthToken) -> None:
    """Note that ``token`` was just used, writing only when the last note is a minute old.

    The details come with the token from authentication (one query), so a token used often
    costs no write at all until a minute has passed."""
    now = timezone.now()
    try:
        details = token.details
    except TokenDetails.DoesNotExist:
        # A token made before names existed (by knox alone): give it its details now.
        # One statement, no savepoint: a concurrent first use simply finds it made.
        TokenDetails.objects.bulk_create(
            [TokenDetails(token=token, name="API token", last_used_at=now)],
            ignore_conflicts=True,
        )
        return
    if details.last_used_at and now - details.last_used_at < LAST_USED_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    TokenDetails.objects.filter(stale, pk=details.pk).update(last_used_at=now)
    details.last_used_at = now


def is_read_only(token) -> bool:
    """Whether a token may only read (a session, which is no token, may write)."""
    try:
        return token.details.read_only
    except (AttributeError, TokenDetails.DoesNotExist):
        return False
