from rest_framework.routers import SimpleRouter

from buddying.common.api import UUID_REGEX

from .views import CommitmentViewSet, DeliveryViewSet, NationalDeliveryViewSet

router = SimpleRouter()
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register(
    rf"commitments/(?P<commitment_pk>{UUID_REGEX})/deliveries",
    DeliveryViewSet,
    basename="commitment-delivery",
)
router.register("deliveries", NationalDeliveryViewSet, basename="delivery")

urlpatterns = router.urls
