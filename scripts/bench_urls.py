"""The product's URLs plus, for each benchmarked list, its plain-Django twin (benchmark only).

A twin answers the same page of the same rows, in the same order and through the same access
filter (``partnerships.access.visible``), as ``values()`` dictionaries in a ``JsonResponse``: no
serializer, no figures, no count. The benchmark reports each list's time against its twin's.
"""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path

from buddying.authentication import TokenAuthentication
from buddying.urls import urlpatterns as product_urlpatterns
from partnerships import access
from partnerships.commitments.models import Commitment, Delivery
from partnerships.models import Partnership
from risks.models import Risk, RiskAction

PAGE_SIZE = 50

TWINS = {
    "partnerships": (Partnership, ("-created_at", "reference")),
    "commitments": (Commitment, ("partnership__reference", "reference")),
    "risks": (Risk, ("partnership__reference", "number")),
    "risk-actions": (RiskAction, ("due_date", "created_at", "pk")),
    "deliveries": (Delivery, ("-date", "-created_at", "-id")),
}


def _user(request):
    """The same people as the API: a token, else the session."""
    try:
        found = TokenAuthentication().authenticate(request)
    except Exception as error:
        raise PermissionDenied from error
    if found:
        return found[0]
    if request.user.is_authenticated:
        return request.user
    raise PermissionDenied


def twin(request, name: str):
    model, ordering = TWINS[name]
    page = max(1, int(request.GET.get("page", "1")))
    fields = [field.attname for field in model._meta.concrete_fields]
    rows = access.visible(model, _user(request)).order_by(*ordering).values(*fields)
    start = (page - 1) * PAGE_SIZE
    return JsonResponse({"results": list(rows[start : start + PAGE_SIZE])})


urlpatterns = [path("bench/values/<str:name>/", twin), *product_urlpatterns]
