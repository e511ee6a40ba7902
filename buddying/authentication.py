"""API authentication: knox tokens (``Authorization: Token <key>``), stored hashed.

Kept apart from ``buddying.api`` because DRF imports authentication classes while its own views
module is loading; importing ``rest_framework.views`` from here would be circular.
"""

import binascii
from hmac import compare_digest

from django.conf import settings
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.throttling import SimpleRateThrottle


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the address the last of ``NUM_PROXIES`` trusted
    proxies saw (X-Forwarded-For), as DRF's throttles work it out. Used by django-axes too, so
    the sign-in lockout and the API agree on who is asking."""
    xff = request.META.get("HTTP_X_FORWARDED_FOR")
    if settings.NUM_PROXIES and xff:
        addresses = [address.strip() for address in xff.split(",")]
        return addresses[-min(settings.NUM_PROXIES, len(addresses))]
    return request.META.get("REMOTE_ADDR")


class FailedTokenThrottle(SimpleRateThrottle):
    """Counts failed token authentications per address (rate ``failed_token``).

    Not a view throttle: DRF checks throttles only after authentication, so a wrong token would
    answer 401 for ever. ``TokenAuthentication`` asks it before trying a token and tells it of
    each failure.
    """

    scope = "failed_token"

    def get_cache_key(self, request, view=None) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}

    def allow_request(self, request, view=None) -> bool:
        """Whether this address may try a token now; counts nothing."""
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        return len(self.history) < self.num_requests

    def record_failure(self, request) -> None:
        if self.rate is None:
            return
        self.allow_request(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token authentication, refusing a key that is not text with a 401, and an address
    that has sent too many bad tokens with a 429 (with Retry-After) before the token is tried.

    knox decodes the key as UTF-8, so a header with other bytes would otherwise end in a 500.
    """

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        prefix = knox_settings.AUTH_HEADER_PREFIX.encode().lower()
        if not header or header[0].lower() != prefix:
            return None  # no token: another scheme (the session) may apply
        throttle = FailedTokenThrottle()
        if not throttle.allow_request(request):
            raise exceptions.Throttled(wait=throttle.wait())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttle.record_failure(request)
            raise

    def authenticate_credentials(self, token: bytes):
        try:
            key = token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        # knox's loop, reading each candidate with its details (name, read-only, last use) in
        # the same query, so noting the use costs no read and, within a minute, no write.
        from buddying.tokens.services import token_used

        for auth_token in AuthToken.objects.filter(
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).select_related("user", "details"):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(key)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed("Invalid token.") from None
            if compare_digest(digest, auth_token.digest):
                user, auth_token = self.validate_user(auth_token)
                token_used(auth_token)
                return user, auth_token
        raise exceptions.AuthenticationFailed("Invalid token.")


class TokenScheme(KnoxTokenScheme):
    """Documents ``TokenAuthentication`` in the OpenAPI schema as knox's token scheme."""

    target_class = "buddying.authentication.TokenAuthentication"
