from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from .fhir import FHIRNotFoundView, OrganizationAffiliationReadView, OrganizationAffiliationView
from .views import OrganisationViewSet, PartnershipViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("partnerships", PartnershipViewSet, basename="partnership")

urlpatterns = [
    *router.urls,
    path(
        "fhir/OrganizationAffiliation",
        OrganizationAffiliationView.as_view(),
        name="fhir-organization-affiliation",
    ),
    path(
        "fhir/OrganizationAffiliation/<str:resource_id>",
        OrganizationAffiliationReadView.as_view(),
        name="fhir-organization-affiliation-read",
    ),
    # Last: any other path under fhir/ is a FHIR not-found.
    re_path(r"^fhir/(?P<rest>.*)$", FHIRNotFoundView.as_view(), name="fhir-not-found"),
]
