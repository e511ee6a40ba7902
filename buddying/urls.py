from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from buddying import views
from buddying.health import healthz

api_patterns = [
    path("", include("partnerships.api.urls")),
    path("", include("partnerships.commitments.api.urls")),
    path("", include("risks.api.urls")),
]

urlpatterns = [
    path("", include("buddying.dashboard.urls")),
    path("healthz", healthz, name="healthz"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="registration/login.jinja",
            authentication_form=views.SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("sign-out/", views.sign_out, name="logout"),
    path("partnerships/", include("partnerships.urls")),
    path("partnerships/", include("partnerships.commitments.urls")),
    path("", include("risks.urls")),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler403 = "buddying.views.permission_denied"
handler404 = "buddying.views.not_found"
handler500 = "buddying.views.server_error"
