"""history/ and deleted/: read-only feeds for exact mirrors (DESIGN §6)."""

from rest_framework import mixins, viewsets

from buddying.common.api import CSVExportMixin
from buddying.sync import selectors
from buddying.sync.filtersets import ChangeFilterSet, DeletionFilterSet

from .serializers import ChangeSerializer, DeletionSerializer


class ChangeViewSet(CSVExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every create, change and delete the caller may see: the object's type and id, its
    partnership, who, when, and each changed field's old and new value. Filters: ``type``,
    ``partnership``, ``organisation`` (the ODS code of the person's organisation),
    ``object_id``, ``action``, ``updated_since``. Read with ``?cursor=`` to follow it."""

    serializer_class = ChangeSerializer
    filterset_class = ChangeFilterSet
    csv_filename = "history.csv"

    def get_queryset(self):
        return selectors.changes_visible_to(self.request.user).order_by("updated_at", "id")


class DeletionViewSet(CSVExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every deletion the caller may see (type, id, when, by whom), so a mirror can drop what
    the product no longer has. Filters: ``type``, ``updated_since``. Kept for good."""

    serializer_class = DeletionSerializer
    filterset_class = DeletionFilterSet
    csv_filename = "deleted.csv"

    def get_queryset(self):
        return selectors.deletions_visible_to(self.request.user).order_by("updated_at", "id")
