"""Who is buddying whom, for other NHS systems: partnerships' parties as FHIR R4
``OrganizationAffiliation`` resources in a searchset ``Bundle`` (DESIGN §6).

Each party other than the supported organisation is one affiliation: ``organization`` is the
supported organisation, ``participatingOrganization`` the party (the buddy, a broker, a mediator
or a funder), both identified by ODS code; ``code`` is the party's role; ``period`` the
partnership's (planned start to actual or planned end); ``active`` while the partnership is agreed
or active. Search: ``organization`` and ``participating-organization`` (ODS codes), ``role``,
``active``, ``_count``; ``next`` links page on by the party's id.
"""

from django.db.models import OuterRef, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from partnerships import access
from partnerships.choices import PartnershipStatus, PartyRole
from partnerships.models import Partnership, Party

ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
ROLE_SYSTEM = "urn:buddying:partnership-party-role"
PARTNERSHIP_SYSTEM = "urn:buddying:partnership-reference"
ACTIVE_STATUSES = (PartnershipStatus.AGREED, PartnershipStatus.ACTIVE)
DEFAULT_COUNT = 100
MAX_COUNT = 1000


class FHIRJSONRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir"


def _reference(ods_code: str, name: str) -> dict:
    return {
        "identifier": {"system": ODS_SYSTEM, "value": ods_code},
        "display": name,
    }


def affiliation(party: Party) -> dict:
    """One party as an ``OrganizationAffiliation`` (plain JSON, FHIR R4)."""
    partnership = party.partnership
    period = {}
    if partnership.planned_start:
        period["start"] = partnership.planned_start.isoformat()
    end = partnership.actual_end or partnership.planned_end
    if end:
        period["end"] = end.isoformat()
    resource = {
        "resourceType": "OrganizationAffiliation",
        "id": f"party-{party.pk}",
        "meta": {"lastUpdated": party.updated_at.isoformat()},
        "identifier": [{"system": PARTNERSHIP_SYSTEM, "value": partnership.reference}],
        "active": partnership.status in ACTIVE_STATUSES,
        "organization": _reference(party.supported_ods, party.supported_name),
        "participatingOrganization": _reference(
            party.organisation_id, party.organisation.display_name
        ),
        "code": [
            {
                "coding": [
                    {
                        "system": ROLE_SYSTEM,
                        "code": party.role,
                        "display": party.get_role_display(),
                    }
                ],
                "text": f"{party.get_role_display()} in {partnership.title}",
            }
        ],
    }
    if period:
        resource["period"] = period
    return resource


class OrganizationAffiliationView(APIView):
    """FHIR R4 ``OrganizationAffiliation`` search: a ``Bundle`` of type ``searchset``."""

    # JSON unless FHIR's own media type is asked for (Accept: application/fhir+json).
    renderer_classes = [JSONRenderer, FHIRJSONRenderer]

    def handle_exception(self, exc):
        # Errors are plain JSON, as everywhere in the API, whatever was asked for.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    def _parties(self, request):
        supported = Party.objects.filter(
            partnership_id=OuterRef("partnership_id"), role=PartyRole.SUPPORTED
        )
        parties = (
            Party.objects.filter(partnership__in=access.visible(Partnership, request.user))
            .exclude(role=PartyRole.SUPPORTED)
            .select_related("partnership", "organisation")
            .annotate(
                supported_ods=Subquery(supported.values("organisation_id")[:1]),
                supported_name=Subquery(supported.values("organisation__name")[:1]),
            )
            .order_by("pk")
        )
        params = request.query_params
        for name, value in params.items():
            if "\x00" in value:
                raise exceptions.ValidationError({name: ["Null characters are not allowed."]})
        if params.get("organization"):
            parties = parties.filter(
                partnership__parties__role=PartyRole.SUPPORTED,
                partnership__parties__organisation_id=_ods(params["organization"]),
            )
        if params.get("participating-organization"):
            parties = parties.filter(organisation_id=_ods(params["participating-organization"]))
        if params.get("role"):
            roles = [role.strip() for role in params["role"].split(",")]
            unknown = sorted(set(roles) - set(PartyRole.values))
            if unknown:
                raise exceptions.ValidationError({"role": [f"Unknown role: {', '.join(unknown)}."]})
            parties = parties.filter(role__in=roles)
        if params.get("active"):
            if params["active"] not in ("true", "false"):
                raise exceptions.ValidationError({"active": ["Enter true or false."]})
            active = parties.filter(partnership__status__in=ACTIVE_STATUSES)
            parties = active if params["active"] == "true" else parties.exclude(pk__in=active)
        return parties

    @extend_schema(
        parameters=[
            OpenApiParameter("organization", str, description="Supported organisation's ODS code"),
            OpenApiParameter(
                "participating-organization", str, description="Party's ODS code (e.g. the buddy)"
            ),
            OpenApiParameter("role", str, description="buddy, broker, mediator or funder"),
            OpenApiParameter("active", bool),
            OpenApiParameter("_count", int, description=f"At most {MAX_COUNT}"),
            OpenApiParameter("_after", int, description="Page on from this party (next link)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        parties = self._parties(request)
        try:
            count = min(int(request.query_params.get("_count", DEFAULT_COUNT)), MAX_COUNT)
            after = int(request.query_params.get("_after", 0))
        except ValueError:
            raise exceptions.ValidationError({"_count": ["Enter whole numbers."]}) from None
        if count < 1:
            raise exceptions.ValidationError({"_count": ["Enter a number from 1."]})
        page = list(parties.filter(pk__gt=after)[: count + 1])
        more = len(page) > count
        page = page[:count]
        url = request.build_absolute_uri()
        base = request.build_absolute_uri(request.path)
        links = [{"relation": "self", "url": url}]
        if more:
            links.append(
                {"relation": "next", "url": replace_query_param(url, "_after", page[-1].pk)}
            )
        bundle = {
            "resourceType": "Bundle",
            "type": "searchset",
            "link": links,
            "entry": [
                {
                    "fullUrl": f"{base}/party-{party.pk}",
                    "resource": affiliation(party),
                    "search": {"mode": "match"},
                }
                for party in page
            ],
        }
        return Response(bundle)


def _ods(value: str) -> str:
    return value.split("|")[-1].strip().upper()  # "system|code" or "code", as FHIR search allows
