from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import OBJECT_HISTORIES, ChangeViewSet, DeletionViewSet, ObjectHistoryViewSet

router = SimpleRouter()
router.register("history", ChangeViewSet, basename="change")
router.register("deleted", DeletionViewSet, basename="deletion")

urlpatterns = [
    *router.urls,
    *(
        path(
            f"{prefix}/<uuid:pk>/history/",
            ObjectHistoryViewSet.as_view({"get": "list"}, model_label=label),
            name=name,
        )
        for prefix, label, name in OBJECT_HISTORIES
    ),
]
