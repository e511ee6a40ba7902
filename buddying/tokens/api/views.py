"""tokens/: a person's own API tokens (DESIGN §6)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.response import Response

from buddying.common.api import UUID_REGEX
from buddying.tokens import selectors, services
from buddying.tokens.models import TokenDetails
from buddying.tokens.permissions import TokenMayWrite

from .serializers import NewTokenSerializer, TokenCreateSerializer, TokenSerializer


class TokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your API tokens. POST makes one (the key is in that answer only); DELETE revokes one.
    A regulator's tokens are always read-only; an administrator may revoke anyone's."""

    serializer_class = TokenSerializer
    # Anyone signed in manages their own tokens: no organisation role is needed.
    permission_classes = [permissions.IsAuthenticated, TokenMayWrite]
    lookup_value_regex = UUID_REGEX
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built with no one signed in
            return TokenDetails.objects.none()
        return selectors.tokens_of(self.request.user)

    @extend_schema(request=TokenCreateSerializer, responses={201: NewTokenSerializer})
    def create(self, request):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        details, key = services.token_create(user=request.user, **serializer.validated_data)
        details.key = key
        return Response(NewTokenSerializer(details).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        details = get_object_or_404(selectors.tokens_revocable_by(request.user), pk=pk)
        services.token_revoke(details=details, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
