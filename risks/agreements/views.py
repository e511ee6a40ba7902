"""Browser pages for agreements and disputes. Thin: parse input, ask selectors, call services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from buddying.common.errors import StaleVersion, StateConflict
from buddying.common.forms import add_service_errors
from partnerships import access
from partnerships import selectors as partnership_selectors
from risks import selectors as risk_selectors
from risks.agreements import selectors, services
from risks.agreements.choices import AgreementStatus
from risks.agreements.forms import (
    AgreementForm,
    ConfirmForm,
    DisputeEditForm,
    DisputeForm,
    DisputeTransitionForm,
    LineForm,
    SignForm,
    TerminateForm,
)
from risks.agreements.models import Agreement, AgreementLine, Dispute


def _conflict(error) -> bool:
    """A state the change is refused in (answered 409 by the middleware), not a stale form."""
    return isinstance(error, StateConflict) and not isinstance(error, StaleVersion)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _partnership(user, pk):
    return get_object_or_404(partnership_selectors.partnership_list(user), pk=pk)


def _agreement(user, pk) -> Agreement:
    return get_object_or_404(selectors.agreement_detail(user), pk=pk)


def _risks(user, partnership):
    return risk_selectors.risks_visible_to(user).filter(partnership=partnership).order_by("number")


@login_required
def agreement_list(request, pk):
    """Every version of the partnership's agreement, and its disputes."""
    partnership = _partnership(request.user, pk)
    return render(
        request,
        "agreements/agreement_list.jinja",
        {
            "partnership": partnership,
            "agreements": selectors.agreement_list(request.user)
            .filter(partnership=partnership)
            .order_by("-number"),
            "disputes": selectors.dispute_list(request.user)
            .filter(agreement__partnership=partnership)
            .order_by("-raised_on", "-created_at"),
            "can_draft": access.allows(request.user, "change", Agreement(partnership=partnership)),
        },
    )


def _detail_context(request, agreement: Agreement) -> dict:
    user = request.user
    can_change = access.allows(user, "change", agreement)
    return {
        "agreement": agreement,
        "partnership": agreement.partnership,
        "lines": agreement.lines.all(),
        "sponsor_rows": selectors.sponsor_rows(agreement),
        "verification": selectors.verify(agreement),
        "disputes": agreement.disputes.all(),
        "history": selectors.agreement_history(agreement),
        "can_change": can_change,
        "can_edit": can_change and agreement.status == AgreementStatus.DRAFT,
        "can_sign": bool(services.signable_parties(user, agreement)),
        "can_terminate": agreement.status == AgreementStatus.IN_FORCE
        and access.allows(user, "terminate", agreement),
        "can_raise": bool(services.raising_parties(user, agreement)),
        "problems": services.submission_problems(agreement) if agreement.is_draft else [],
        "confirm_form": ConfirmForm(version=agreement.version),
    }


@login_required
def agreement_detail(request, pk):
    agreement = _agreement(request.user, pk)
    return render(request, "agreements/agreement_detail.jinja", _detail_context(request, agreement))


@login_required
def agreement_print(request, pk):
    """What a board signs: the agreement alone, laid out for paper."""
    agreement = _agreement(request.user, pk)
    return render(
        request,
        "agreements/agreement_print.jinja",
        {
            "agreement": agreement,
            "partnership": agreement.partnership,
            "lines": agreement.lines.all(),
            "sponsor_rows": selectors.sponsor_rows(agreement),
            "verification": selectors.verify(agreement),
        },
    )


@login_required
def agreement_create(request, pk):
    partnership = _partnership(request.user, pk)
    access.require(request.user, "change", Agreement(partnership=partnership))
    services.refuse_second_open(partnership)
    form = AgreementForm(_posted(request), initial={"shared_intent": partnership.shared_intent})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            agreement = services.agreement_create(partnership=partnership, by=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Version {agreement.number} drafted. Now add the shared risks."
            )
            return redirect("agreements:detail", agreement.pk)
    return render(
        request,
        "agreements/agreement_form.jinja",
        {"form": form, "partnership": partnership, "agreement": None},
    )


@login_required
def agreement_edit(request, pk):
    agreement = _agreement(request.user, pk)
    access.require(request.user, "change", agreement)
    if not agreement.is_draft:
        services.require_draft(agreement)
    initial = {name: getattr(agreement, name) for name in services.AGREEMENT_FIELDS}
    initial["mediator_organisation"] = agreement.mediator_organisation_id
    form = AgreementForm(_posted(request), initial=initial, version=agreement.version)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.agreement_update(
                agreement=agreement, by=request.user, version=form.version, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Version {agreement.number} saved.")
            return redirect("agreements:detail", agreement.pk)
    return render(
        request,
        "agreements/agreement_form.jinja",
        {"form": form, "partnership": agreement.partnership, "agreement": agreement},
    )


def _line_form(request, agreement, line=None):
    parties = list(agreement.partnership.parties.all())
    initial = {}
    if line is not None:
        initial = {
            "risk": line.risk_id,
            "lead_organisation": line.lead_organisation_id,
            "liability_cap_gbp": line.liability_cap_gbp,
            "responsibilities": line.responsibilities,
        }
        for share in line.shares.all():
            initial[f"share_{share.organisation_id}"] = f"{share.percent:f}"
    return LineForm(
        _posted(request),
        initial=initial,
        parties=parties,
        risks=_risks(request.user, agreement.partnership),
        version=line.version if line is not None else None,
    )


def _save_line(request, agreement, line=None):
    access.require(request.user, "change", agreement)
    services.require_draft(agreement)
    form = _line_form(request, agreement, line)
    if request.method == "POST" and form.is_valid():
        try:
            services.line_save(
                agreement=agreement,
                by=request.user,
                line=line,
                version=form.version,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Shared risk saved.")
            return redirect("agreements:detail", agreement.pk)
    return render(
        request,
        "agreements/line_form.jinja",
        {"form": form, "agreement": agreement, "partnership": agreement.partnership, "line": line},
    )


@login_required
def line_create(request, pk):
    return _save_line(request, _agreement(request.user, pk))


def _line(user, pk) -> AgreementLine:
    line = get_object_or_404(access.visible(AgreementLine, user).select_related("risk"), pk=pk)
    return line


@login_required
def line_edit(request, pk):
    line = _line(request.user, pk)
    agreement = _agreement(request.user, line.agreement_id)
    line = next(item for item in agreement.lines.all() if item.pk == line.pk)
    return _save_line(request, agreement, line)


@login_required
def line_delete(request, pk):
    line = _line(request.user, pk)
    agreement = _agreement(request.user, line.agreement_id)
    access.require(request.user, "change", agreement)
    services.require_draft(agreement)
    if request.method == "POST":
        services.line_delete(line=line, by=request.user)
        messages.success(request, f"{line.risk.reference} removed from the agreement.")
        return redirect("agreements:detail", agreement.pk)
    return render(
        request,
        "agreements/line_delete.jinja",
        {"line": line, "agreement": agreement, "partnership": agreement.partnership},
    )


def _confirmed(request, agreement, service, success: str):
    """POST a confirm form: call ``service``; errors come back on the agreement page."""
    form = ConfirmForm(request.POST, version=agreement.version)
    form.is_valid()
    try:
        service(agreement=agreement, by=request.user, version=form.version)
    except ValidationError as error:
        # StateConflict is answered 409 by the middleware; other problems show on the page.
        if _conflict(error):
            raise
        add_service_errors(form, error)
        context = _detail_context(request, _agreement(request.user, agreement.pk))
        context["form"] = form
        return render(request, "agreements/agreement_detail.jinja", context, status=400)
    messages.success(request, success)
    return redirect("agreements:detail", agreement.pk)


@login_required
@require_POST
def agreement_submit(request, pk):
    agreement = _agreement(request.user, pk)
    return _confirmed(
        request,
        agreement,
        services.agreement_submit,
        f"Version {agreement.number} is awaiting signatures from an executive of each organisation.",
    )


@login_required
@require_POST
def agreement_return(request, pk):
    agreement = _agreement(request.user, pk)
    return _confirmed(
        request,
        agreement,
        services.agreement_return_to_draft,
        f"Version {agreement.number} is a draft again. Any signatures given were cleared.",
    )


@login_required
@require_POST
def agreement_new_version(request, pk):
    agreement = _agreement(request.user, pk)
    copy = services.agreement_new_version(agreement=agreement, by=request.user)
    messages.success(request, f"Version {copy.number} drafted from version {agreement.number}.")
    return redirect("agreements:detail", copy.pk)


@login_required
def agreement_sign(request, pk):
    agreement = _agreement(request.user, pk)
    access.require(request.user, "sign", agreement)
    parties = services.signable_parties(request.user, agreement)
    if not parties:
        # Not awaiting signatures, or the person's organisations have all signed: say why (409).
        services.agreement_sign(agreement=agreement, by=request.user)
    verification = selectors.verify(agreement)
    form = SignForm(
        _posted(request),
        parties=parties,
        initial={"content_hash": verification.current_hash},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_sign(
                agreement=agreement,
                by=request.user,
                organisation=form.cleaned_data["organisation"],
                content_hash=form.cleaned_data["content_hash"] or None,
            )
        except ValidationError as error:
            if _conflict(error):
                raise
            add_service_errors(form, error)
        else:
            agreement.refresh_from_db(fields=["status"])
            if agreement.status == AgreementStatus.IN_FORCE:
                messages.success(
                    request,
                    f"Signed. Every organisation has signed: version {agreement.number} is in force.",
                )
            else:
                messages.success(request, "Signed. Waiting for the other organisations to sign.")
            return redirect("agreements:detail", agreement.pk)
    return render(
        request,
        "agreements/sign.jinja",
        {
            "form": form,
            "agreement": agreement,
            "partnership": agreement.partnership,
            "lines": agreement.lines.all(),
            "verification": verification,
        },
    )


@login_required
def agreement_terminate(request, pk):
    agreement = _agreement(request.user, pk)
    access.require(request.user, "terminate", agreement)
    form = TerminateForm(_posted(request), version=agreement.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_terminate(
                agreement=agreement,
                by=request.user,
                reason=form.cleaned_data["reason"],
                version=form.version,
            )
        except ValidationError as error:
            if _conflict(error):
                raise
            add_service_errors(form, error)
        else:
            messages.success(request, f"Version {agreement.number} is terminated.")
            return redirect("agreements:detail", agreement.pk)
    return render(
        request,
        "agreements/terminate.jinja",
        {"form": form, "agreement": agreement, "partnership": agreement.partnership},
    )


# --- Disputes ------------------------------------------------------------------------------------


@login_required
def dispute_create(request, pk):
    agreement = _agreement(request.user, pk)
    parties = services.raising_parties(request.user, agreement)
    if not parties:
        # Say why: 403 (not a writer of any party) or 409 (a closed partnership).
        first = agreement.partnership.parties.all()[0]
        access.require(
            request.user,
            "raise",
            Dispute(agreement=agreement, raised_by_organisation=first.organisation),
        )
    form = DisputeForm(
        _posted(request),
        parties=parties,
        risks=_risks(request.user, agreement.partnership),
        initial={"mediator_organisation": agreement.mediator_organisation_id},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            dispute = services.dispute_raise(agreement=agreement, by=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Dispute recorded.")
            return redirect("agreements:dispute_detail", dispute.pk)
    return render(
        request,
        "agreements/dispute_form.jinja",
        {
            "form": form,
            "agreement": agreement,
            "partnership": agreement.partnership,
            "dispute": None,
        },
    )


def _dispute(user, pk):
    return get_object_or_404(selectors.dispute_detail(user), pk=pk)


@login_required
def dispute_detail(request, pk):
    dispute = _dispute(request.user, pk)
    can_change = access.allows(request.user, "change", dispute)
    return render(
        request,
        "agreements/dispute_detail.jinja",
        {
            "dispute": dispute,
            "agreement": dispute.agreement,
            "partnership": dispute.agreement.partnership,
            "history": selectors.dispute_history(dispute),
            "can_change": can_change and dispute.status != "resolved",
        },
    )


@login_required
def dispute_edit(request, pk):
    dispute = _dispute(request.user, pk)
    access.require(request.user, "change", dispute)
    partnership = dispute.agreement.partnership
    form = DisputeEditForm(
        _posted(request),
        risks=_risks(request.user, partnership),
        version=dispute.version,
        initial={
            "title": dispute.title,
            "description": dispute.description,
            "risk": dispute.risk_id,
            "mediator_organisation": dispute.mediator_organisation_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.dispute_update(dispute=dispute, by=request.user, version=form.version, **data)
        except ValidationError as error:
            if _conflict(error):
                raise
            add_service_errors(form, error)
        else:
            messages.success(request, "Dispute saved.")
            return redirect("agreements:dispute_detail", dispute.pk)
    return render(
        request,
        "agreements/dispute_form.jinja",
        {
            "form": form,
            "agreement": dispute.agreement,
            "partnership": partnership,
            "dispute": dispute,
        },
    )


@login_required
def dispute_transition(request, pk):
    dispute = _dispute(request.user, pk)
    access.require(request.user, "change", dispute)
    if dispute.status == "resolved":
        raise StateConflict("The dispute is resolved, so its status cannot change.")
    form = DisputeTransitionForm(
        _posted(request),
        status=dispute.status,
        version=dispute.version,
        initial={"mediator_organisation": dispute.mediator_organisation_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.dispute_transition(
                dispute=dispute,
                by=request.user,
                to=form.cleaned_data["to"],
                resolution=form.cleaned_data["resolution"],
                mediator_organisation=form.cleaned_data["mediator_organisation"],
                version=form.version,
            )
        except ValidationError as error:
            if _conflict(error):
                raise
            add_service_errors(form, error)
        else:
            messages.success(request, "Dispute status changed.")
            return redirect("agreements:dispute_detail", dispute.pk)
    return render(
        request,
        "agreements/dispute_transition.jinja",
        {
            "form": form,
            "dispute": dispute,
            "agreement": dispute.agreement,
            "partnership": dispute.agreement.partnership,
        },
    )
