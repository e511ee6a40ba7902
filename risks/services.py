"""Writes to risks, actions and risk appetites: the one place the browser and the API call.

Who may write (DESIGN §2):
- a risk or an action: a programme manager or executive of any party to the partnership, while
  the partnership is not closed (a closed partnership's register is kept as it was);
- an organisation's risk appetite: an executive of that organisation only.
Regulators and viewers write nothing. Every service validates with ``full_clean()`` and records
who made the change in the history.
"""

import calendar
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from buddying.common import writes
from buddying.common.errors import NEEDS_CONFIRMATION
from buddying.common.writes import save
from partnerships import access, risk_raising
from partnerships.models import Organisation, Partnership, ReferenceCounter
from risks.choices import REVIEW_MONTHS, ActionStatus, ReviewFrequency, RiskStatus
from risks.models import GENERATED_FIELDS, Risk, RiskAction, RiskAppetite

RISK_FIELDS = (
    "title",
    "description",
    "category",
    "owner_organisation",
    "owner",
    "inherent_likelihood",
    "inherent_consequence",
    "current_likelihood",
    "current_consequence",
    "target_likelihood",
    "target_consequence",
    "controls",
    "review_frequency",
    "next_review_date",
    "status",
    "closing_reason",
)
ACTION_FIELDS = ("description", "owner", "due_date", "status")
APPETITE_FIELDS = ("level", "tolerance", "statement")


def _check_fields(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# --- Dates that are allowed but unlikely -------------------------------------------------------
# A review or action date in the past needs the person to confirm it (recording what was already
# missed is legitimate; a typo of the year is not); more than five years ahead is refused.
FURTHEST_AHEAD_MONTHS = 60


def _check_date(name: str, value: date | None, *, confirm: bool, label: str) -> None:
    if value is None:
        return
    today = timezone.localdate()
    furthest = add_months(today, FURTHEST_AHEAD_MONTHS)
    if value > furthest:
        raise ValidationError(
            {name: f"The {label} must be within five years, by {furthest.day} {furthest:%B %Y}."}
        )
    if value < today and not confirm:
        raise ValidationError(
            {
                name: ValidationError(
                    f"The {label} is in the past. If that is right, confirm it and save again.",
                    code=NEEDS_CONFIRMATION,
                )
            }
        )


# --- Risks -------------------------------------------------------------------------------------


def _apply_status(risk: Risk, previous_status: str | None) -> None:
    if risk.status == RiskStatus.CLOSED and previous_status != RiskStatus.CLOSED:
        risk.closed_on = timezone.localdate()
    elif risk.status == RiskStatus.OPEN:
        risk.closed_on = None
        risk.closing_reason = ""


def _refresh_scores(risk: Risk) -> Risk:
    # The database computes the scores and band; read them back for the caller.
    risk.refresh_from_db(fields=list(GENERATED_FIELDS))
    return risk


def first_review_date(review_frequency: str) -> date | None:
    """When a new risk given no next review date is first reviewed: one review period from
    today (``None`` for a frequency without a period)."""
    months = REVIEW_MONTHS.get(review_frequency)
    return add_months(timezone.localdate(), months) if months else None


def risk_check(*, partnership: Partnership, confirm: bool = False, **fields: Any) -> None:
    """Raise the ``ValidationError`` that ``risk_create`` would for these fields of a risk not
    yet added, given some or all of them: a rule whose fields are not all given yet is not
    judged. For the form in steps, so each step hears of its problems at once; ``risk_create``
    stays the judge when the risk is added."""
    _check_fields(fields, RISK_FIELDS)
    risk = Risk(partnership=partnership, **fields)
    _check_date(
        "next_review_date", risk.next_review_date, confirm=confirm, label="next review date"
    )
    risk.clean()


@transaction.atomic
def risk_create(*, partnership: Partnership, by, confirm: bool = False, **fields: Any) -> Risk:
    """Add a risk to a partnership's register with the next reference (``R-001``, ``R-002`` …).

    Without a next review date, the first review falls one review period from today; a date in
    the past needs ``confirm``.
    """
    _check_fields(fields, RISK_FIELDS)
    risk = Risk(partnership=partnership, number=0, reference="pending", **fields)
    access.require(by, "change", risk)
    _check_date(
        "next_review_date", risk.next_review_date, confirm=confirm, label="next review date"
    )
    if not risk.next_review_date:
        risk.next_review_date = first_review_date(risk.review_frequency)
    _apply_status(risk, None)
    risk.full_clean(exclude=["number", "reference"])
    risk.number = ReferenceCounter.next(f"risks:{partnership.pk}")
    risk.reference = f"R-{risk.number:03d}"
    save(risk, by=by)
    return _refresh_scores(risk)


@transaction.atomic
def risk_update(
    *, risk: Risk, by, version: int | None = None, confirm: bool = False, **fields: Any
) -> Risk:
    """Change a risk (read at ``version``): its scores, controls, review or status (closing needs
    a reason). Only the fields whose value changes are written; a new review date in the past
    needs ``confirm``."""
    _check_fields(fields, RISK_FIELDS)
    risk = writes.lock(_risk_rows(), risk.pk)
    access.require(by, "change", risk)
    writes.check_version(risk, version)
    previous_status = risk.status
    changed = writes.apply(risk, fields)
    if "next_review_date" in changed and risk.status == RiskStatus.OPEN:
        _check_date(
            "next_review_date", risk.next_review_date, confirm=confirm, label="next review date"
        )
    _apply_status(risk, previous_status)
    if risk.status != previous_status:
        changed += ["closed_on", "closing_reason"]
    writes.save_changes(risk, changed, by=by)
    return _refresh_scores(risk)


def risk_raise(proposal: risk_raising.ProposedRisk, *, by) -> risk_raising.RaisedRisk:
    """Add a risk another app proposes (``partnerships.risk_raising``), reviewed monthly from
    today: the current scores start as the inherent ones, since nothing controls it yet. The same
    checks as any new risk (``risk_create``): the access policy first, then the model's rules."""
    risk = risk_create(
        partnership=proposal.partnership,
        by=by,
        title=proposal.title,
        description=proposal.description,
        category=proposal.category,
        owner_organisation=proposal.owner_organisation,
        owner=proposal.owner,
        inherent_likelihood=proposal.likelihood,
        inherent_consequence=proposal.consequence,
        current_likelihood=proposal.likelihood,
        current_consequence=proposal.consequence,
        target_likelihood=proposal.target_likelihood,
        target_consequence=proposal.target_consequence,
        review_frequency=ReviewFrequency.MONTHLY,
    )
    return risk_raising.RaisedRisk(id=risk.pk, reference=risk.reference)


def _risk_rows():
    return Risk.objects.select_related("partnership").prefetch_related("partnership__parties")


# --- Actions -----------------------------------------------------------------------------------


def _touch_risk(risk_id) -> None:
    """Mark the risk changed when its actions change (it shows their overdue count and, in
    detail, the actions), so ``updated_since`` finds it; the action keeps its own history."""
    writes.touch(Risk.objects.filter(pk=risk_id))


def _apply_action_status(action: RiskAction) -> None:
    if action.status == ActionStatus.DONE and action.completed_on is None:
        action.completed_on = timezone.localdate()
    elif action.status == ActionStatus.OPEN:
        action.completed_on = None


@transaction.atomic
def action_create(*, risk: Risk, by, confirm: bool = False, **fields: Any) -> RiskAction:
    """Add an action (what, who, by when) to a risk; a due date in the past needs ``confirm``."""
    access.require(by, "change", risk)
    _check_fields(fields, ACTION_FIELDS)
    # The action keeps its risk's partnership (a risk never moves: ``RISK_FIELDS`` has no
    # partnership), so lists, access and overdue counts need not join the risks.
    action = RiskAction(risk=risk, partnership=risk.partnership, **fields)
    if action.status != ActionStatus.DONE:
        _check_date("due_date", action.due_date, confirm=confirm, label="due date")
    _apply_action_status(action)
    save(action, by=by)
    _touch_risk(action.risk_id)
    return action


@transaction.atomic
def action_update(
    *, action: RiskAction, by, version: int | None = None, confirm: bool = False, **fields: Any
) -> RiskAction:
    """Change an action (read at ``version``), or mark it done (the completion date is today).
    A new due date in the past needs ``confirm``."""
    _check_fields(fields, ACTION_FIELDS)
    rows = RiskAction.objects.select_related("risk__partnership", "partnership")
    action = writes.lock(rows.prefetch_related("partnership__parties"), action.pk)
    access.require(by, "change", action)
    writes.check_version(action, version)
    completed_on = action.completed_on
    changed = writes.apply(action, fields)
    if "due_date" in changed and action.status != ActionStatus.DONE:
        _check_date("due_date", action.due_date, confirm=confirm, label="due date")
    _apply_action_status(action)
    if action.completed_on != completed_on:
        changed.append("completed_on")
    if writes.save_changes(action, changed, by=by):
        _touch_risk(action.risk_id)
    return action


# --- Risk appetite -----------------------------------------------------------------------------


@transaction.atomic
def risk_appetite_set(
    *, organisation: Organisation, category: str, by, version: int | None = None, **fields: Any
) -> tuple[RiskAppetite, bool]:
    """Set an organisation's appetite for one category; only its executives may.

    Returns the appetite and whether it was new. Each change is kept in the history.
    """
    access.require(by, "set", RiskAppetite(organisation=organisation, category=category))
    _check_fields(fields, APPETITE_FIELDS)
    appetite = (
        RiskAppetite.objects.select_for_update()
        .filter(organisation=organisation, category=category)
        .first()
    )
    if "statement" in fields and fields["statement"] is None:
        fields = {**fields, "statement": ""}
    created = appetite is None
    if created:
        appetite = RiskAppetite(organisation=organisation, category=category, **fields)
        save(appetite, by=by)
    else:
        writes.check_version(appetite, version)
        writes.save_changes(appetite, writes.apply(appetite, fields), by=by)
    # The risks' outside-appetite flags may have changed: mark them changed, so a client syncing
    # risks with ``updated_since`` sees them (a queryset update: no change in the risks' history).
    writes.touch(
        Risk.objects.filter(
            category=category,
            partnership__parties__organisation=organisation,
        )
    )
    return appetite, created
