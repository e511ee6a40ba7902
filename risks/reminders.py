"""Reminders about risks: a risk review overdue, a risk action overdue (DESIGN §4).

Who is told: the risk's (or action's) owner, and the programme managers and executives of the
organisation that owns the risk. Closed risks, done actions and closed partnerships are left out.
"""

from datetime import date

from django.db.models import Case, F, TextField, Value, When
from django.db.models.functions import Left, Length, Replace, Trim
from django.db.models.lookups import GreaterThan
from django.urls import reverse

from buddying.common.reminders import (
    ReminderRule,
    day_text_sql,
    dues_of,
    link_sql,
    reminder_columns,
    text_sql,
)
from partnerships import access
from partnerships.choices import PartnershipStatus
from risks.choices import ActionStatus, RiskStatus
from risks.models import Risk, RiskAction

SHORT = 120


def _risk_link(pk: str):
    return link_sql(lambda value: reverse("risks:detail", args=[value]), pk)


def risk_review_overdue_rows(today: date):
    """Open risks whose next review date has passed."""
    risks = Risk.objects.filter(status=RiskStatus.OPEN, next_review_date__lt=today).exclude(
        partnership__status=PartnershipStatus.CLOSED
    )
    columns = reminder_columns(
        item_type="risks.risk",
        due_date="next_review_date",
        text=text_sql(
            F("reference"),
            " ",
            F("title"),
            ": review was due on ",
            day_text_sql("next_review_date"),
        ),
        url=_risk_link("pk"),
    )
    return access.told_rows(risks, party="owner_organisation", owners=["owner"], columns=columns)


def _short(field: str):
    """The first 120 characters of a text (an ellipsis when cut), line breaks as spaces."""
    flat = Trim(Replace(Replace(F(field), Value("\r"), Value("")), Value("\n"), Value(" ")))
    return Case(
        When(
            GreaterThan(Length(flat), SHORT),
            then=text_sql(Trim(Left(flat, SHORT - 1)), "…"),
        ),
        default=flat,
        output_field=TextField(),
    )


def risk_action_overdue_rows(today: date):
    """Open actions on open risks whose due date has passed."""
    actions = RiskAction.objects.filter(
        status=ActionStatus.OPEN, due_date__lt=today, risk__status=RiskStatus.OPEN
    ).exclude(partnership__status=PartnershipStatus.CLOSED)
    columns = reminder_columns(
        item_type="risks.riskaction",
        partnership_id="partnership_id",
        due_date="due_date",
        text=text_sql(
            F("risk__reference"),
            ": ",
            _short("description"),
            " was due on ",
            day_text_sql("due_date"),
        ),
        url=_risk_link("risk_id"),
    )
    return access.told_rows(
        actions, party="risk__owner_organisation", owners=["owner"], columns=columns
    )


def risk_review_overdue(today: date):
    return dues_of(risk_review_overdue_rows(today))


def risk_action_overdue(today: date):
    return dues_of(risk_action_overdue_rows(today))


RULES = [
    ReminderRule(
        name="risk_review_overdue",
        label="Risk review overdue",
        select=risk_review_overdue,
        rows=risk_review_overdue_rows,
        order=20,
    ),
    ReminderRule(
        name="risk_action_overdue",
        label="Risk action overdue",
        select=risk_action_overdue,
        rows=risk_action_overdue_rows,
        order=21,
    ),
]
