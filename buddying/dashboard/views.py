"""The home page: what needs the person's attention, then their partnerships."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from partnerships import access
from partnerships import selectors as partnership_selectors
from partnerships.choices import PartnershipStatus, Rag
from partnerships.commitments import selectors as commitment_selectors
from risks import selectors as risk_selectors
from risks.choices import RiskStatus

DASHBOARD_ROWS = 10


@login_required
def dashboard(request):
    """What needs the person's attention: approvals, commitments behind plan, risks outside
    appetite, then their partnerships."""
    partnerships = partnership_selectors.partnership_list(request.user).order_by(
        "status", "reference"
    )[:50]
    awaiting = partnership_selectors.partnerships_awaiting_approval_by(request.user).order_by(
        "reference"
    )
    behind = (
        commitment_selectors.commitment_list(request.user)
        .filter(rag__in=[Rag.RED, Rag.AMBER], partnership__status=PartnershipStatus.ACTIVE)
        .order_by("percent_of_expected", "reference")[:DASHBOARD_ROWS]
    )
    outside_appetite = (
        risk_selectors.risk_list(request.user)
        .filter(outside_appetite=True, status=RiskStatus.OPEN)
        .order_by("-current_score", "reference")[:DASHBOARD_ROWS]
    )
    return render(
        request,
        "dashboard/dashboard.jinja",
        {
            "partnerships": partnerships,
            "awaiting_approval": awaiting,
            "commitments_behind": behind,
            "risks_outside_appetite": outside_appetite,
            "rag_labels": dict(Rag.choices),
            "has_memberships": bool(access.memberships_of(request.user)),
            "is_regulator": access.is_regulator(request.user),
        },
    )
