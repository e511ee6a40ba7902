"""Queued exports: an API list's CSV written to a file by a worker, for lists too long for a
request. The worker builds the list's own view for the person who asked, with the filters they
asked with, so the file has exactly the rows their ``?format=csv`` would stream — the same
access-filtered queryset, the same columns and the same row function
(``CSVExportMixin.csv_export``) — and never more.

A list is named by its path under ``/api/v1/`` (``deliveries``, ``risks``, ``risk-actions``…)
and found through the URL configuration, so no app is imported here and a list added later can
be exported with nothing to register.
"""

import re

from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve

from buddying.common.api import CSVExportMixin
from buddying.common.exports import write_csv

API_PREFIX = "/api/v1/"
_LIST_NAME = re.compile(r"[a-z][a-z0-9-]{0,49}")
# Query parameters of a list that are not filters: they page or choose the format.
NOT_FILTERS = frozenset({"format", "page", "cursor", "page_size"})


def _list_view_class(name):
    """The viewset class and its action map for the API list ``name``; 400 if there is none that
    exports CSV (a list under another object, such as a commitment's deliveries, is not one)."""
    error = ValidationError(
        {"list": "Choose a list the API exports as CSV, such as deliveries or risks."}
    )
    if not isinstance(name, str) or not _LIST_NAME.fullmatch(name):
        raise error
    try:
        match = resolve(f"{API_PREFIX}{name}/")
    except Resolver404:
        raise error from None
    view_class = getattr(match.func, "cls", None)
    actions = getattr(match.func, "actions", None) or {}
    if (
        view_class is None
        or match.kwargs
        or actions.get("get") != "list"
        or not issubclass(view_class, CSVExportMixin)
    ):
        raise error
    return view_class, match.func.initkwargs, actions


def _query(filters) -> QueryDict:
    """The filters as the list's query string would carry them; 400 unless each is a name and a
    value (text, a number, true/false) or a list of values."""
    if not isinstance(filters, dict):
        raise ValidationError({"filters": "Give the filters as an object of names and values."})
    query = QueryDict(mutable=True)
    for key, value in filters.items():
        values = value if isinstance(value, list) else [value]
        if key in NOT_FILTERS or not all(
            isinstance(item, str | int | float | bool) for item in values
        ):
            raise ValidationError({"filters": f"{key}: give a filter's value as text."})
        for item in values:
            query.appendlist(key, str(item).lower() if isinstance(item, bool) else str(item))
    return query


def list_view(name, user, filters):
    """The list's view as ``user`` would GET ``/api/v1/<name>/?<filters>&format=csv``, checked
    as that request would be: permissions (403), the filters' names (an unknown one is a 400,
    where the list would ignore it) and values (400, keyed by the filter). Returns
    ``(view, queryset)``: the access-filtered, filtered queryset the export writes."""
    view_class, initkwargs, actions = _list_view_class(name)
    query = _query(filters)
    http = HttpRequest()
    http.method = "GET"
    http.path = http.path_info = f"{API_PREFIX}{name}/"
    http.GET = query
    http.user = user
    view = view_class(**initkwargs)
    view.action_map = actions
    view.action = "list"
    view.args, view.kwargs, view.headers = (), {}, {}
    view.format_kwarg = None
    request = view.initialize_request(http)
    request.user = user  # who asked (the worker has no session); read once, not authenticated
    view.request = request
    view.check_permissions(request)
    filterset_class = getattr(view, "filterset_class", None)
    known = set(
        filterset_class.base_filters
        if filterset_class is not None
        else getattr(view, "filterset_fields", None) or ()
    )
    unknown = sorted(set(query) - known)
    if unknown:
        raise ValidationError(
            {
                "filters": f"This list has no filter {', '.join(unknown)}. Its filters are: "
                f"{', '.join(sorted(known)) or 'none'}."
            }
        )
    return view, view.filter_queryset(view.get_queryset())


def write_export(name, user, filters, handle) -> int:
    """Write the export's CSV to ``handle`` (binary); returns how many rows it has."""
    view, queryset = list_view(name, user, filters)
    header, source, row = view.csv_export(queryset)
    return write_csv(header, view.csv_rows(source, row), handle)
