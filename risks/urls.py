from django.urls import path

from risks import views

app_name = "risks"

urlpatterns = [
    path("partnerships/<uuid:pk>/risks/", views.register, name="register"),
    path("partnerships/<uuid:pk>/risks/heat-map/", views.heat_map, name="heat_map"),
    path("partnerships/<uuid:pk>/risks/new/", views.risk_create, name="create"),
    path("partnerships/<uuid:pk>/risks/new/check/", views.risk_create_check, name="create_check"),
    path(
        "partnerships/<uuid:pk>/risks/new/<slug:step>/",
        views.risk_create_step,
        name="create_step",
    ),
    path("partnerships/<uuid:pk>/risk-appetite/", views.comparison, name="comparison"),
    path("risks/<uuid:pk>/", views.risk_detail, name="detail"),
    path("risks/<uuid:pk>/edit/", views.risk_edit, name="edit"),
    path("risks/<uuid:pk>/actions/new/", views.action_create, name="action_create"),
    path("risk-actions/<uuid:pk>/edit/", views.action_edit, name="action_edit"),
    path("organisations/<str:code>/risk-appetite/", views.appetite, name="appetite"),
    path(
        "organisations/<str:code>/risk-appetite/<str:category>/",
        views.appetite_edit,
        name="appetite_edit",
    ),
]
