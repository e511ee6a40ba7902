from rest_framework.routers import SimpleRouter

from buddying.api import UUID_REGEX

from .commitments import CommitmentViewSet, DeliveryViewSet
from .views import OrganisationViewSet, PartnershipViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("partnerships", PartnershipViewSet, basename="partnership")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register(
    rf"commitments/(?P<commitment_pk>{UUID_REGEX})/deliveries",
    DeliveryViewSet,
    basename="commitment-delivery",
)

urlpatterns = router.urls
