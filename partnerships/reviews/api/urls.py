from rest_framework.routers import SimpleRouter

from .views import LearningViewSet, ReviewViewSet, ValueForMoneyViewSet

router = SimpleRouter()
router.register("reviews", ReviewViewSet, basename="review")
router.register("learning", LearningViewSet, basename="learning")
router.register("value-for-money", ValueForMoneyViewSet, basename="value-for-money")

urlpatterns = router.urls
