"""A read-only token reads and never writes; a regulator's token is always read-only."""

from knox.models import AuthToken
from rest_framework.permissions import SAFE_METHODS, BasePermission

from buddying.tokens.services import is_read_only
from partnerships import access


class TokenMayWrite(BasePermission):
    message = "This token is read-only: make a token that may write to make changes."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS or not isinstance(request.auth, AuthToken):
            return True
        # A regulator's token reads only, whoever made it (a command, knox, the page).
        return not (is_read_only(request.auth) or access.is_regulator(request.user))
