from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from buddying import views
from buddying.health import healthz

api_patterns = [
    path("", include("partnerships.api.urls")),
    path("", include("risks.api.urls")),
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", healthz, name="healthz"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("partnerships/", include("partnerships.urls")),
    path("", include("risks.urls")),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler403 = "buddying.views.permission_denied"
handler404 = "buddying.views.not_found"
handler500 = "buddying.views.server_error"
