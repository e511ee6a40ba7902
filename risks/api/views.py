"""API views: thin. They parse input, ask the selectors and call the services."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from buddying.common.api import UUID_REGEX, CSVExportMixin, VersionedMixin
from partnerships import selectors as partnership_selectors
from partnerships.access import organisations_related_to
from risks import matrix, selectors, services
from risks.filtersets import RiskActionFilterSet, RiskAppetiteFilterSet, RiskFilterSet

from .serializers import (
    ActionCreateSerializer,
    ActionCSVSerializer,
    ActionSerializer,
    ActionWriteSerializer,
    ComparisonSerializer,
    RiskAppetiteSerializer,
    RiskAppetiteWriteSerializer,
    RiskCreateSerializer,
    RiskCSVSerializer,
    RiskDetailSerializer,
    RiskSerializer,
    RiskWriteSerializer,
)


class _WritableViewSet(
    VersionedMixin,
    CSVExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = UUID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _csv(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return getattr(renderer, "format", None) == "csv"


class RiskViewSet(_WritableViewSet):
    """Risks of the partnerships the caller may see. POST adds one; PATCH changes it.

    Filters: ``partnership``, ``category``, ``band``, ``status``, ``owner``,
    ``owner_organisation``, ``outside_appetite``, ``updated_since``; ``sort`` orders the list.
    """

    filterset_class = RiskFilterSet
    csv_filename = "risks.csv"
    # Streaming reads one row at a time, so the per-page ``outside_appetite_for`` is left out.
    csv_fields = [name for name in RiskSerializer.Meta.fields if name != "outside_appetite_for"]
    # What RiskCSVSerializer writes, read from plain rows (buddying.common.api.CSVExportMixin).
    csv_lookups = {
        "owner": ("owner__username", str),
        "inherent_band": ("inherent_score", matrix.band_for),
        "target_band": ("target_score", matrix.band_for),
    }

    def get_queryset(self):
        if self.action == "retrieve":
            queryset = selectors.risk_detail(self.request.user)
        else:
            queryset = selectors.risk_list(self.request.user)
        return queryset.order_by("partnership__reference", "number")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return RiskDetailSerializer
        if self.action in {"create", "partial_update"}:
            return RiskWriteSerializer
        if self._csv():
            return RiskCSVSerializer
        return RiskSerializer

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            selectors.attach_outside_appetite(page)
        return page

    def _read(self, risk, status_code=status.HTTP_200_OK) -> Response:
        risk = selectors.risk_detail(self.request.user).get(pk=risk.pk)
        selectors.attach_outside_appetite([risk])
        return Response(RiskDetailSerializer(risk).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self._read(self.get_object())

    @extend_schema(request=RiskCreateSerializer, responses=RiskDetailSerializer)
    def create(self, request, *args, **kwargs):
        serializer = RiskWriteSerializer(
            data=request.data,
            context=self.get_serializer_context(),
            partnerships=partnership_selectors.partnership_list(request.user),
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        risk = services.risk_create(partnership=data.pop("partnership"), by=request.user, **data)
        return self._read(risk, status.HTTP_201_CREATED)

    @extend_schema(request=RiskWriteSerializer, responses=RiskDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        risk = self.get_object()
        serializer = RiskWriteSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        services.risk_update(
            risk=risk, by=request.user, version=self.if_match_version(), **serializer.validated_data
        )
        return self._read(risk)


class RiskActionViewSet(_WritableViewSet):
    """Actions on the risks the caller may see. Filters: ``risk``, ``partnership``, ``status``,
    ``owner``, ``overdue``, ``updated_since``."""

    filterset_class = RiskActionFilterSet
    serializer_class = ActionSerializer
    csv_filename = "risk-actions.csv"
    csv_lookups = {"owner": ("owner__username", str)}  # as ActionCSVSerializer writes it

    def get_queryset(self):
        return selectors.action_list(self.request.user).order_by("due_date", "created_at", "pk")

    def get_serializer_class(self):
        if self.action in {"create", "partial_update"}:
            return ActionWriteSerializer
        if self._csv():
            return ActionCSVSerializer
        return ActionSerializer

    def _read(self, action, status_code=status.HTTP_200_OK) -> Response:
        action = selectors.action_list(self.request.user).get(pk=action.pk)
        return Response(ActionSerializer(action).data, status=status_code)

    @extend_schema(request=ActionCreateSerializer, responses=ActionSerializer)
    def create(self, request, *args, **kwargs):
        serializer = ActionWriteSerializer(
            data=request.data,
            context=self.get_serializer_context(),
            risks=selectors.risks_visible_to(request.user).select_related("partnership"),
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        action = services.action_create(risk=data.pop("risk"), by=request.user, **data)
        return self._read(action, status.HTTP_201_CREATED)

    @extend_schema(request=ActionWriteSerializer, responses=ActionSerializer)
    def partial_update(self, request, *args, **kwargs):
        action = self.get_object()
        serializer = ActionWriteSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        services.action_update(
            action=action,
            by=request.user,
            version=self.if_match_version(),
            **serializer.validated_data,
        )
        return self._read(action)


class RiskAppetiteViewSet(
    VersionedMixin,
    CSVExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Every organisation's risk appetite (readable by any member of the service).

    POST sets an organisation's appetite for a category (creating or replacing it); only an
    executive of that organisation may. Filters: ``organisation``, ``category``, ``level``,
    ``updated_since``.
    """

    filterset_class = RiskAppetiteFilterSet
    serializer_class = RiskAppetiteSerializer
    lookup_value_regex = UUID_REGEX
    csv_filename = "risk-appetites.csv"

    def get_queryset(self):
        return selectors.appetites_visible_to(self.request.user).order_by(
            "organisation_id", "category"
        )

    def get_serializer_class(self):
        if self.action == "create":
            return RiskAppetiteWriteSerializer
        return RiskAppetiteSerializer

    @extend_schema(
        request=RiskAppetiteWriteSerializer,
        # 201 when the appetite is new, 200 when it replaces the organisation's previous one.
        responses={200: RiskAppetiteSerializer, 201: RiskAppetiteSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = RiskAppetiteWriteSerializer(data=request.data)
        serializer.fields["organisation"].queryset = organisations_related_to(request.user)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        appetite, created = services.risk_appetite_set(
            organisation=data.pop("organisation"),
            category=data.pop("category"),
            by=request.user,
            version=self.if_match_version(),
            **data,
        )
        return Response(
            RiskAppetiteSerializer(appetite).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AppetiteComparisonViewSet(viewsets.GenericViewSet):
    """The parties' appetites side by side for one partnership (``{id}`` is the partnership's id):
    divergent categories and the 25 highest-scoring risks outside any party's appetite, with the
    count of all of them and the link that lists them all (``risks/?outside_appetite=true``),
    as the comparison page shows. Read only; the same queries whatever the number of risks."""

    serializer_class = ComparisonSerializer
    lookup_value_regex = UUID_REGEX
    pagination_class = None

    def get_queryset(self):
        return partnership_selectors.partnership_list(self.request.user)

    def retrieve(self, request, pk=None):
        partnership = get_object_or_404(self.get_queryset(), pk=pk)
        comparison = selectors.appetite_comparison(
            request.user, partnership, limit=selectors.COMPARISON_RISKS
        )
        return Response(ComparisonSerializer(comparison, context={"request": request}).data)
