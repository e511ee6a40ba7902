"""Who is buddying whom, for other NHS systems: partnerships' parties as FHIR R4
``OrganizationAffiliation`` resources in a searchset ``Bundle`` (DESIGN §6).

Each party other than the supported organisation is one affiliation: ``organization`` is the
supported organisation, ``participatingOrganization`` the party (the buddy, a broker, a mediator
or a funder), both identified by ODS code; ``code`` is the party's role; ``period`` the
partnership's (planned start to actual or planned end); ``active`` while the partnership is agreed
or active. Search: ``organization`` and ``participating-organization`` (ODS codes), ``role``,
``active``, ``_count``; ``next`` links page on by the party's id. One resource is read at its
``fullUrl`` (``OrganizationAffiliation/party-{id}``).

Errors on these endpoints are FHIR's own: an ``OperationOutcome`` (``application/fhir+json``)
with one issue per problem — ``invalid`` with the parameter in ``expression`` for bad search
input (400), ``not-found`` (404), ``login`` (401), ``forbidden`` (403), ``not-supported`` (405,
406) and ``throttled`` (429).
"""

from django.db.models import OuterRef, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
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


# FHIR's issue type (http://hl7.org/fhir/issue-type) for each error status.
ISSUE_TYPES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "login",
    status.HTTP_403_FORBIDDEN: "forbidden",
    status.HTTP_404_NOT_FOUND: "not-found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "not-supported",
    status.HTTP_406_NOT_ACCEPTABLE: "not-supported",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [message for item in value.values() for message in _messages(item)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def operation_outcome(status_code: int, data) -> dict:
    """The API's error body (``{"detail": ...}`` or messages by parameter) as a FHIR
    ``OperationOutcome``: one issue per message, the parameter named in ``expression``."""
    code = ISSUE_TYPES.get(status_code, "exception")
    issues = []
    if isinstance(data, dict) and set(data) != {"detail"}:
        for name, value in data.items():
            for message in _messages(value):
                issue = {"severity": "error", "code": code, "diagnostics": message}
                if name not in ("non_field_errors", "detail"):
                    issue["expression"] = [name]
                issues.append(issue)
    else:
        detail = data.get("detail") if isinstance(data, dict) else data
        issues = [
            {"severity": "error", "code": code, "diagnostics": message}
            for message in _messages(detail)
        ]
    return {
        "resourceType": "OperationOutcome",
        "issue": issues or [{"severity": "error", "code": code}],
    }


class FHIRView(APIView):
    """What the FHIR endpoints share: JSON unless FHIR's own media type is asked for
    (``Accept: application/fhir+json``), and every error an ``OperationOutcome``."""

    renderer_classes = [JSONRenderer, FHIRJSONRenderer]

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        response.data = operation_outcome(response.status_code, response.data)
        self.request.accepted_renderer = FHIRJSONRenderer()
        self.request.accepted_media_type = FHIRJSONRenderer.media_type
        return response


def _visible_parties(user):
    """The parties (but the supported one) of the partnerships ``user`` may see, each with its
    supported organisation, in id order."""
    supported = Party.objects.filter(
        partnership_id=OuterRef("partnership_id"), role=PartyRole.SUPPORTED
    )
    return (
        Party.objects.filter(partnership__in=access.visible(Partnership, user))
        .exclude(role=PartyRole.SUPPORTED)
        .select_related("partnership", "organisation")
        .annotate(
            supported_ods=Subquery(supported.values("organisation_id")[:1]),
            supported_name=Subquery(supported.values("organisation__name")[:1]),
        )
        .order_by("pk")
    )


class OrganizationAffiliationView(FHIRView):
    """FHIR R4 ``OrganizationAffiliation`` search: a ``Bundle`` of type ``searchset``."""

    def _parties(self, request):
        parties = _visible_parties(request.user)
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
        operation_id="v1_fhir_OrganizationAffiliation_search",
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


class OrganizationAffiliationReadView(FHIRView):
    """FHIR R4 read of one ``OrganizationAffiliation`` (an entry's ``fullUrl``); a party of a
    partnership the caller may not see is not found, like anything else out of sight."""

    @extend_schema(
        operation_id="v1_fhir_OrganizationAffiliation_read", responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request, resource_id: str):
        prefix, _, number = resource_id.partition("-")
        if prefix != "party" or not (number.isascii() and number.isdigit() and len(number) < 19):
            raise exceptions.NotFound(f"No OrganizationAffiliation {resource_id[:100]}.")
        party = _visible_parties(request.user).filter(pk=int(number)).first()
        if party is None:
            raise exceptions.NotFound(f"No OrganizationAffiliation {resource_id[:100]}.")
        return Response(affiliation(party))


class FHIRNotFoundView(FHIRView):
    """Anything else under ``fhir/`` (another resource type, a trailing slash): not found, as an
    ``OperationOutcome`` naming what this server has."""

    @extend_schema(exclude=True)
    def get(self, request, rest: str):
        raise exceptions.NotFound(
            "This server has OrganizationAffiliation only: "
            "fhir/OrganizationAffiliation and fhir/OrganizationAffiliation/{id}."
        )


def _ods(value: str) -> str:
    return value.split("|")[-1].strip().upper()  # "system|code" or "code", as FHIR search allows
