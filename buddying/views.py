"""Project-level pages: the sign-in form and error pages."""

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views import defaults

from buddying.middleware import IDLE, LIMIT, session_ended_reason


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with NHS.UK wording."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].widget = forms.PasswordInput()


class SignInView(auth_views.LoginView):
    """The sign-in page; it says why when the person's last session ran out."""

    template_name = "registration/login.jinja"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reason = session_ended_reason(self.request)
        minutes = settings.SESSION_COOKIE_AGE // 60
        hours = settings.SESSION_MAX_AGE // 3600
        context["session_ended_message"] = {
            IDLE: f"You were signed out because you had not used Buddying for {minutes} minutes.",
            LIMIT: f"You were signed out because you had been signed in for {hours} hours.",
        }.get(reason)
        return context


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in while the account or the address is locked out."""
    return render(
        request,
        "registration/locked_out.jinja",
        {"cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def sign_out(request):
    """GET shows a confirmation with a button; POST (with the CSRF token) signs out."""
    if request.method == "POST":
        logout(request)
        return redirect("login")
    return render(request, "registration/sign_out.jinja")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _api_error(detail: str, status: int) -> JsonResponse:
    """An error under ``/api/``: the same ``{"detail": ...}`` shape as DRF's own errors."""
    return JsonResponse({"detail": detail}, status=status)


def bad_request(request, exception=None):
    """400 that Django raises before a view runs (e.g. a body too large, a bad host)."""
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return _api_error("The request body is too large.", 400)
        return _api_error("Bad request.", 400)
    # Django's plain page: the request may be what is wrong (a bad host), so no layout uses it.
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    """403: the person may see this but not do it; the page says why."""
    message = str(exception) if exception is not None else ""
    if _is_api(request):
        return _api_error(message or "You do not have permission to perform this action.", 403)
    return render(request, "errors/403.jinja", {"message": message}, status=403)


def not_found(request, exception=None):
    if _is_api(request):
        # API clients get the same JSON shape as DRF's own 404s.
        return _api_error("Not found.", 404)
    return render(request, "errors/404.jinja", status=404)


def server_error(request):
    if _is_api(request):
        return _api_error("Sorry, there is a problem with the service. Try again later.", 500)
    # Rendered without the request, so no context processor touches the database that may be
    # what failed.
    # The nonce lets NHS.UK's one-line inline script past the Content Security Policy.
    nonce = str(getattr(request, "csp_nonce", ""))
    return HttpResponseServerError(render_to_string("errors/500.jinja", {"cspNonce": nonce}))


def nhsuk_icon(request, name: str):
    """The NHS.UK frontend's stylesheet asks for its icons (the sortable table's arrows, the
    close cross) at ``/assets/images/…``: they are the package's static files, so send the
    browser there. An icon the package does not have is a 404, never a 500."""
    try:
        return redirect(static(f"nhsuk/assets/images/{name}"))
    except ValueError:  # not in the hashed-name manifest (production)
        raise Http404 from None
