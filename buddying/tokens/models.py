"""What Buddying keeps about each API token beside knox's hashed key."""

import uuid

from django.db import models
from knox.models import AuthToken


class TokenDetails(models.Model):
    """A token's name, whether it may only read, and when it was last used.

    The key itself is knox's: stored as a hash (``AuthToken.digest``) with its first characters in
    clear to find it; it is shown once, when made. Revoking deletes the knox token and this row.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token = models.OneToOneField(AuthToken, on_delete=models.CASCADE, related_name="details")
    name = models.CharField(max_length=100)
    read_only = models.BooleanField(
        default=False, help_text="A read-only token is refused (403) on every write."
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return self.name
