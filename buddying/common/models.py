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


SYNC_INDEX_FIELDS = ["updated_at", "id"]


def add_sync_index(model: type[models.Model]) -> None:
    """Give a table the ``(updated_at, id)`` index that the API's cursor pages read in order
    (``buddying.common.pagination``), so every page is one range read whatever its depth."""
    if any(list(index.fields) == SYNC_INDEX_FIELDS for index in model._meta.indexes):
        return
    index = models.Index(fields=SYNC_INDEX_FIELDS)
    index.set_name_with_model(model)
    model._meta.indexes = [*model._meta.indexes, index]
    # Migrations read a model's declared options, so declare it there too.
    model._meta.original_attrs["indexes"] = model._meta.indexes


def _sync_index_for_timestamped(sender, **kwargs) -> None:
    # Every concrete TimeStampedModel is listed by the API, so each gets the index, declared
    # once here rather than in every app's Meta (an abstract Meta's indexes are lost as soon as
    # a model declares its own Meta).
    meta = sender._meta
    if issubclass(sender, TimeStampedModel) and not (meta.abstract or meta.proxy):
        add_sync_index(sender)


models.signals.class_prepared.connect(_sync_index_for_timestamped)
