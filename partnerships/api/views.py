"""API views: thin. They parse input, ask the selectors and call the services."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from buddying.common.api import UUID_REGEX, CSVExportMixin, VersionedMixin
from partnerships import selectors, services
from partnerships.access import organisations_visible_to
from partnerships.filtersets import OrganisationFilterSet, PartnershipFilterSet

from .serializers import (
    OrganisationSerializer,
    PartnershipListSerializer,
    PartnershipSerializer,
    PartnershipUpdateSerializer,
    PartnershipWriteSerializer,
    TransitionSerializer,
)


class OrganisationViewSet(CSVExportMixin, viewsets.ReadOnlyModelViewSet):
    """NHS organisations, keyed by ODS code."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    lookup_field = "ods_code"
    lookup_value_regex = "[A-Za-z0-9]+"
    csv_filename = "organisations.csv"

    def get_queryset(self):
        return organisations_visible_to(self.request.user).order_by("ods_code")

    def get_object(self):
        # ODS codes are capitals; accept "rrk" for "RRK" as the filters do.
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()


class PartnershipViewSet(
    VersionedMixin,
    CSVExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Partnerships the caller may see. POST proposes one; PATCH changes its details."""

    filterset_class = PartnershipFilterSet
    lookup_value_regex = UUID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]
    csv_filename = "partnerships.csv"
    policy_actions = {"partial_update": "change", "transition": "transition", "approve": "approve"}

    def get_queryset(self):
        if self.action == "list":
            queryset = selectors.partnership_list(self.request.user)
        else:
            queryset = self._detail()
        return queryset.order_by("-created_at", "reference")

    def _detail(self):
        """Visible partnerships as one is read in the API: with each objective's measurements."""
        return selectors.partnership_detail(self.request.user).prefetch_related(
            "objectives__measurements"
        )

    def get_serializer_class(self):
        if self.action == "list":
            return PartnershipListSerializer
        if self.action == "create":
            return PartnershipWriteSerializer
        if self.action == "partial_update":
            return PartnershipUpdateSerializer
        if self.action == "transition":
            return TransitionSerializer
        return PartnershipSerializer

    def _read(self, partnership, status_code=status.HTTP_200_OK) -> Response:
        partnership = self._detail().get(pk=partnership.pk)
        return Response(PartnershipSerializer(partnership).data, status=status_code)

    @extend_schema(request=PartnershipWriteSerializer, responses=PartnershipSerializer)
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        objectives = data.pop("objectives", [])
        parties = {
            "buddy": data.pop("buddy_sponsor", {}),
            "supported": data.pop("supported_sponsor", {}),
        }
        with transaction.atomic():
            partnership = services.partnership_create(
                by=request.user,
                buddy=data.pop("buddy"),
                supported=data.pop("supported"),
                parties=parties,
                **data,
            )
            for objective in objectives:
                services.objective_save(partnership=partnership, by=request.user, **objective)
        return self._read(partnership, status.HTTP_201_CREATED)

    @extend_schema(request=PartnershipUpdateSerializer, responses=PartnershipSerializer)
    def partial_update(self, request, *args, **kwargs):
        partnership = self.get_object()
        serializer = self.get_serializer(partnership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.partnership_update(
            partnership=partnership,
            by=request.user,
            version=self.if_match_version(),
            **serializer.validated_data,
        )
        return self._read(partnership)

    @extend_schema(request=TransitionSerializer, responses=PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the partnership on: ``{"to": "active"}``; closing needs ``outcome`` and ``reason``."""
        partnership = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.partnership_transition(
            partnership=partnership, by=request.user, **serializer.validated_data
        )
        return self._read(partnership)

    @extend_schema(request=None, responses=PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """An executive of the buddy or supported party approves; both approvals agree it."""
        partnership = self.get_object()
        services.partnership_approve(partnership=partnership, by=request.user)
        return self._read(partnership)
