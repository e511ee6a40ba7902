"""API authentication: knox tokens (``Authorization: Token <key>``), stored hashed.

Kept apart from ``buddying.api`` because DRF imports authentication classes while its own views
module is loading; importing ``rest_framework.views`` from here would be circular.
"""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token authentication, refusing a key that is not text with a 401.

    knox decodes the key as UTF-8, so a header with other bytes would otherwise end in a 500.
    """

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """Documents ``TokenAuthentication`` in the OpenAPI schema as knox's token scheme."""

    target_class = "buddying.authentication.TokenAuthentication"
