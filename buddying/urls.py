import base64
import hashlib
import re

from csp.decorators import csp_update
from django.contrib import admin
from django.template.loader import get_template
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from buddying import views
from buddying.health import healthz

api_patterns = [
    path("", include("partnerships.api.urls")),
    path("", include("partnerships.commitments.api.urls")),
    path("", include("partnerships.secondments.api.urls")),
    path("", include("risks.api.urls")),
    path("", include("risks.agreements.api.urls")),
    path("", include("partnerships.reviews.api.urls")),
    path("", include("buddying.sync.api.urls")),
    path("", include("buddying.tokens.api.urls")),
    path("", include("buddying.reports.api.urls")),
]


def _inline_style_hashes(template_name: str) -> list[str]:
    """CSP hashes of the <style> blocks in a (Django-language) template that has no variables
    inside them, so the policy allows exactly those styles and no other inline style."""
    source = get_template(template_name).template.source
    return [
        "'sha256-{}'".format(
            base64.b64encode(hashlib.sha256(style.encode()).digest()).decode("ascii")
        )
        for style in re.findall(r"<style>(.*?)</style>", source, re.DOTALL)
    ]


# Swagger UI: its start-up script is served as a file by the split view; drf-spectacular's page
# keeps a small inline <style>, allowed by its hash on this view alone.
api_docs = csp_update({"style-src": _inline_style_hashes("drf_spectacular/swagger_ui.html")})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)

urlpatterns = [
    path("", include("buddying.dashboard.urls")),
    path("healthz", healthz, name="healthz"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("partnerships/", include("partnerships.urls")),
    path("partnerships/", include("partnerships.commitments.urls")),
    path("", include("partnerships.secondments.urls")),
    path("", include("risks.urls")),
    path("", include("risks.agreements.urls")),
    path("", include("partnerships.reviews.urls")),
    path("", include("buddying.tokens.urls")),
    path("", include("buddying.reports.urls")),
    path("notifications/", include("buddying.notifications.urls")),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "buddying.views.bad_request"
handler403 = "buddying.views.permission_denied"
handler404 = "buddying.views.not_found"
handler500 = "buddying.views.server_error"
