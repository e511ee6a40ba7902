from rest_framework.routers import SimpleRouter

from .views import ChangeViewSet, DeletionViewSet

router = SimpleRouter()
router.register("history", ChangeViewSet, basename="change")
router.register("deleted", DeletionViewSet, basename="deletion")

urlpatterns = router.urls
