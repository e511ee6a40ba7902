"""history/ and deleted/: read-only feeds for exact mirrors (DESIGN §6)."""

from django.apps import apps
from django.shortcuts import get_object_or_404
from rest_framework import mixins, viewsets

from buddying.common.api import CSVExportMixin
from buddying.sync import selectors
from buddying.sync.filtersets import ChangeFilterSet, DeletionFilterSet
from buddying.sync.recording import object_type
from partnerships import access

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


# The main resources whose one object's history is read at ``{path}/{id}/history/``: the list's
# path, the model (by label: this app reads the domain apps without importing them), the route's
# name.
OBJECT_HISTORIES = [
    ("partnerships", "partnerships.Partnership", "partnership-history"),
    ("commitments", "commitments.Commitment", "commitment-history"),
    ("secondments", "secondments.Secondment", "secondment-history"),
    ("risks", "risks.Risk", "risk-history"),
    ("risk-actions", "risks.RiskAction", "risk-action-history"),
    ("agreements", "agreements.Agreement", "agreement-history"),
    ("disputes", "agreements.Dispute", "dispute-history"),
    ("reviews", "reviews.OutcomeReview", "review-history"),
    ("learning", "reviews.LearningItem", "learning-history"),
]


class ObjectHistoryViewSet(ChangeViewSet):
    """One object's history: every create and change of it (who, when, each changed field's
    old and new value), oldest first — ``history/?type=…&object_id=…`` for one object the caller
    may see (404 otherwise). A deleted object's history stays in ``history/``."""

    model_label = ""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return super().get_queryset().none()
        model = apps.get_model(self.model_label)
        found = get_object_or_404(access.visible(model, self.request.user), pk=self.kwargs["pk"])
        return (
            super().get_queryset().filter(object_type=object_type(model), object_id=str(found.pk))
        )
