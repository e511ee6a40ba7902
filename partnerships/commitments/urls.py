from django.urls import path

from partnerships.commitments import views

app_name = "commitments"

# Under /partnerships/, as they were when commitments lived in the partnerships app.
urlpatterns = [
    path("<uuid:pk>/commitments/add/", views.commitment_create, name="create"),
    path("<uuid:pk>/deliveries/upload/", views.deliveries_upload, name="upload"),
    path(
        "<uuid:pk>/deliveries/uploads/<uuid:upload_pk>/",
        views.upload_status,
        name="upload-status",
    ),
    path("commitments/<uuid:pk>/", views.commitment_detail, name="detail"),
    path("commitments/<uuid:pk>/edit/", views.commitment_update, name="update"),
    path("commitments/<uuid:pk>/log/", views.delivery_log, name="delivery-log"),
    path("deliveries/<uuid:pk>/edit/", views.delivery_update, name="delivery-update"),
    path("deliveries/<uuid:pk>/delete/", views.delivery_delete, name="delivery-delete"),
]
