from django.contrib import admin
from django.urls import include, path, re_path
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


# Swagger UI inside the service's layout (header, breadcrumbs back to the service): its start-up
# script is served as a file by the split view, so the page needs no inline script or style.
api_docs = SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/docs.jinja")

urlpatterns = [
    path("", include("buddying.dashboard.urls")),
    path("healthz", healthz, name="healthz"),
    re_path(
        r"^assets/images/(?P<name>nhsuk-icon-[a-z-]+\.svg)$", views.nhsuk_icon, name="nhsuk-icon"
    ),
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
