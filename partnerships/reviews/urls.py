from django.urls import path

from partnerships.reviews import views

app_name = "reviews"

urlpatterns = [
    path("partnerships/<uuid:pk>/reviews/add/", views.review_create, name="create"),
    path("reviews/<uuid:pk>/", views.review_detail, name="detail"),
    path("reviews/<uuid:pk>/edit/", views.review_edit, name="edit"),
    path("reviews/<uuid:pk>/submit/", views.review_submit, name="submit"),
    path("reviews/<uuid:pk>/sign-off/", views.review_sign_off, name="sign-off"),
    path("partnerships/<uuid:pk>/learning/add/", views.learning_create, name="learning-create"),
    path("learning/library/", views.library, name="library"),
    path("learning/<uuid:pk>/", views.learning_detail, name="learning-detail"),
    path("learning/<uuid:pk>/edit/", views.learning_edit, name="learning-edit"),
]
