"""API for outcome reviews, learning items and a partnership's value for money (DESIGN §6).

Thin: parse input, ask the selectors, call the services.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from buddying.common.api import UUID_REGEX, CSVExportMixin, VersionedMixin
from partnerships import selectors as partnership_selectors
from partnerships.reviews import selectors, services
from partnerships.reviews.filtersets import LearningFilterSet, ReviewFilterSet

from .serializers import (
    LearningSerializer,
    LearningWriteSerializer,
    ReviewCSVSerializer,
    ReviewDetailSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
    ReviewWriteSerializer,
    ValueForMoneySerializer,
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


class ReviewViewSet(_WritableViewSet):
    """Outcome reviews of the partnerships the caller may see.

    POST adds an interim review (quarterly and final reviews are scheduled when a partnership
    becomes active); PATCH writes one while it is not signed off (``assessments``: a list of
    ``{objective, rag, measured_value, comment}``). ``submit/`` and ``sign-off/`` move it on.
    Filters: ``partnership``, ``status``, ``kind``, ``due_before``, ``updated_since``.
    """

    filterset_class = ReviewFilterSet
    csv_filename = "reviews.csv"

    def get_queryset(self):
        if self.action == "retrieve":
            queryset = selectors.review_detail(self.request.user)
        else:
            queryset = selectors.review_list(self.request.user)
        return queryset.order_by("partnership__reference", "due_date", "kind", "pk")

    def get_serializer_class(self):
        if self.action == "create":
            return ReviewWriteSerializer
        if self.action == "partial_update":
            return ReviewUpdateSerializer
        if self.action == "retrieve":
            return ReviewDetailSerializer
        if self._csv():
            return ReviewCSVSerializer
        return ReviewSerializer

    def _read(self, review, status_code=status.HTTP_200_OK) -> Response:
        review = selectors.review_detail(self.request.user).get(pk=review.pk)
        return Response(ReviewDetailSerializer(review).data, status=status_code)

    @extend_schema(request=ReviewWriteSerializer, responses=ReviewDetailSerializer)
    def create(self, request, *args, **kwargs):
        serializer = ReviewWriteSerializer(
            data=request.data,
            partnerships=partnership_selectors.partnership_list(request.user),
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        review = services.review_create(
            partnership=data.pop("partnership"), by=request.user, **data
        )
        return self._read(review, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewUpdateSerializer, responses=ReviewDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        review = self.get_object()
        serializer = ReviewUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        assessments = {
            str(row.pop("objective")): row for row in [dict(a) for a in data.pop("assessments", [])]
        }
        services.review_update(
            review=review,
            by=request.user,
            version=self.if_match_version(),
            assessments=assessments,
            **data,
        )
        return self._read(review)

    @extend_schema(request=None, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft review for sign-off (``If-Match`` honoured)."""
        review = self.get_object()
        services.review_submit(review=review, by=request.user, version=self.if_match_version())
        return self._read(review)

    @extend_schema(request=None, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        """Sign off a submitted review for your organisation (an executive of the buddy or the
        supported party); when both have, it is signed off and read only."""
        review = self.get_object()
        services.review_sign_off(review=review, by=request.user)
        return self._read(review)


class LearningViewSet(_WritableViewSet):
    """Learning items of the partnerships the caller may see, and every published item (the
    learning library, readable by every member of the service). ``?published=true`` gives the
    library; ``q`` searches it (full text). Filters: ``partnership``, ``direction``, ``theme``,
    ``adopted``, ``published``, ``updated_since``."""

    filterset_class = LearningFilterSet
    serializer_class = LearningSerializer
    csv_filename = "learning.csv"

    def get_queryset(self):
        return selectors.learning_list(self.request.user).order_by("-created_at", "pk")

    def get_serializer_class(self):
        if self.action in {"create", "partial_update"}:
            return LearningWriteSerializer
        return LearningSerializer

    def _read(self, item, status_code=status.HTTP_200_OK) -> Response:
        item = selectors.learning_list(self.request.user).get(pk=item.pk)
        return Response(LearningSerializer(item).data, status=status_code)

    @extend_schema(request=LearningWriteSerializer, responses=LearningSerializer)
    def create(self, request, *args, **kwargs):
        serializer = LearningWriteSerializer(
            data=request.data,
            partnerships=partnership_selectors.partnership_list(request.user),
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        item = services.learning_create(
            partnership=data.pop("partnership"), by=request.user, **data
        )
        return self._read(item, status.HTTP_201_CREATED)

    @extend_schema(request=LearningWriteSerializer, responses=LearningSerializer)
    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = LearningWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.learning_update(
            item=item, by=request.user, version=self.if_match_version(), **serializer.validated_data
        )
        return self._read(item)


class ValueForMoneyViewSet(viewsets.GenericViewSet):
    """A partnership's cost of support beside the equivalent consultancy cost: planned, and as
    its reviews reported to date (``{id}`` is the partnership's id). Read only."""

    serializer_class = ValueForMoneySerializer
    lookup_value_regex = UUID_REGEX
    pagination_class = None

    def get_queryset(self):
        return partnership_selectors.partnership_list(self.request.user)

    def retrieve(self, request, pk=None):
        partnership = get_object_or_404(self.get_queryset(), pk=pk)
        data = {"partnership": partnership, "figures": selectors.value_for_money(partnership)}
        return Response(ValueForMoneySerializer(data).data)
