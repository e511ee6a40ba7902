"""Reminders about risks: a risk review overdue, a risk action overdue (DESIGN §4).

Who is told: the risk's (or action's) owner, and the programme managers and executives of the
organisation that owns the risk. Closed risks, done actions and closed partnerships are left out.
"""

from datetime import date

from django.db.models import F
from django.urls import reverse

from buddying.common.reminders import ReminderRule, day_text, dues, link
from partnerships import access
from partnerships.choices import PartnershipStatus
from risks.choices import ActionStatus, RiskStatus
from risks.models import Risk, RiskAction


def _risk_link(key: str):
    risk_link = link(lambda pk: reverse("risks:detail", args=[pk]))
    return lambda row: risk_link(row[key])


def risk_review_overdue(today: date):
    """Open risks whose next review date has passed."""
    risks = Risk.objects.filter(status=RiskStatus.OPEN, next_review_date__lt=today).exclude(
        partnership__status=PartnershipStatus.CLOSED
    )
    rows = list(risks.values("pk", "partnership_id", "reference", "title", "next_review_date"))
    told = access.people_to_tell(risks, party="owner_organisation", owners=["owner"])
    return dues(
        rows,
        told,
        item_type="risks.risk",
        due_date=lambda row: row["next_review_date"],
        text=lambda row: (
            f"{row['reference']} {row['title']}: review was due on "
            f"{day_text(row['next_review_date'])}"
        ),
        url=_risk_link("pk"),
    )


def risk_action_overdue(today: date):
    """Open actions on open risks whose due date has passed."""
    actions = RiskAction.objects.filter(
        status=ActionStatus.OPEN, due_date__lt=today, risk__status=RiskStatus.OPEN
    ).exclude(risk__partnership__status=PartnershipStatus.CLOSED)
    rows = list(
        actions.values(
            "pk",
            "risk_id",
            "description",
            "due_date",
            "risk__reference",
            partnership_id=F("risk__partnership_id"),
        )
    )
    told = access.people_to_tell(actions, party="risk__owner_organisation", owners=["owner"])
    return dues(
        rows,
        told,
        item_type="risks.riskaction",
        due_date=lambda row: row["due_date"],
        text=lambda row: (
            f"{row['risk__reference']}: {_short(row['description'])} was due on "
            f"{day_text(row['due_date'])}"
        ),
        url=_risk_link("risk_id"),
    )


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


RULES = [
    ReminderRule(
        name="risk_review_overdue",
        label="Risk review overdue",
        select=risk_review_overdue,
        order=20,
    ),
    ReminderRule(
        name="risk_action_overdue",
        label="Risk action overdue",
        select=risk_action_overdue,
        order=21,
    ),
]
