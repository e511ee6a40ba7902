"""The base model every app's rows build on."""

import uuid

from django.db import models


class VersionedModel(models.Model):
    """A row people edit: ``version`` counts its changes, so an edit made from an older copy is
    refused rather than silently overwriting what someone else saved (``buddying.common.writes``).
    The API sends it as the ``ETag``; forms carry it in a hidden field."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class TimeStampedModel(VersionedModel):
    """A row with a non-guessable public id and the times it was created and last changed.

    ``updated_at`` is what the API's ``updated_since`` filter reads for incremental sync.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True
