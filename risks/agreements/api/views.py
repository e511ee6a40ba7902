"""API for agreements and disputes (DESIGN §6): thin, the services decide."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from buddying.common.api import UUID_REGEX, CSVExportMixin, VersionedMixin
from partnerships import selectors as partnership_selectors
from risks import selectors as risk_selectors
from risks.agreements import selectors, services
from risks.agreements.filtersets import AgreementFilterSet, DisputeFilterSet

from .serializers import (
    AgreementDetailSerializer,
    AgreementSerializer,
    AgreementTransitionSerializer,
    AgreementWriteSerializer,
    DisputeSerializer,
    DisputeTransitionSerializer,
    DisputeWriteSerializer,
    SignatureSerializer,
    SignSerializer,
    VerificationSerializer,
)


class _ViewSet(
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


class AgreementViewSet(_ViewSet):
    """Shared-risk agreements of the partnerships the caller may see.

    POST drafts one (``lines`` optional); PATCH changes it only while it is a draft (409 once it
    is put to signature or signed: start a new version). ``sign/`` signs for the caller's
    organisation; ``verify/`` checks every signature's hash against the content now;
    ``transition/`` puts a draft to signature, returns it to draft, or terminates it;
    ``new-version/`` copies it into a new draft. Filters: ``partnership``, ``status``,
    ``updated_since``.
    """

    filterset_class = AgreementFilterSet
    csv_filename = "agreements.csv"
    # The rule asked before the body is read (partnerships.api.permissions); the services then
    # check state (409) and the finer rules (terminating is for executives).
    policy_actions = {
        "partial_update": "change",
        "sign": "sign",
        "transition": "change",
        "new_version": "change",
    }

    def get_queryset(self):
        if self.action == "list":
            queryset = selectors.agreement_list(self.request.user)
        else:
            queryset = selectors.agreement_detail(self.request.user)
        return queryset.order_by("partnership__reference", "number")

    def get_serializer_class(self):
        if self.action in {"create", "partial_update"}:
            return AgreementWriteSerializer
        if self.action == "list":
            return AgreementSerializer
        return AgreementDetailSerializer

    def _read(self, agreement, status_code=status.HTTP_200_OK) -> Response:
        agreement = selectors.agreement_detail(self.request.user).get(pk=agreement.pk)
        return Response(AgreementDetailSerializer(agreement).data, status=status_code)

    def _risks(self):
        return risk_selectors.risks_visible_to(self.request.user)

    @extend_schema(request=AgreementWriteSerializer, responses=AgreementDetailSerializer)
    def create(self, request, *args, **kwargs):
        serializer = AgreementWriteSerializer(
            data=request.data,
            partnerships=partnership_selectors.partnership_list(request.user),
            risks=self._risks(),
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agreement = services.agreement_create(
            partnership=data.pop("partnership"), by=request.user, **data
        )
        return self._read(agreement, status.HTTP_201_CREATED)

    @extend_schema(request=AgreementWriteSerializer, responses=AgreementDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        agreement = self.get_object()
        services.require_draft(agreement)  # 409 before the body is validated
        serializer = AgreementWriteSerializer(data=request.data, partial=True, risks=self._risks())
        serializer.is_valid(raise_exception=True)
        services.agreement_update(
            agreement=agreement,
            by=request.user,
            version=self.if_match_version(),
            **serializer.validated_data,
        )
        return self._read(agreement)

    @extend_schema(request=SignSerializer, responses={201: SignatureSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        agreement = self.get_object()
        serializer = SignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signature = services.agreement_sign(
            agreement=agreement, by=request.user, **serializer.validated_data
        )
        return Response(SignatureSerializer(signature).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=VerificationSerializer)
    @action(detail=True, methods=["get"])
    def verify(self, request, pk=None):
        agreement = self.get_object()
        verification = selectors.verify(agreement)
        data = {
            "agreement": agreement.pk,
            "current_hash": verification.current_hash,
            "all_match": verification.all_match,
            "checks": verification.checks,
            "canonical_content": selectors.canonical_text(
                selectors.agreement_detail(request.user).get(pk=agreement.pk)
            ),
        }
        return Response(VerificationSerializer(data).data)

    @extend_schema(request=AgreementTransitionSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        agreement = self.get_object()
        serializer = AgreementTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        to = serializer.validated_data["to"]
        version = self.if_match_version()
        if to == "awaiting_signatures":
            services.agreement_submit(agreement=agreement, by=request.user, version=version)
        elif to == "draft":
            services.agreement_return_to_draft(
                agreement=agreement, by=request.user, version=version
            )
        else:
            services.agreement_terminate(
                agreement=agreement,
                by=request.user,
                reason=serializer.validated_data["reason"],
                version=version,
            )
        return self._read(agreement)

    @extend_schema(request=None, responses={201: AgreementDetailSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        agreement = self.get_object()
        copy = services.agreement_new_version(agreement=agreement, by=request.user)
        return self._read(copy, status.HTTP_201_CREATED)


class DisputeViewSet(_ViewSet):
    """Disputes about the agreements the caller may see. POST raises one for a party; PATCH
    changes its title, description, risk or mediator; ``transition/`` moves it to mediation or
    resolves it. Filters: ``partnership``, ``agreement``, ``status``, ``updated_since``."""

    filterset_class = DisputeFilterSet
    serializer_class = DisputeSerializer
    csv_filename = "disputes.csv"
    policy_actions = {"partial_update": "change", "transition": "change"}

    def get_queryset(self):
        return selectors.dispute_detail(self.request.user).order_by(
            "-raised_on", "-created_at", "pk"
        )

    def get_serializer_class(self):
        if self.action in {"create", "partial_update"}:
            return DisputeWriteSerializer
        return DisputeSerializer

    def _read(self, dispute, status_code=status.HTTP_200_OK) -> Response:
        dispute = selectors.dispute_list(self.request.user).get(pk=dispute.pk)
        return Response(DisputeSerializer(dispute).data, status=status_code)

    @extend_schema(request=DisputeWriteSerializer, responses=DisputeSerializer)
    def create(self, request, *args, **kwargs):
        serializer = DisputeWriteSerializer(
            data=request.data,
            agreements=selectors.agreement_detail(request.user),
            risks=risk_selectors.risks_visible_to(request.user),
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        dispute = services.dispute_raise(agreement=data.pop("agreement"), by=request.user, **data)
        return self._read(dispute, status.HTTP_201_CREATED)

    @extend_schema(request=DisputeWriteSerializer, responses=DisputeSerializer)
    def partial_update(self, request, *args, **kwargs):
        dispute = self.get_object()
        serializer = DisputeWriteSerializer(
            data=request.data, partial=True, risks=risk_selectors.risks_visible_to(request.user)
        )
        serializer.is_valid(raise_exception=True)
        services.dispute_update(
            dispute=dispute,
            by=request.user,
            version=self.if_match_version(),
            **serializer.validated_data,
        )
        return self._read(dispute)

    @extend_schema(request=DisputeTransitionSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        dispute = self.get_object()
        serializer = DisputeTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.dispute_transition(
            dispute=dispute,
            by=request.user,
            version=self.if_match_version(),
            **serializer.validated_data,
        )
        return self._read(dispute)
