"""Browser pages for partnerships. Thin: parse input, ask selectors and the access policy, call services.

What a person may see comes from ``selectors`` (so anything else answers 404); what they may do
comes from ``partnerships.access`` (a visible object they may not change answers 403). Services make
every change; their ``ValidationError``/``StateConflict`` messages go on the form's error summary.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from buddying.common.forms import add_service_errors
from partnerships import access, sections, selectors, services
from partnerships.choices import PartnershipStatus
from partnerships.forms import (
    ApproveForm,
    ObjectiveForm,
    ObjectiveMeasurementForm,
    PartnershipForm,
    PartnershipPageFilterSet,
    PartnershipProposeForm,
    PartyAddForm,
    PartyForm,
    StatusForm,
)
from partnerships.models import Objective, ObjectiveMeasurement, Party

PAGE_SIZE = 25


def _visible_partnership(request, pk):
    """The partnership, or 404 when this person may not see it."""
    return get_object_or_404(selectors.partnership_detail(request.user), pk=pk)


def _visible_partnership_with_parties(request, pk):
    """The partnership with its parties only (what the access policy asks), or 404: for pages
    that show neither its objectives nor its approvals."""
    return get_object_or_404(selectors.partnership_list(request.user), pk=pk)


def _require_change(request, partnership) -> None:
    """403 unless this person may change the (visible) partnership; 409 once it is closed."""
    access.require(request.user, "change", partnership)


def _posted(request):
    """The submitted data on POST (even when empty, so that required fields are checked)."""
    return request.POST if request.method == "POST" else None


def _may_propose(user) -> bool:
    return bool(access.organisations_with_role(user, access.WRITE_ROLES))


# --- List and detail -----------------------------------------------------------------------------


@login_required
def partnership_list(request):
    filterset = PartnershipPageFilterSet(
        request.GET or None,
        queryset=selectors.partnership_list(request.user).order_by("-created_at", "reference"),
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # Page links keep the filters.
    query = request.GET.copy()
    query.pop("page", None)
    filters_query = query.urlencode()
    return render(
        request,
        "partnerships/partnership_list.jinja",
        {
            "filterset": filterset,
            "form": filterset.form,
            "page": page,
            "partnerships": page.object_list,
            "filters_query": filters_query,
            "page_url_prefix": "?" + (filters_query + "&" if filters_query else "") + "page=",
            "may_propose": _may_propose(request.user),
        },
    )


def _detail_context(request, partnership) -> dict:
    user = request.user
    approvals = {approval.party_id: approval for approval in partnership.approvals.all()}
    approvable = access.approvable_parties(user, partnership)
    return {
        "partnership": partnership,
        "parties": [(party, approvals.get(party.pk)) for party in partnership.parties.all()],
        "objectives": partnership.objectives.all(),
        "latest_measurements": selectors.latest_measurements(
            objective.pk for objective in partnership.objectives.all()
        ),
        "can_change": access.allows(user, "change", partnership),
        "can_change_status": access.allows(user, "transition", partnership),
        "can_approve": partnership.status == PartnershipStatus.PROPOSED
        and any(party.pk not in approvals for party in approvable),
        "missing_approvals": services.missing_approvals(partnership),
        "allowed_transitions": services.allowed_transitions(partnership),
        "principal_roles": access.PRINCIPAL_PARTY_ROLES,
        "sections": sections.for_partnership(partnership, user, summary=True),
        "subnav": _subnav(partnership, "overview"),
        "today": timezone.localdate(),
    }


def _subnav(partnership, current: str) -> list[dict]:
    """The partnership's sub-navigation: the overview, one page per registered section, history."""
    items = [
        {
            "name": "overview",
            "text": "Overview",
            "href": reverse("partnerships:detail", args=[partnership.pk]),
        }
    ]
    items += [
        {
            "name": section.name,
            "text": section.label,
            "href": reverse("partnerships:section", args=[partnership.pk, section.name]),
        }
        for section in sections.registered()
    ]
    items.append(
        {
            "name": "history",
            "text": "History",
            "href": reverse("partnerships:history", args=[partnership.pk]),
        }
    )
    for item in items:
        item["current"] = item["name"] == current
    return items


@login_required
def partnership_detail(request, pk):
    """The overview: status, parties, objectives and one headline per section."""
    partnership = _visible_partnership(request, pk)
    return render(
        request, "partnerships/partnership_detail.jinja", _detail_context(request, partnership)
    )


@login_required
def partnership_section(request, pk, name):
    """One registered section of a partnership on its own page."""
    partnership = _visible_partnership_with_parties(request, pk)
    section = sections.get(name)
    if section is None:
        raise Http404("No such section.")
    return render(
        request,
        "partnerships/partnership_section.jinja",
        {
            "partnership": partnership,
            "section": sections.render(
                section, partnership, request.user, page=request.GET.get("page")
            ),
            "today": timezone.localdate(),
            "subnav": _subnav(partnership, name),
        },
    )


@login_required
def partnership_history(request, pk):
    """Every change to the partnership, its parties and objectives."""
    partnership = _visible_partnership(request, pk)
    return render(
        request,
        "partnerships/partnership_history.jinja",
        {
            "partnership": partnership,
            "history": selectors.partnership_history(partnership),
            "subnav": _subnav(partnership, "history"),
        },
    )


# --- Propose and edit ----------------------------------------------------------------------------


@login_required
def partnership_create(request):
    if not _may_propose(request.user):
        raise PermissionDenied(
            "Only a programme manager or executive of an NHS organisation can propose a partnership."
        )
    form = PartnershipProposeForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            partnership = services.partnership_create(
                by=request.user,
                buddy=form.cleaned_data["buddy"],
                supported=form.cleaned_data["supported"],
                parties=form.parties(),
                **form.details(),
            )
        except PermissionDenied as error:
            form.add_error("buddy", str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Partnership {partnership.reference} proposed.")
            return redirect("partnerships:detail", pk=partnership.pk)
    return render(
        request, "partnerships/partnership_form.jinja", {"form": form, "uses_autocomplete": True}
    )


@login_required
def partnership_update(request, pk):
    partnership = _visible_partnership(request, pk)
    _require_change(request, partnership)
    # The form works on a copy so the page keeps showing the saved title if the input is refused.
    form = PartnershipForm(_posted(request), instance=copy.copy(partnership))
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_update(
                partnership=partnership, by=request.user, version=form.version, **form.details()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Partnership details saved.")
            return redirect("partnerships:detail", pk=partnership.pk)
    return render(
        request,
        "partnerships/partnership_form.jinja",
        {"form": form, "partnership": partnership},
    )


# --- Parties -------------------------------------------------------------------------------------


@login_required
def party_add(request, pk):
    partnership = _visible_partnership(request, pk)
    _require_change(request, partnership)
    form = PartyAddForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            party = services.party_add(
                partnership=partnership,
                by=request.user,
                organisation=form.cleaned_data["organisation"],
                role=form.cleaned_data["role"],
                **form.sponsors(),
            )
        except ValidationError as error:
            add_service_errors(form, error, field="organisation")
        else:
            messages.success(
                request,
                f"{party.organisation} added as {party.get_role_display().lower()}.",
            )
            return redirect("partnerships:detail", pk=partnership.pk)
    return render(
        request,
        "partnerships/party_form.jinja",
        {"form": form, "partnership": partnership, "party": None},
    )


@login_required
def party_update(request, pk, party_pk):
    partnership = _visible_partnership(request, pk)
    party = get_object_or_404(
        Party.objects.select_related("organisation"), partnership=partnership, pk=party_pk
    )
    _require_change(request, partnership)
    form = PartyForm(_posted(request), instance=copy.copy(party))
    if request.method == "POST" and form.is_valid():
        party.partnership = partnership  # the prefetched parties answer the access check
        try:
            services.party_update(
                party=party, by=request.user, version=form.version, **form.sponsors()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Sponsors for {party.organisation} saved.")
            return redirect("partnerships:detail", pk=partnership.pk)
    return render(
        request,
        "partnerships/party_form.jinja",
        {"form": form, "partnership": partnership, "party": party},
    )


@login_required
def party_remove(request, pk, party_pk):
    partnership = _visible_partnership(request, pk)
    party = get_object_or_404(
        Party.objects.select_related("organisation"), partnership=partnership, pk=party_pk
    )
    _require_change(request, partnership)
    form = ApproveForm(_posted(request))
    if request.method == "POST":
        party.partnership = partnership
        try:
            services.party_remove(party=party, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{party.organisation} removed from the partnership.")
            return redirect("partnerships:detail", pk=partnership.pk)
    return render(
        request,
        "partnerships/party_remove.jinja",
        {"form": form, "partnership": partnership, "party": party},
    )


# --- Objectives ----------------------------------------------------------------------------------


def _objective(partnership, objective_pk) -> Objective:
    return get_object_or_404(Objective.objects.filter(partnership=partnership), pk=objective_pk)


@login_required
def objective_form(request, pk, objective_pk=None):
    partnership = _visible_partnership(request, pk)
    objective = _objective(partnership, objective_pk) if objective_pk else None
    _require_change(request, partnership)
    form = ObjectiveForm(_posted(request), instance=copy.copy(objective) if objective else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_save(
                partnership=partnership,
                by=request.user,
                objective=objective,
                version=form.version,
                **form.values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Objective saved." if objective else "Objective added.")
            return redirect("partnerships:detail", pk=partnership.pk)
    return render(
        request,
        "partnerships/objective_form.jinja",
        {"form": form, "partnership": partnership, "objective": objective},
    )


@login_required
def objective_detail(request, pk, objective_pk):
    """An objective's progress over time: its measurements as a chart and a table, the baseline
    and target drawn, and (for those who may change the partnership) a form to record one."""
    partnership = _visible_partnership(request, pk)
    objective = _objective(partnership, objective_pk)
    objective.partnership = partnership
    may_record = access.allows(request.user, "change", partnership)
    form = ObjectiveMeasurementForm(_posted(request)) if may_record else None
    if request.method == "POST":
        _require_change(request, partnership)
        if form.is_valid():
            try:
                services.objective_measurement_record(
                    objective=objective, by=request.user, **form.values()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Measurement recorded.")
                return redirect("partnerships:objective-detail", pk=pk, objective_pk=objective.pk)
    return render(
        request,
        "partnerships/objective_detail.jinja",
        {
            "partnership": partnership,
            "objective": objective,
            "progress": selectors.objective_progress(objective),
            "form": form,
            "may_record": may_record,
        },
    )


def _measurement(objective, measurement_pk) -> ObjectiveMeasurement:
    return get_object_or_404(
        ObjectiveMeasurement.objects.filter(objective=objective), pk=measurement_pk
    )


@login_required
def measurement_edit(request, pk, objective_pk, measurement_pk):
    """Correct a measurement recorded with a wrong date, value or note."""
    partnership = _visible_partnership(request, pk)
    objective = _objective(partnership, objective_pk)
    measurement = _measurement(objective, measurement_pk)
    _require_change(request, partnership)
    form = ObjectiveMeasurementForm(
        _posted(request),
        version=measurement.version,
        initial={
            "measured_on": measurement.measured_on,
            "value": measurement.value,
            "note": measurement.note,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_measurement_change(
                measurement=measurement, by=request.user, version=form.version, **form.values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Measurement changed.")
            return redirect("partnerships:objective-detail", pk=pk, objective_pk=objective.pk)
    return render(
        request,
        "partnerships/measurement_form.jinja",
        {"form": form, "partnership": partnership, "objective": objective},
    )


@login_required
def measurement_delete(request, pk, objective_pk, measurement_pk):
    partnership = _visible_partnership(request, pk)
    objective = _objective(partnership, objective_pk)
    measurement = _measurement(objective, measurement_pk)
    _require_change(request, partnership)
    form = ApproveForm(_posted(request))
    if request.method == "POST":
        try:
            services.objective_measurement_delete(measurement=measurement, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Measurement deleted.")
            return redirect("partnerships:objective-detail", pk=pk, objective_pk=objective.pk)
    return render(
        request,
        "partnerships/measurement_delete.jinja",
        {
            "form": form,
            "partnership": partnership,
            "objective": objective,
            "measurement": measurement,
        },
    )


@login_required
def objective_delete(request, pk, objective_pk):
    partnership = _visible_partnership(request, pk)
    objective = _objective(partnership, objective_pk)
    _require_change(request, partnership)
    form = ApproveForm(_posted(request))
    if request.method == "POST":
        objective.partnership = partnership
        try:
            services.objective_delete(objective=objective, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Objective “{objective.title}” deleted.")
            return redirect("partnerships:detail", pk=partnership.pk)
    return render(
        request,
        "partnerships/objective_delete.jinja",
        {"form": form, "partnership": partnership, "objective": objective},
    )


# --- Approve and change status -------------------------------------------------------------------


@login_required
@require_POST
def partnership_approve(request, pk):
    partnership = _visible_partnership(request, pk)
    form = ApproveForm(request.POST)
    try:
        services.partnership_approve(partnership=partnership, by=request.user)
    except ValidationError as error:
        add_service_errors(form, error)
        context = _detail_context(request, partnership)
        context["form"] = form
        return render(request, "partnerships/partnership_detail.jinja", context)
    partnership = _visible_partnership(request, pk)
    if partnership.status == PartnershipStatus.AGREED:
        messages.success(request, "Approval recorded. The partnership is now agreed.")
    else:
        messages.success(request, "Approval recorded.")
    return redirect("partnerships:detail", pk=partnership.pk)


@login_required
def partnership_transition(request, pk):
    partnership = _visible_partnership(request, pk)
    access.require(request.user, "transition", partnership)
    form = StatusForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            partnership = services.partnership_transition(
                partnership=partnership,
                by=request.user,
                to=form.cleaned_data["to"],
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, field="to")
        else:
            messages.success(
                request, f"Status changed to {partnership.get_status_display().lower()}."
            )
            return redirect("partnerships:detail", pk=partnership.pk)
    return render(
        request,
        "partnerships/partnership_status.jinja",
        {
            "form": form,
            "partnership": partnership,
            "allowed_transitions": [
                (status, PartnershipStatus(status).label)
                for status in services.allowed_transitions(partnership)
            ],
            "missing_approvals": services.missing_approvals(partnership),
        },
    )
