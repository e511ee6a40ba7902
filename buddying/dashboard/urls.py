from django.urls import path

from buddying.dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("search/", views.search, name="search"),
]
