"""Browser pages for risks and risk appetites. Thin: parse input, ask selectors, call services."""

from urllib.parse import urlencode
from uuid import uuid4

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from buddying.common.forms import add_service_errors
from partnerships import access
from partnerships import selectors as partnership_selectors
from partnerships.access import organisations_related_to
from risks import matrix, selectors, services
from risks.choices import AppetiteLevel, RiskBand, RiskCategory, RiskStatus
from risks.filtersets import RiskFilterSet
from risks.forms import (
    RISK_STEPS,
    ActionEditForm,
    ActionForm,
    AppetiteForm,
    RiskEditForm,
    RiskForm,
    RiskStep,
    RiskStepForm,
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
    # The page's ids first (a narrow sort of the partnership's risks), then the rows for those
    # ids with their warnings: the largest partnership has 3,993 risks (issue 15).
    page = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    by_pk = queryset.in_bulk(list(page.object_list))
    # The owners' ids first: as one semi-join PostgreSQL probed every user's risks (100 ms).
    owner_ids = (
        Risk.objects.filter(partnership=partnership)
        .order_by()
        .values_list("owner_id", flat=True)
        .distinct()
    )
    owners = User.objects.filter(pk__in=list(owner_ids)).order_by(
        "first_name", "last_name", "username"
    )
    query = {name: request.GET.getlist(name) for name in request.GET if name != "page"}
    return render(
        request,
        "risks/register.jinja",
        {
            "partnership": partnership,
            "page": page,
            "risks": selectors.attach_outside_appetite([by_pk[pk] for pk in page.object_list]),
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
    """The old single page for adding a risk: its address now starts the steps."""
    partnership = _partnership(request.user, pk)
    _require_manage(request.user, partnership)
    return redirect(_step_url(partnership, RISK_STEPS[0]))


# --- Adding a risk, a short step at a time, then "Check your answers" --------------------------
# The answers are kept in the session (one draft per partnership) until the risk is added, so
# the steps work without JavaScript and going back or changing one answer keeps the others.
# Each step judges its own fields (the form's rules, then the service's ``risk_check`` with the
# answers so far); ``services.risk_create`` judges them all again when the risk is added.

STEPS_BY_SLUG = {step.slug: step for step in RISK_STEPS}
# How long a draft's "Add risk" stays claimed (``add`` in the cache every process shares), so that
# a second press while the first is still adding it, in any web process, cannot add the risk twice.
ADDING_CLAIM_SECONDS = 60 * 60


def _draft_key(partnership) -> str:
    return f"risks:new:{partnership.pk}"


def _draft(request, partnership) -> dict:
    """The answers given so far (``answers``: the form's text, by field), the steps answered
    (``done``) and the draft's ``token``; or ``created``, the risk added from the last draft."""
    return request.session.get(_draft_key(partnership)) or {}


def _save_draft(request, partnership, draft: dict) -> None:
    request.session[_draft_key(partnership)] = draft


def _as_text(value) -> str:
    """A cleaned value as its form takes it back, for the session (which holds JSON)."""
    if value is None or value is False:
        return ""
    if value is True:
        return "on"
    if hasattr(value, "pk"):
        return str(value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _first_unanswered(draft: dict):
    done = set(draft.get("done", ()))
    return next((step for step in RISK_STEPS if step.slug not in done), None)


def _step_url(partnership, step) -> str:
    return reverse("risks:create_step", args=[partnership.pk, step.slug])


def _render_step(request, partnership, draft: dict, form: RiskStepForm):
    step = form.step
    index = RISK_STEPS.index(step)
    if _first_unanswered(draft) is None:
        back = reverse("risks:create_check", args=[partnership.pk])
    elif index:
        back = _step_url(partnership, RISK_STEPS[index - 1])
    else:
        back = reverse("risks:register", args=[partnership.pk])
    return render(
        request,
        "risks/risk_step.jinja",
        {
            "form": form,
            "partnership": partnership,
            "step": step,
            "number": index + 1,
            "steps": len(RISK_STEPS),
            "action": _step_url(partnership, step),
            "back": back,
            **_scales(),
        },
    )


def _check_so_far(partnership, answers: dict, upto) -> None:
    """``services.risk_check`` of the answers of the steps up to ``upto`` (later ones are not
    judged yet); nothing when an earlier answer no longer stands (the last page shows it)."""
    fields = [name for step in RISK_STEPS[: RISK_STEPS.index(upto) + 1] for name in step.fields]
    form = RiskStepForm(answers, partnership=partnership, step=RiskStep("", "", tuple(fields)))
    if form.is_valid():
        cleaned = dict(form.cleaned_data)
        confirm = cleaned.pop("confirm", False)
        services.risk_check(partnership=partnership, confirm=confirm, **cleaned)


@login_required
def risk_create_step(request, pk, step):
    partnership = _partnership(request.user, pk)
    _require_manage(request.user, partnership)
    step = STEPS_BY_SLUG.get(step)
    if step is None:
        raise Http404("No such step.")
    draft = _draft(request, partnership)
    if "created" in draft:
        draft = {}  # that draft became a risk: this is a new one
    unanswered = _first_unanswered(draft)
    if unanswered and RISK_STEPS.index(unanswered) < RISK_STEPS.index(step):
        return redirect(_step_url(partnership, unanswered))
    answers = draft.get("answers", {})
    form = RiskStepForm(request.POST or None, initial=answers, partnership=partnership, step=step)
    if request.method == "POST" and form.is_valid():
        answers = answers | {name: _as_text(value) for name, value in form.cleaned_data.items()}
        try:
            _check_so_far(partnership, answers, step)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = [slug for slug in draft.get("done", ()) if slug != step.slug] + [step.slug]
            draft = {"answers": answers, "done": done, "token": draft.get("token") or uuid4().hex}
            _save_draft(request, partnership, draft)
            following = _first_unanswered(draft)
            if following:
                return redirect(_step_url(partnership, following))
            return redirect("risks:create_check", partnership.pk)
    return _render_step(request, partnership, draft, form)


def _show_problem(request, partnership, draft: dict, error: ValidationError | None = None):
    """The first step with a problem in the draft's answers, with its errors: the page "Check
    your answers" shows it when an answer no longer stands (or the service refused one)."""
    keys = set(getattr(error, "error_dict", None) or ())
    for step in RISK_STEPS:
        form = RiskStepForm(draft["answers"], partnership=partnership, step=step)
        if not form.is_valid() or keys & set(step.fields):
            break
    else:
        step = RISK_STEPS[-1]  # a problem with no field of its own: shown on the last step
    if error is not None:
        add_service_errors(form, error)
    return _render_step(request, partnership, draft, form)


@login_required
def risk_create_check(request, pk):
    """ "Check your answers", then "Add risk": the risk is added once, by ``risk_create``."""
    partnership = _partnership(request.user, pk)
    _require_manage(request.user, partnership)
    draft = _draft(request, partnership)
    if "created" in draft:
        if request.method == "POST":  # "Add risk" pressed again: the risk is there already
            return redirect("risks:detail", draft["created"])
        draft = {}
    unanswered = _first_unanswered(draft)
    if unanswered:
        return redirect(_step_url(partnership, unanswered))
    form = RiskForm(draft["answers"], partnership=partnership)
    if not form.is_valid():
        return _show_problem(request, partnership, draft)
    if request.method == "POST":
        claim = f"risks:new:adding:{draft['token']}"
        if not caches["shared"].add(claim, True, ADDING_CLAIM_SECONDS):
            messages.info(request, "That risk is already being added.")
            return redirect("risks:register", partnership.pk)
        try:
            risk = services.risk_create(
                partnership=partnership, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            caches["shared"].delete(claim)
            return _show_problem(request, partnership, draft, error)
        _save_draft(request, partnership, {"created": str(risk.pk)})
        messages.success(request, f"Risk {risk.reference} added.")
        return redirect("risks:detail", risk.pk)
    first_review = None
    if not form.cleaned_data["next_review_date"]:
        first_review = services.first_review_date(form.cleaned_data["review_frequency"])
    return render(
        request,
        "risks/risk_check.jinja",
        {
            "form": form,
            "partnership": partnership,
            "steps": [(step, _step_url(partnership, step)) for step in RISK_STEPS],
            "first_review": first_review,
            **_scales(),
        },
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
