from django.urls import path

from risks.agreements import views

app_name = "agreements"

urlpatterns = [
    path("partnerships/<uuid:pk>/agreements/", views.agreement_list, name="list"),
    path("partnerships/<uuid:pk>/agreements/new/", views.agreement_create, name="create"),
    path("agreements/<uuid:pk>/", views.agreement_detail, name="detail"),
    path("agreements/<uuid:pk>/print/", views.agreement_print, name="print"),
    path("agreements/<uuid:pk>/edit/", views.agreement_edit, name="edit"),
    path("agreements/<uuid:pk>/lines/new/", views.line_create, name="line_create"),
    path("agreement-lines/<uuid:pk>/edit/", views.line_edit, name="line_edit"),
    path("agreement-lines/<uuid:pk>/delete/", views.line_delete, name="line_delete"),
    path("agreements/<uuid:pk>/submit/", views.agreement_submit, name="submit"),
    path("agreements/<uuid:pk>/return-to-draft/", views.agreement_return, name="return"),
    path("agreements/<uuid:pk>/sign/", views.agreement_sign, name="sign"),
    path("agreements/<uuid:pk>/new-version/", views.agreement_new_version, name="new_version"),
    path("agreements/<uuid:pk>/terminate/", views.agreement_terminate, name="terminate"),
    path("agreements/<uuid:pk>/disputes/new/", views.dispute_create, name="dispute_create"),
    path("disputes/<uuid:pk>/", views.dispute_detail, name="dispute_detail"),
    path("disputes/<uuid:pk>/edit/", views.dispute_edit, name="dispute_edit"),
    path("disputes/<uuid:pk>/status/", views.dispute_transition, name="dispute_transition"),
]
