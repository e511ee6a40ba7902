from django.urls import path

from buddying.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report_list, name="list"),
    path("reports/request/", views.report_create, name="create"),
    path("reports/<uuid:pk>/", views.report_detail, name="detail"),
    path("reports/<uuid:pk>/download/<str:fmt>/", views.report_download, name="download"),
]
