from rest_framework.routers import SimpleRouter

from .views import AgreementViewSet, DisputeViewSet

router = SimpleRouter()
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("disputes", DisputeViewSet, basename="dispute")

urlpatterns = router.urls
