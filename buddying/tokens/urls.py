from django.urls import path

from buddying.tokens import views

app_name = "tokens"

urlpatterns = [
    path("account/tokens/", views.token_list, name="list"),
    path("account/tokens/<uuid:pk>/revoke/", views.token_revoke, name="revoke"),
]
