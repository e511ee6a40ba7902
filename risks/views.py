"""Browser pages for risks and risk appetites. Thin: parse input, ask selectors, call services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from buddying.common.forms import add_service_errors
from partnerships import access
from partnerships import selectors as partnership_selectors
from partnerships.access import organisations_related_to
from risks import matrix, selectors, services
from risks.choices import AppetiteLevel, RiskBand, RiskCategory, RiskStatus
from risks.filtersets import RiskFilterSet
from risks.forms import (
    ActionEditForm,
    ActionForm,
    AppetiteForm,
    RiskEditForm,
    RiskForm,
)
from risks.models import SCALE_FIELDS, Risk, RiskAppetite

PAGE_SIZE = 50
User = get_user_model()

# Columns of the register that sort, with the ``sort`` value each uses (see RiskFilterSet).
SORTABLE = {
    "Reference": "reference",
    "Title": "title",
    "Category": "category",
    "Current score": "score",
    "Next review": "next_review",
}
DEFAULT_SORT = "-score"


def _partnership(user, pk):
    return get_object_or_404(partnership_selectors.partnership_list(user), pk=pk)


def _scales() -> dict:
    return {
        "likelihood_scale": matrix.likelihood_choices(),
        "consequence_scale": matrix.consequence_choices(),
        "consequence_domains": matrix.consequence_domains(),
    }


def _sort_headers(request) -> dict[str, dict]:
    """For each sortable column: its link (other filters kept) and its ``aria-sort`` state."""
    current = request.GET.get("sort") or DEFAULT_SORT
    headers = {}
    for label, key in SORTABLE.items():
        if current == key:
            state, following = "ascending", f"-{key}"
        elif current == f"-{key}":
            state, following = "descending", key
        else:
            state, following = "none", key
        params = {name: request.GET.getlist(name) for name in request.GET if name != "page"}
        params["sort"] = [following]
        headers[label] = {"sort": state, "href": "?" + urlencode(params, doseq=True)}
    return headers


@login_required
def register(request, pk):
    """The partnership's risk register: sortable and filterable, one page of risks at a time."""
    partnership = _partnership(request.user, pk)
    risks = (
        selectors.risk_list(request.user)
        .filter(partnership=partnership)
        .order_by("-current_score", "number")
    )
    filterset = RiskFilterSet(request.GET or None, queryset=risks)
    filter_errors = filterset.is_bound and not filterset.is_valid()
    queryset = risks if filter_errors or not filterset.is_bound else filterset.qs
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    owners = (
        User.objects.filter(owned_risks__partnership=partnership)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    query = {name: request.GET.getlist(name) for name in request.GET if name != "page"}
    return render(
        request,
        "risks/register.jinja",
        {
            "partnership": partnership,
            "page": page,
            "risks": selectors.attach_outside_appetite(list(page.object_list)),
            "filterset": filterset,
            "filter_errors": filter_errors,
            "owners": owners,
            "categories": RiskCategory.choices,
            "bands": RiskBand.choices,
            "statuses": RiskStatus.choices,
            "selected": {name: request.GET.getlist(name) for name in request.GET},
            "sort_headers": _sort_headers(request),
            "query_string": urlencode(query, doseq=True),
            "can_manage": access.allows(request.user, "change", Risk(partnership=partnership)),
        },
    )


@login_required
def heat_map(request, pk):
    """A 5×5 heat map of the open risks' current scores, each cell linking to its risks."""
    partnership = _partnership(request.user, pk)
    risks = selectors.risks_visible_to(request.user).filter(partnership=partnership)
    return render(
        request,
        "risks/heat_map.jinja",
        {
            "partnership": partnership,
            "grid": selectors.heat_map(risks),
            "band_counts": selectors.band_counts(risks),
            "bands": RiskBand.choices,
            **_scales(),
        },
    )


def _risk(user, pk):
    risk = get_object_or_404(selectors.risk_detail(user), pk=pk)
    selectors.attach_outside_appetite([risk])
    return risk


@login_required
def risk_detail(request, pk):
    risk = _risk(request.user, pk)
    return render(
        request,
        "risks/risk_detail.jinja",
        {
            "risk": risk,
            "partnership": risk.partnership,
            "appetite_position": selectors.appetite_position(risk),
            "history": selectors.risk_history(risk),
            "can_manage": access.allows(request.user, "change", risk),
            **_scales(),
        },
    )


def _require_manage(user, partnership) -> None:
    access.require(user, "change", Risk(partnership=partnership))


@login_required
def risk_create(request, pk):
    partnership = _partnership(request.user, pk)
    _require_manage(request.user, partnership)
    form = RiskForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_create(
                partnership=partnership, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Risk {risk.reference} added.")
            return redirect("risks:detail", risk.pk)
    return render(
        request,
        "risks/risk_form.jinja",
        {"form": form, "partnership": partnership, "risk": None, **_scales()},
    )


@login_required
def risk_edit(request, pk):
    risk = _risk(request.user, pk)
    partnership = risk.partnership
    _require_manage(request.user, partnership)
    initial = {
        name: getattr(risk, name)
        for name in (
            "title",
            "description",
            "category",
            "controls",
            "review_frequency",
            "next_review_date",
            "status",
            "closing_reason",
            *SCALE_FIELDS,
        )
    }
    initial |= {"owner_organisation": risk.owner_organisation_id, "owner": risk.owner_id}
    form = RiskEditForm(
        request.POST or None, initial=initial, partnership=partnership, version=risk.version
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_update(risk=risk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Risk {risk.reference} updated.")
            return redirect("risks:detail", risk.pk)
    return render(
        request,
        "risks/risk_form.jinja",
        {"form": form, "partnership": partnership, "risk": risk, **_scales()},
    )


@login_required
def action_create(request, pk):
    risk = _risk(request.user, pk)
    _require_manage(request.user, risk.partnership)
    form = ActionForm(request.POST or None, partnership=risk.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(risk=risk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Action added.")
            return redirect("risks:detail", risk.pk)
    return render(request, "risks/action_form.jinja", {"form": form, "risk": risk, "action": None})


@login_required
def action_edit(request, pk):
    action = get_object_or_404(selectors.action_list(request.user), pk=pk)
    risk = _risk(request.user, action.risk_id)
    _require_manage(request.user, risk.partnership)
    initial = {
        "description": action.description,
        "owner": action.owner_id,
        "due_date": action.due_date,
        "status": action.status,
    }
    form = ActionEditForm(
        request.POST or None,
        initial=initial,
        partnership=risk.partnership,
        version=action.version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(action=action, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Action updated.")
            return redirect("risks:detail", risk.pk)
    return render(
        request, "risks/action_form.jinja", {"form": form, "risk": risk, "action": action}
    )


def _organisation(user, code):
    if not code.isascii() or not code.isalnum():
        raise Http404("No such organisation.")  # ODS codes are letters and digits only
    return get_object_or_404(organisations_related_to(user), pk=code.upper())


@login_required
def appetite(request, code):
    """An organisation's risk appetite per category, with every change and who made it."""
    organisation = _organisation(request.user, code)
    return render(
        request,
        "risks/appetite.jinja",
        {
            "organisation": organisation,
            "appetites": selectors.organisation_appetites(organisation),
            "categories": RiskCategory.choices,
            "history": selectors.appetite_history(organisation),
            "can_set": access.allows(request.user, "set", RiskAppetite(organisation=organisation)),
        },
    )


@login_required
def appetite_edit(request, code, category):
    organisation = _organisation(request.user, code)
    if category not in RiskCategory.values:
        raise Http404("No such risk category.")
    access.require(request.user, "set", RiskAppetite(organisation=organisation))
    current = selectors.organisation_appetites(organisation)[category]
    initial = (
        {"level": current.level, "tolerance": current.tolerance, "statement": current.statement}
        if current
        else {}
    )
    form = AppetiteForm(
        request.POST or None, initial=initial, version=current.version if current else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_appetite_set(
                organisation=organisation, category=category, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            label = RiskCategory(category).label.lower()
            messages.success(request, f"Appetite for {label} risk saved.")
            return redirect("risks:appetite", organisation.pk)
    return render(
        request,
        "risks/appetite_form.jinja",
        {
            "form": form,
            "organisation": organisation,
            "category": category,
            "category_label": RiskCategory(category).label,
            "levels": AppetiteLevel.choices,
        },
    )


@login_required
def comparison(request, pk):
    """The parties' appetites side by side, divergent categories, and risks outside them."""
    partnership = _partnership(request.user, pk)
    return render(
        request,
        "risks/comparison.jinja",
        {
            "partnership": partnership,
            "comparison": selectors.appetite_comparison(
                request.user, partnership, limit=selectors.COMPARISON_RISKS
            ),
        },
    )
