from django.urls import path

from partnerships.secondments import views

app_name = "secondments"

urlpatterns = [
    path("partnerships/<uuid:pk>/secondments/", views.secondment_list, name="list"),
    path("partnerships/<uuid:pk>/secondments/add/", views.secondment_create, name="create"),
    path("partnerships/<uuid:pk>/secondments/development/", views.development, name="development"),
    path("secondments/<uuid:pk>/", views.secondment_detail, name="detail"),
    path("secondments/<uuid:pk>/edit/", views.secondment_update, name="update"),
    path("secondments/<uuid:pk>/end/", views.secondment_end, name="end"),
    path("secondments/<uuid:pk>/cancel/", views.secondment_cancel, name="cancel"),
    path("organisations/<str:code>/capacity/", views.capacity, name="capacity"),
    path(
        "organisations/<str:code>/capacity/raise-risk/",
        views.capacity_raise_risk,
        name="capacity-raise-risk",
    ),
    path(
        "organisations/<str:code>/capacity/settings/",
        views.capacity_settings,
        name="capacity-settings",
    ),
]
