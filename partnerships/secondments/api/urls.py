from rest_framework.routers import SimpleRouter

from .views import CapacityViewSet, SecondmentViewSet

router = SimpleRouter()
router.register("secondments", SecondmentViewSet, basename="secondment")
router.register("capacity", CapacityViewSet, basename="capacity")

urlpatterns = router.urls
