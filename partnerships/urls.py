from django.urls import path

from partnerships import views as partnerships

app_name = "partnerships"

urlpatterns = [
    path("", partnerships.partnership_list, name="list"),
    path("propose/", partnerships.partnership_create, name="create"),
    path("<uuid:pk>/", partnerships.partnership_detail, name="detail"),
    path("<uuid:pk>/sections/<slug:name>/", partnerships.partnership_section, name="section"),
    path("<uuid:pk>/history/", partnerships.partnership_history, name="history"),
    path("<uuid:pk>/edit/", partnerships.partnership_update, name="update"),
    path("<uuid:pk>/approve/", partnerships.partnership_approve, name="approve"),
    path("<uuid:pk>/status/", partnerships.partnership_transition, name="transition"),
    path("<uuid:pk>/parties/add/", partnerships.party_add, name="party-add"),
    path("<uuid:pk>/parties/<int:party_pk>/edit/", partnerships.party_update, name="party-update"),
    path(
        "<uuid:pk>/parties/<int:party_pk>/remove/", partnerships.party_remove, name="party-remove"
    ),
    path("<uuid:pk>/objectives/add/", partnerships.objective_form, name="objective-add"),
    path(
        "<uuid:pk>/objectives/<uuid:objective_pk>/",
        partnerships.objective_detail,
        name="objective-detail",
    ),
    path(
        "<uuid:pk>/objectives/<uuid:objective_pk>/edit/",
        partnerships.objective_form,
        name="objective-update",
    ),
    path(
        "<uuid:pk>/objectives/<uuid:objective_pk>/delete/",
        partnerships.objective_delete,
        name="objective-delete",
    ),
    path(
        "<uuid:pk>/objectives/<uuid:objective_pk>/measurements/<uuid:measurement_pk>/edit/",
        partnerships.measurement_edit,
        name="measurement-update",
    ),
    path(
        "<uuid:pk>/objectives/<uuid:objective_pk>/measurements/<uuid:measurement_pk>/delete/",
        partnerships.measurement_delete,
        name="measurement-delete",
    ),
]
