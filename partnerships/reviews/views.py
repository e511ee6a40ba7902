"""Browser pages for reviews, learning and the learning library. Thin: parse input, ask the
selectors, call the services. Invisible objects answer 404; visible ones a person may not change,
403; a signed-off review, 409."""

import copy
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from buddying.common.errors import StateConflict
from buddying.common.forms import add_service_errors
from partnerships import access
from partnerships import selectors as partnership_selectors
from partnerships.reviews import selectors, services
from partnerships.reviews.choices import LearningDirection, LearningTheme
from partnerships.reviews.filtersets import LearningFilterSet
from partnerships.reviews.forms import InterimReviewForm, LearningForm, ReviewForm
from partnerships.reviews.models import LearningItem, OutcomeReview

LIBRARY_PAGE_SIZE = 25


def _posted(request):
    return request.POST if request.method == "POST" else None


def _partnership(request, pk):
    return get_object_or_404(partnership_selectors.partnership_list(request.user), pk=pk)


def _review(request, pk) -> OutcomeReview:
    return get_object_or_404(selectors.review_detail(request.user), pk=pk)


# --- Reviews -------------------------------------------------------------------------------------


@login_required
def review_create(request, pk):
    """Add an interim review (quarterly and final reviews are scheduled)."""
    partnership = _partnership(request, pk)
    access.require(request.user, "change", OutcomeReview(partnership=partnership))
    form = InterimReviewForm(_posted(request), instance=OutcomeReview(partnership=partnership))
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_create(
                partnership=partnership,
                by=request.user,
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Interim review added. Fill it in below.")
            return redirect("reviews:edit", pk=review.pk)
    return render(
        request, "reviews/review_create.jinja", {"form": form, "partnership": partnership}
    )


def _detail(request, review, *, error=None, status=200):
    user = request.user
    return render(
        request,
        "reviews/review_detail.jinja",
        {
            "review": review,
            "partnership": review.partnership,
            "assessment_rows": selectors.assessment_rows(review),
            "overdue": selectors.is_overdue(review),
            "can_change": not review.is_read_only and access.allows(user, "change", review),
            "can_sign_off": review.status == "submitted"
            and access.allows(user, "sign_off", review)
            and bool(
                {p.pk for p in access.approvable_parties(user, review.partnership)}
                & {p.pk for p in services.missing_sign_offs(review)}
            ),
            "missing_sign_offs": services.missing_sign_offs(review),
            "error": error,
            "history": selectors.review_history(review),
        },
        status=status,
    )


@login_required
def review_detail(request, pk):
    return _detail(request, _review(request, pk))


@login_required
def review_edit(request, pk):
    review = _review(request, pk)
    access.require(request.user, "change", review)
    if review.is_read_only:
        raise StateConflict("This review is signed off, so it cannot be changed.")
    objectives = list(review.partnership.objectives.all())
    form = ReviewForm(
        _posted(request),
        instance=copy.copy(review),
        objectives=objectives,
        prefill=selectors.cost_prefill(review.partnership, review.period_start, review.period_end),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.review_update(
                review=review,
                by=request.user,
                version=form.version,
                assessments=form.assessments(),
                **form.values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Review saved.")
            return redirect("reviews:detail", pk=review.pk)
    return render(
        request,
        "reviews/review_form.jinja",
        {"form": form, "review": review, "partnership": review.partnership},
    )


@login_required
@require_POST
def review_submit(request, pk):
    review = _review(request, pk)
    try:
        services.review_submit(review=review, by=request.user)
    except StateConflict:
        raise
    except ValidationError as error:
        return _detail(request, _review(request, pk), error=error, status=400)
    messages.success(
        request, "Review submitted. It now needs signing off by an executive of each organisation."
    )
    return redirect("reviews:detail", pk=review.pk)


@login_required
@require_POST
def review_sign_off(request, pk):
    review = _review(request, pk)
    services.review_sign_off(review=review, by=request.user)
    review = _review(request, pk)
    if review.status == "signed_off":
        messages.success(request, "Review signed off by both organisations. It is now read only.")
    else:
        messages.success(
            request, "Sign-off recorded. The other organisation's executive must sign it off too."
        )
    return redirect("reviews:detail", pk=review.pk)


# --- Learning ------------------------------------------------------------------------------------


@login_required
def learning_create(request, pk):
    partnership = _partnership(request, pk)
    access.require(request.user, "change", LearningItem(partnership=partnership))
    form = LearningForm(_posted(request), instance=LearningItem(partnership=partnership))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.learning_create(
                partnership=partnership, by=request.user, **form.values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Learning recorded.")
            return redirect("reviews:learning-detail", pk=item.pk)
    return render(
        request,
        "reviews/learning_form.jinja",
        {"form": form, "partnership": partnership, "item": None},
    )


def _learning(request, pk) -> LearningItem:
    return get_object_or_404(
        selectors.learning_list(request.user).prefetch_related("partnership__parties"), pk=pk
    )


@login_required
def learning_detail(request, pk):
    item = _learning(request, pk)
    return render(
        request,
        "reviews/learning_detail.jinja",
        {
            "item": item,
            "partnership": item.partnership,
            "in_partnership": access.can_see(request.user, item.partnership),
            "can_change": access.allows(request.user, "change", item),
            "history": selectors.learning_history(item)
            if access.can_see(request.user, item.partnership)
            else [],
        },
    )


@login_required
def learning_edit(request, pk):
    item = _learning(request, pk)
    services.require_change_learning(request.user, item)
    form = LearningForm(_posted(request), instance=copy.copy(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.learning_update(
                item=item, by=request.user, version=form.version, **form.values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Learning saved.")
            return redirect("reviews:learning-detail", pk=item.pk)
    return render(
        request,
        "reviews/learning_form.jinja",
        {"form": form, "partnership": item.partnership, "item": item},
    )


@login_required
def library(request):
    """The learning library: published learning from every partnership, searchable."""
    if not access.memberships_of(request.user):
        raise Http404("Not found.")
    items = selectors.library(request.user).order_by("-created_at", "pk")
    filterset = LearningFilterSet(request.GET or None, queryset=items)
    filter_errors = filterset.is_bound and not filterset.is_valid()
    queryset = items if filter_errors or not filterset.is_bound else filterset.qs
    page = Paginator(queryset, LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {name: request.GET.getlist(name) for name in request.GET if name != "page"}
    return render(
        request,
        "reviews/library.jinja",
        {
            "page": page,
            "items": page.object_list,
            "q": request.GET.get("q", ""),
            "selected": {name: request.GET.getlist(name) for name in request.GET},
            "themes": LearningTheme.choices,
            "directions": LearningDirection.choices,
            "filter_errors": filter_errors,
            "query_string": urlencode(query, doseq=True),
        },
    )
