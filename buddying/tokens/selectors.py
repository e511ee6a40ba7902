"""Reads of tokens: a person sees only their own."""

from django.db.models import QuerySet

from buddying.tokens.models import TokenDetails


def tokens_of(user) -> QuerySet[TokenDetails]:
    """A person's own tokens (unexpired), newest first."""
    return (
        TokenDetails.objects.filter(token__user=user)
        .select_related("token")
        .order_by("-token__created", "id")
    )


def tokens_revocable_by(user) -> QuerySet[TokenDetails]:
    """Their own tokens; every token for an administrator."""
    if user.is_superuser:
        return TokenDetails.objects.select_related("token")
    return tokens_of(user)
