from rest_framework.routers import SimpleRouter

from .views import OrganisationViewSet, PartnershipViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("partnerships", PartnershipViewSet, basename="partnership")

urlpatterns = router.urls
