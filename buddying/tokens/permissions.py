"""A read-only token reads and never writes."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from buddying.tokens.services import is_read_only


class TokenMayWrite(BasePermission):
    message = "This token is read-only: make a token that may write to make changes."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or not is_read_only(request.auth)
