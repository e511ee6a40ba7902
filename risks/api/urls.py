from rest_framework.routers import SimpleRouter

from .views import AppetiteComparisonViewSet, RiskActionViewSet, RiskAppetiteViewSet, RiskViewSet

router = SimpleRouter()
router.register("risks", RiskViewSet, basename="risk")
router.register("risk-actions", RiskActionViewSet, basename="risk-action")
router.register("risk-appetites", RiskAppetiteViewSet, basename="risk-appetite")
router.register(
    "risk-appetite-comparisons", AppetiteComparisonViewSet, basename="risk-appetite-comparison"
)

urlpatterns = router.urls
