"""Session limits and the response headers that Django's SecurityMiddleware does not set."""

import time

from django.conf import settings
from django.contrib.auth import logout, user_logged_in
from django.dispatch import receiver
from django.utils.cache import add_never_cache_headers

SIGNED_IN_AT = "buddying_signed_in_at"
SESSION_ENDED = "buddying_session_ended"
# Says only "this browser was signed in": when it comes back without a session, the session ran
# out (the browser drops an idle session's cookie, so the server cannot tell otherwise).
SIGNED_IN_COOKIE = "buddying_signed_in"
IDLE, LIMIT = "idle", "limit"


@receiver(user_logged_in)
def _note_sign_in_time(sender, request, user, **kwargs):
    # On every sign-in, including force_login in tests: the 12 hours count from here.
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()


class SessionLimitMiddleware:
    """Ends a session ``SESSION_MAX_AGE`` seconds after signing in, however active it has been.

    The idle limit is Django's own: ``SESSION_COOKIE_AGE`` renewed on every request
    (``SESSION_SAVE_EVERY_REQUEST``). Either way, the next page's sign-in form says why
    (``session_ended_reason``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ended = None
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None:
                request.session[SIGNED_IN_AT] = time.time()
            elif time.time() - signed_in_at > settings.SESSION_MAX_AGE:
                logout(request)
                ended = LIMIT
        elif request.COOKIES.get(SIGNED_IN_COOKIE) and not request.path.startswith("/api/"):
            ended = IDLE
        if ended:
            request.session[SESSION_ENDED] = ended

        response = self.get_response(request)

        if request.user.is_authenticated:
            if not request.COOKIES.get(SIGNED_IN_COOKIE):
                response.set_cookie(
                    SIGNED_IN_COOKIE,
                    "1",
                    max_age=settings.SESSION_MAX_AGE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        elif request.COOKIES.get(SIGNED_IN_COOKIE) and not request.path.startswith("/api/"):
            # Signed out, or the session ended and the reason is now in the session.
            response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
        return response


def session_ended_reason(request) -> str | None:
    """Why the person's last session ended (``IDLE`` or ``LIMIT``), once; else ``None``."""
    return request.session.pop(SESSION_ENDED, None)


class SecurityHeadersMiddleware:
    """Adds ``Permissions-Policy`` to every response, and ``Cache-Control: no-store`` to API
    responses and to every response for a signed-in person, so partnership data is not kept in
    shared or browser caches. Static files (served before this runs) and ``/healthz`` are left
    alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.path == "/healthz":
            return response
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
