"""Browser pages for secondments and an organisation's capacity. Thin: parse input, ask
selectors, call services.

What a person may see comes from the selectors (anything else answers 404); what they may change
from ``partnerships.access`` (a visible secondment they may not change answers 403, and one of a
closed partnership 409).
"""

import copy
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from buddying.common.errors import StateConflict
from partnerships import access, risk_raising
from partnerships import selectors as partnership_selectors
from partnerships.choices import DeliveryStaffGroup
from partnerships.secondments import selectors, services
from partnerships.secondments.choices import SecondmentStatus
from partnerships.secondments.filtersets import SecondmentFilterSet
from partnerships.secondments.forms import (
    CancelForm,
    EndForm,
    EstablishmentForm,
    RaiseRiskForm,
    SecondmentForm,
    ThresholdForm,
    add_service_errors,
)
from partnerships.secondments.models import CapacityThreshold, Secondment, TalentPoolRisk

PAGE_SIZE = 50


def _posted(request):
    return request.POST if request.method == "POST" else None


def _partnership(request, pk):
    return get_object_or_404(partnership_selectors.partnership_list(request.user), pk=pk)


def _secondment(request, pk) -> Secondment:
    return get_object_or_404(selectors.secondment_detail(request.user), pk=pk)


def _organisation(request, code):
    if not code.isascii() or not code.isalnum():
        raise Http404("No such organisation.")  # ODS codes are letters and digits only
    return get_object_or_404(access.organisations_related_to(request.user), pk=code.upper())


# --- Secondments of a partnership ---------------------------------------------------------------


@login_required
def secondment_list(request, pk):
    """The partnership's secondments, filtered by organisation, staff group and status."""
    partnership = _partnership(request, pk)
    secondments = (
        selectors.secondment_list(request.user)
        .filter(partnership=partnership)
        .order_by("-start_date", "reference")
    )
    params = request.GET.copy()
    params.pop("page", None)
    filterset = SecondmentFilterSet(params or None, queryset=secondments)
    filter_errors = filterset.is_bound and not filterset.is_valid()
    queryset = secondments if filter_errors or not filterset.is_bound else filterset.qs
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "secondments/secondment_list.jinja",
        {
            "partnership": partnership,
            "page": page,
            "secondments": page.object_list,
            "filterset": filterset,
            "filter_errors": filter_errors,
            "organisations": [party.organisation for party in partnership.parties.all()],
            "staff_groups": DeliveryStaffGroup.choices,
            "statuses": SecondmentStatus.choices,
            "selected": {name: params.getlist(name) for name in params},
            "query_string": urlencode({name: params.getlist(name) for name in params}, doseq=True),
            "can_add": bool(selectors.home_parties(request.user, partnership)),
        },
    )


@login_required
def development(request, pk):
    """What individuals gained: objectives and learning outcomes of the ended secondments."""
    partnership = _partnership(request, pk)
    secondments = (
        selectors.development_list(request.user)
        .filter(partnership=partnership)
        .order_by("-end_date", "reference")
    )
    page = Paginator(secondments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "secondments/development.jinja",
        {"partnership": partnership, "page": page, "secondments": page.object_list},
    )


@login_required
def secondment_create(request, pk):
    partnership = _partnership(request, pk)
    homes = selectors.home_parties(request.user, partnership)
    if not homes:
        # The policy's own answer: 409 when the partnership is closed, else 403.
        for party in partnership.parties.all():
            probe = Secondment(partnership=partnership, home_organisation=party.organisation)
            if access.can_act_for(request.user, party.organisation_id):
                access.require(request.user, "change", probe)
        raise PermissionDenied(
            "Only a programme manager or executive of the home organisation can record its "
            "secondments."
        )
    form = SecondmentForm(
        _posted(request),
        instance=Secondment(partnership=partnership),
        partnership=partnership,
        homes=homes,
    )
    if request.method == "POST" and form.is_valid():
        try:
            secondment = services.secondment_create(
                by=request.user,
                partnership=partnership,
                home_organisation=form.cleaned_data["home_organisation"],
                **form.values(),
            )
        except PermissionDenied as error:
            form.add_error("home_organisation", str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Secondment {secondment.reference} added.")
            return redirect("secondments:detail", pk=secondment.pk)
    return render(
        request,
        "secondments/secondment_form.jinja",
        {"form": form, "partnership": partnership, "secondment": None},
    )


@login_required
def secondment_update(request, pk):
    secondment = _secondment(request, pk)
    access.require(request.user, "change", secondment)
    form = SecondmentForm(
        _posted(request), instance=copy.copy(secondment), partnership=secondment.partnership
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.secondment_update(
                secondment=secondment, by=request.user, version=form.version, **form.values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Secondment {secondment.reference} saved.")
            return redirect("secondments:detail", pk=secondment.pk)
    return render(
        request,
        "secondments/secondment_form.jinja",
        {"form": form, "partnership": secondment.partnership, "secondment": secondment},
    )


@login_required
def secondment_detail(request, pk):
    secondment = _secondment(request, pk)
    can_change = access.allows(request.user, "change", secondment)
    return render(
        request,
        "secondments/secondment_detail.jinja",
        {
            "secondment": secondment,
            "partnership": secondment.partnership,
            "can_change": can_change and secondment.status != SecondmentStatus.CANCELLED,
            "can_end": can_change
            and secondment.status in (SecondmentStatus.ACTIVE, SecondmentStatus.ENDED),
            "can_cancel": can_change and secondment.status == SecondmentStatus.PLANNED,
            "history": selectors.secondment_history(secondment),
        },
    )


@login_required
def secondment_end(request, pk):
    """Record the learning outcomes at the end (and the end date, if it ended early)."""
    secondment = _secondment(request, pk)
    access.require(request.user, "change", secondment)
    today = timezone.localdate()
    initial = {
        "end_date": min(secondment.end_date, today),
        "learning_outcomes": secondment.learning_outcomes,
    }
    form = EndForm(_posted(request), initial=initial, version=secondment.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.secondment_end(
                secondment=secondment,
                by=request.user,
                version=form.version,
                end_date=form.cleaned_data["end_date"],
                learning_outcomes=form.cleaned_data["learning_outcomes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Learning outcomes of {secondment.reference} saved.")
            return redirect("secondments:detail", pk=secondment.pk)
    return render(
        request,
        "secondments/secondment_end.jinja",
        {"form": form, "secondment": secondment, "partnership": secondment.partnership},
    )


@login_required
def secondment_cancel(request, pk):
    secondment = _secondment(request, pk)
    access.require(request.user, "change", secondment)
    form = CancelForm(_posted(request), version=secondment.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.secondment_cancel(
                secondment=secondment,
                by=request.user,
                version=form.version,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Secondment {secondment.reference} cancelled.")
            return redirect("secondments:detail", pk=secondment.pk)
    return render(
        request,
        "secondments/secondment_cancel.jinja",
        {"form": form, "secondment": secondment, "partnership": secondment.partnership},
    )


# --- Capacity of an organisation ----------------------------------------------------------------


def _capacity_page(request, organisation, partnership=None, *, form=None, status=200):
    figures = selectors.organisation_capacity(organisation, request.user, partnership)
    return render(
        request,
        "secondments/capacity.jinja",
        {
            "organisation": organisation,
            "partnership": partnership,
            "capacity": figures,
            "history": selectors.capacity_history(organisation),
            "can_set": access.allows(
                request.user, "set", CapacityThreshold(organisation=organisation)
            ),
            "form": form,
        },
        status=status,
    )


@login_required
def capacity(request, code):
    """The organisation's staff seconded out: per staff group today, and month by month."""
    organisation = _organisation(request, code)
    partnership = None
    if request.GET.get("partnership"):
        try:
            partnership = _partnership(request, request.GET["partnership"])
        except ValidationError:
            raise Http404("No such partnership.") from None
    return _capacity_page(request, organisation, partnership)


@login_required
@require_POST
def capacity_raise_risk(request, code):
    """The talent-pool warning's button: raise the pre-filled workforce and capacity risk on the
    partnership's register, then show it (or, if it was raised already, say so and link to it)."""
    organisation = _organisation(request, code)
    rule = TalentPoolRisk.access_rules["raise"]
    if not access.can_act_for(request.user, organisation.pk, rule.roles):
        raise PermissionDenied(rule.message.format(organisation=organisation))
    form = RaiseRiskForm(request.POST)
    if not form.is_valid():
        return _capacity_page(request, organisation, form=form, status=400)
    partnership = _partnership(request, form.cleaned_data["partnership"])
    back = redirect("secondments:capacity", code=organisation.pk)
    try:
        raised = services.talent_pool_risk_raise(
            by=request.user,
            partnership=partnership,
            organisation=organisation,
            staff_group=form.cleaned_data["staff_group"],
        )
    except services.RiskAlreadyRaised as error:
        existing = error.existing
        messages.info(
            request,
            format_html(
                '{} <a href="{}">See risk {}</a>.',
                " ".join(error.messages),
                risk_raising.url_for(existing.risk_id),
                existing.risk_reference,
            ),
        )
        return back
    except StateConflict as error:
        messages.error(request, " ".join(error.messages))
        return back
    messages.success(
        request,
        f"Risk {raised.risk_reference} added to {partnership.reference}'s register, owned by "
        f"{organisation.display_name}. Check it and add what controls it.",
    )
    return redirect(risk_raising.url_for(raised.risk_id))


@login_required
def capacity_settings(request, code):
    """Record the establishment of a staff group, or the warning threshold."""
    organisation = _organisation(request, code)
    access.require(request.user, "set", CapacityThreshold(organisation=organisation))
    figures = selectors.organisation_capacity(organisation, request.user)
    threshold = figures.threshold
    posted = _posted(request)
    which = request.POST.get("form") if posted else None
    threshold_form = ThresholdForm(
        posted if which == "threshold" else None,
        initial={"unbackfilled_percent": figures.threshold_percent},
        version=threshold.version if threshold else None,
        prefix="threshold",
    )
    establishment_form = EstablishmentForm(
        posted if which == "establishment" else None, prefix="establishment"
    )
    form = threshold_form if which == "threshold" else establishment_form
    if posted and which in ("threshold", "establishment") and form.is_valid():
        try:
            if which == "threshold":
                services.capacity_threshold_set(
                    organisation=organisation,
                    by=request.user,
                    version=form.version,
                    unbackfilled_percent=form.cleaned_data["unbackfilled_percent"],
                )
                messages.success(request, "Warning threshold saved.")
            else:
                services.establishment_set(
                    organisation=organisation,
                    by=request.user,
                    staff_group=form.cleaned_data["staff_group"],
                    fte=form.cleaned_data["fte"],
                )
                messages.success(request, "Establishment saved.")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("secondments:capacity", code=organisation.pk)
    return render(
        request,
        "secondments/capacity_settings.jinja",
        {
            "organisation": organisation,
            "capacity": figures,
            "threshold_form": threshold_form,
            "establishment_form": establishment_form,
            "staff_groups": DeliveryStaffGroup.choices,
        },
    )
