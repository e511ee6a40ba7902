"""The home pages: what needs the person's attention, and the regulator's portfolio."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from buddying.dashboard import search as search_module
from buddying.dashboard import selectors
from buddying.dashboard.filtersets import PortfolioFilterSet
from partnerships import access
from partnerships import selectors as partnership_selectors
from partnerships.choices import PartnershipStatus, Rag

PAGE_SIZE = 25
# The home lists a person's first partnerships and links to them all: a typical trust user is in
# about 40, and drawing every row was a third of the page's rendering (issue 15).
HOME_PARTNERSHIPS = 10


@login_required
def dashboard(request):
    """A regulator's home is the portfolio; everyone else's is what needs them, then their
    partnerships."""
    if access.is_regulator(request.user):
        return portfolio(request, home=True)
    items = selectors.needs_attention(request.user)
    partnerships = list(
        partnership_selectors.partnership_list(request.user).order_by("status", "reference")[
            : HOME_PARTNERSHIPS + 1
        ]
    )
    return render(
        request,
        "dashboard/dashboard.jinja",
        {
            "items": items,
            "waiting": [item for item in items if item.count],
            "by_key": {item.key: item for item in items},
            "partnerships": partnerships[:HOME_PARTNERSHIPS],
            "more_partnerships": len(partnerships) > HOME_PARTNERSHIPS,
            "rag_labels": dict(Rag.choices),
            "has_memberships": bool(access.memberships_of(request.user)),
            "is_programme_manager": any(
                m.role == "programme_manager" for m in access.memberships_of(request.user)
            ),
        },
    )


@login_required
def portfolio(request, home: bool = False):
    """Every partnership the person may see with its status, delivery, risks outside appetite and
    last activity, filterable by name, region, ICB, status and delivery."""
    today = timezone.localdate()
    queryset = selectors.portfolio(request.user, today)
    filterset = PortfolioFilterSet(
        request.GET or None,
        queryset=queryset.order_by("-quiet", "status", "reference"),
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    partnerships = selectors.attach_portfolio_figures(list(page.object_list), today)
    query = request.GET.copy()
    query.pop("page", None)
    filters_query = query.urlencode()
    return render(
        request,
        "dashboard/portfolio.jinja",
        {
            "home": home,
            "filterset": filterset,
            "form": filterset.form,
            "page": page,
            "partnerships": partnerships,
            "filters_query": filters_query,
            "page_url_prefix": "?" + (filters_query + "&" if filters_query else "") + "page=",
            "by_region": selectors.portfolio_by_region(filterset.qs),
            "statuses": PartnershipStatus.choices,
            "rag_labels": dict(Rag.choices),
            "quiet_days": selectors.QUIET_DAYS,
            "today": today,
            "uses_autocomplete": False,
        },
    )


@login_required
def search(request):
    """The search box's page: partnerships, risks and organisations found by words, each as far
    as the person may see it."""
    text = request.GET.get("q", "")[:200]
    return render(
        request,
        "dashboard/search.jinja",
        {"results": search_module.search(request.user, text), "limit": search_module.LIMIT},
    )
