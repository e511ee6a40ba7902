from django.urls import path

from partnerships.views import partnerships

app_name = "partnerships"

urlpatterns = [
    path("", partnerships.partnership_list, name="list"),
    path("<uuid:pk>/", partnerships.partnership_detail, name="detail"),
]
