"""Browser pages for partnerships. Thin: parse input, ask selectors, call services."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from partnerships import access, selectors, services
from partnerships.filtersets import PartnershipFilterSet

PAGE_SIZE = 25


@login_required
def partnership_list(request):
    filterset = PartnershipFilterSet(
        request.GET or None,
        queryset=selectors.partnership_list(request.user).order_by("-created_at", "reference"),
    )
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partnerships/partnership_list.jinja",
        {"filterset": filterset, "page": page, "partnerships": page.object_list},
    )


@login_required
def partnership_detail(request, pk):
    partnership = get_object_or_404(selectors.partnership_detail(request.user), pk=pk)
    return render(
        request,
        "partnerships/partnership_detail.jinja",
        {
            "partnership": partnership,
            "history": selectors.partnership_history(partnership),
            "can_change": access.can_change_partnership(request.user, partnership),
            "can_change_status": access.can_change_status(request.user, partnership),
            "approvable_parties": access.approvable_parties(request.user, partnership),
            "missing_approvals": services.missing_approvals(partnership),
            "allowed_transitions": services.allowed_transitions(partnership),
        },
    )
