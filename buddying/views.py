"""Project-level pages: the sign-in form and error pages."""

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string


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


def sign_out(request):
    """GET shows a confirmation with a button; POST (with the CSRF token) signs out."""
    if request.method == "POST":
        logout(request)
        return redirect("login")
    return render(request, "registration/sign_out.jinja")


def permission_denied(request, exception=None):
    """403: the person may see this but not do it; the page says why."""
    message = str(exception) if exception is not None else ""
    return render(request, "errors/403.jinja", {"message": message}, status=403)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        # API clients get the same JSON shape as DRF's own 404s.
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "errors/404.jinja", status=404)


def server_error(request):
    # Rendered without the request, so no context processor touches the database that may be
    # what failed.
    return HttpResponseServerError(render_to_string("errors/500.jinja"))
