"""Writes to secondments and to an organisation's capacity figures: the one place the browser and
the API call.

The rule across rows — one person's secondments never add up to more than 1.0 FTE on any day — is
checked here, after the home organisation's row is locked: every write of a secondment of that
organisation takes the same lock first, so of two concurrent saves that together would go over,
the second waits for the first to commit, sees it, and is refused.
"""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from buddying.common import writes
from buddying.common.errors import StateConflict
from buddying.common.formatting import date_long
from partnerships import access, risk_raising
from partnerships.choices import DeliveryStaffGroup
from partnerships.models import Organisation, Partnership, ReferenceCounter
from partnerships.secondments import selectors
from partnerships.secondments.models import (
    CapacityThreshold,
    Secondment,
    StaffGroupEstablishment,
    TalentPoolRisk,
)

# What a person records and may change; the home organisation is fixed once recorded.
SECONDMENT_FIELDS = (
    "staff_reference",
    "role_title",
    "staff_group",
    "band",
    "host_organisation",
    "fte",
    "start_date",
    "end_date",
    "backfilled",
    "monthly_recharge",
    "development_objectives",
)
FULL_TIME = Decimal("1")


def _check_fields(fields: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown secondment fields: {sorted(unknown)}")


def _locked(pk) -> Secondment:
    rows = Secondment.objects.select_related(
        "partnership", "home_organisation", "host_organisation"
    ).prefetch_related("partnership__parties")
    return writes.lock(rows, pk)


def _lock_person(secondment: Secondment) -> None:
    """Serialise every write of the home organisation's secondments (see the module docstring).

    The organisation's row is the lock, ``FOR NO KEY UPDATE``: it does not block rows that merely
    refer to the organisation, and it works the same on every database the project runs on.
    """
    Organisation.objects.select_for_update(no_key=True).filter(
        pk=secondment.home_organisation_id
    ).first()


def _describe(other: Secondment, partnership_id) -> str:
    where = "" if other.partnership_id == partnership_id else f" in {other.partnership.reference}"
    return (
        f"{other.reference}{where} ({other.fte.normalize():f} FTE, "
        f"{date_long(other.start_date)} to {date_long(other.end_date)})"
    )


def over_allocation(secondment: Secondment) -> tuple[dt.date, Decimal, list[Secondment]] | None:
    """The first day on which this person's secondments, with this one, come to more than 1.0
    FTE: the day, the total and the other secondments that overlap it. ``None`` when none."""
    others = list(
        Secondment.objects.filter(
            home_organisation_id=secondment.home_organisation_id,
            staff_reference=secondment.staff_reference,
            cancelled=False,
            start_date__lte=secondment.end_date,
            end_date__gte=secondment.start_date,
        )
        .exclude(pk=secondment.pk)
        .select_related("partnership")
        .order_by("start_date", "reference")
    )
    # The total changes only where a secondment starts, so those are the days to look at.
    days = sorted({secondment.start_date, *(o.start_date for o in others)})
    for day in days:
        if day < secondment.start_date:
            continue
        on_day = [o for o in others if o.start_date <= day <= o.end_date]
        total = secondment.fte + sum((o.fte for o in on_day), Decimal(0))
        if total > FULL_TIME:
            return day, total, on_day
    return None


def _check_allocation(secondment: Secondment) -> None:
    found = over_allocation(secondment)
    if found is None:
        return
    day, total, others = found
    names = "; ".join(_describe(other, secondment.partnership_id) for other in others)
    raise ValidationError(
        {
            "fte": (
                f"Staff reference {secondment.staff_reference} would be seconded for "
                f"{total.normalize():f} FTE on {date_long(day)}, more than 1.0 FTE. It overlaps "
                f"{names}. Reduce the FTE or change the dates."
            )
        }
    )


@transaction.atomic
def secondment_create(
    *,
    by,
    partnership: Partnership,
    home_organisation: Organisation,
    host_organisation: Organisation,
    **fields: Any,
) -> Secondment:
    """Record a secondment of a member of the home organisation's staff to the host, with the
    next reference (S-0001…)."""
    _check_fields(fields, SECONDMENT_FIELDS)
    secondment = Secondment(
        partnership=partnership,
        home_organisation=home_organisation,
        host_organisation=host_organisation,
        reference="pending",
        **fields,
    )
    access.require(by, "change", secondment)
    secondment.full_clean(exclude=["reference"])
    _lock_person(secondment)
    _check_allocation(secondment)
    number = ReferenceCounter.next(f"S-{partnership.reference}")
    secondment.reference = f"S-{number:04d}"
    writes.save(secondment, by=by)
    return secondment


@transaction.atomic
def secondment_update(
    *, secondment: Secondment, by, version: int | None = None, **fields: Any
) -> Secondment:
    """Change a secondment (read at ``version``); its partnership and home organisation stay."""
    _check_fields(fields, SECONDMENT_FIELDS)
    secondment = _locked(secondment.pk)
    access.require(by, "change", secondment)
    writes.check_version(secondment, version)
    if secondment.cancelled:
        raise StateConflict("This secondment was cancelled, so it cannot change.")
    changed = writes.apply(secondment, fields)
    if not changed:
        return secondment
    secondment.full_clean()
    _lock_person(secondment)
    _check_allocation(secondment)
    writes.save_changes(secondment, changed, by=by)
    return secondment


@transaction.atomic
def secondment_end(
    *,
    secondment: Secondment,
    by,
    learning_outcomes: str,
    end_date: dt.date | None = None,
    version: int | None = None,
) -> Secondment:
    """Record what the person learned, at the end of the secondment — or end it early, on
    ``end_date`` (today or earlier, not before it started)."""
    secondment = _locked(secondment.pk)
    access.require(by, "change", secondment)
    writes.check_version(secondment, version)
    today = timezone.localdate()
    if secondment.cancelled:
        raise StateConflict("This secondment was cancelled, so it cannot end.")
    if secondment.start_date > today:
        raise StateConflict(
            "This secondment has not started yet. Cancel it, or change its dates, instead."
        )
    errors = {}
    learning_outcomes = (learning_outcomes or "").strip()
    if not learning_outcomes:
        errors["learning_outcomes"] = "Enter what the person learned."
    changed = ["learning_outcomes"]
    if end_date is not None and end_date != secondment.end_date:
        if end_date > today:
            errors["end_date"] = "The end date must be today or in the past."
        elif end_date < secondment.start_date:
            errors["end_date"] = (
                f"The end date must be on or after the secondment started "
                f"({date_long(secondment.start_date)})."
            )
        elif end_date > secondment.end_date:
            errors["end_date"] = (
                f"The end date must be on or before the planned end "
                f"({date_long(secondment.end_date)}). To extend it, change the secondment."
            )
        changed.append("end_date")
    elif secondment.end_date >= today:
        errors["end_date"] = (
            "The secondment is still running. Enter the date it ended, today or earlier."
        )
    if errors:
        raise ValidationError(errors)
    secondment.learning_outcomes = learning_outcomes
    if end_date is not None:
        secondment.end_date = end_date
    writes.save_changes(secondment, changed, by=by)
    return secondment


@transaction.atomic
def secondment_cancel(
    *, secondment: Secondment, by, reason: str, version: int | None = None
) -> Secondment:
    """Cancel a secondment that has not started; it no longer counts anywhere."""
    secondment = _locked(secondment.pk)
    access.require(by, "change", secondment)
    writes.check_version(secondment, version)
    if secondment.cancelled:
        raise StateConflict("This secondment is already cancelled.")
    if secondment.start_date <= timezone.localdate():
        raise StateConflict(
            "This secondment has started, so it cannot be cancelled. End it instead."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the secondment is cancelled."})
    secondment.cancelled = True
    secondment.cancellation_reason = reason
    writes.save_changes(secondment, ["cancelled", "cancellation_reason"], by=by)
    return secondment


# --- An organisation's capacity figures ---------------------------------------------------------


@transaction.atomic
def establishment_set(
    *,
    organisation: Organisation,
    staff_group: str,
    fte: Decimal | None,
    by,
    version: int | None = None,
) -> StaffGroupEstablishment | None:
    """Record how many FTE the organisation employs in a staff group (``None`` removes it)."""
    access.require(by, "set", StaffGroupEstablishment(organisation=organisation))
    current = (
        StaffGroupEstablishment.objects.select_for_update()
        .filter(organisation=organisation, staff_group=staff_group)
        .first()
    )
    if current is not None:
        writes.check_version(current, version)
    if fte is None:
        if current is not None:
            current._history_user = by
            current.delete()
        return None
    if current is None:
        current = StaffGroupEstablishment(
            organisation=organisation, staff_group=staff_group, fte=fte
        )
        writes.save(current, by=by)
    else:
        writes.save_changes(current, writes.apply(current, {"fte": fte}), by=by)
    return current


@transaction.atomic
def capacity_threshold_set(
    *, organisation: Organisation, unbackfilled_percent: Decimal, by, version: int | None = None
) -> CapacityThreshold:
    """Set the share of a staff group the organisation accepts away unbackfilled before the
    talent-pool warning shows."""
    access.require(by, "set", CapacityThreshold(organisation=organisation))
    current = (
        CapacityThreshold.objects.select_for_update().filter(organisation=organisation).first()
    )
    if current is None:
        current = CapacityThreshold(
            organisation=organisation, unbackfilled_percent=unbackfilled_percent
        )
        writes.save(current, by=by)
    else:
        writes.check_version(current, version)
        writes.save_changes(
            current, writes.apply(current, {"unbackfilled_percent": unbackfilled_percent}), by=by
        )
    return current


# --- The talent-pool warning's risk -------------------------------------------------------------

# How a talent-pool risk is scored when raised (the NPSA 5×5 matrix): the gap exists today, so
# "likely" (4); "moderate" harm (3), or "major" (4) once the unbackfilled share is more than twice
# what the organisation accepts; mitigation (backfill, shorter secondments) aims at "unlikely" (2).
RAISED_LIKELIHOOD = 4
RAISED_CONSEQUENCE, RAISED_CONSEQUENCE_FAR_ABOVE = 3, 4
TARGET_LIKELIHOOD = 2


class RiskAlreadyRaised(StateConflict):
    """The risk of this staff group was raised in this partnership this month already (409);
    ``existing`` is that record, to link to the risk."""

    def __init__(self, message: str, *, existing: TalentPoolRisk):
        self.existing = existing
        super().__init__(message)


def _already_raised(claim: TalentPoolRisk) -> RiskAlreadyRaised:
    existing = TalentPoolRisk.objects.get(
        partnership_id=claim.partnership_id,
        organisation_id=claim.organisation_id,
        staff_group=claim.staff_group,
        month=claim.month,
    )
    return RiskAlreadyRaised(
        f"A workforce and capacity risk about {claim.get_staff_group_display().lower()} staff "
        f"was already raised this month on {claim.partnership.reference}'s register: "
        f"{existing.risk_reference}.",
        existing=existing,
    )


def _fte(value: Decimal) -> str:
    return f"{value.normalize():f} FTE"


def _proposal(
    *, by, partnership: Partnership, organisation: Organisation, row, here: list[Secondment]
) -> risk_raising.ProposedRisk:
    """The risk, filled in from today's figures of the staff group (``row``) and the
    partnership's unbackfilled secondments of it (``here``)."""
    group = DeliveryStaffGroup(row.staff_group).label
    name = organisation.display_name
    here_fte = sum((s.fte for s in here), Decimal(0))
    far_above = row.fte_not_backfilled * 100 > 2 * row.threshold_percent * row.establishment
    consequence = RAISED_CONSEQUENCE_FAR_ABOVE if far_above else RAISED_CONSEQUENCE
    people = "person" if row.people == 1 else "people"
    description = (
        f"On {date_long(timezone.localdate())}, {_fte(row.fte_not_backfilled)} of {name}'s "
        f"{group.lower()} staff were seconded out without backfill: "
        f"{row.percent_not_backfilled.normalize():f}% of its establishment of "
        f"{_fte(row.establishment)}, above the {row.threshold_percent.normalize():f}% it accepts. "
        f"In all {_fte(row.fte_out)} ({row.people} {people}) of the group were away. "
        f"{_fte(here_fte)} of the unbackfilled time is in this partnership "
        f"({', '.join(s.reference for s in here)}). "
        "Raised from the talent-pool warning of the capacity page."
    )
    return risk_raising.ProposedRisk(
        partnership=partnership,
        owner_organisation=organisation,
        owner=by,
        category=risk_raising.WORKFORCE_AND_CAPACITY,
        title=f"{group} staff seconded out without backfill leave gaps at {name}"[:200],
        description=description,
        likelihood=RAISED_LIKELIHOOD,
        consequence=consequence,
        target_likelihood=TARGET_LIKELIHOOD,
        target_consequence=consequence,
    )


@transaction.atomic
def talent_pool_risk_raise(
    *, by, partnership: Partnership, organisation: Organisation, staff_group: str
) -> TalentPoolRisk:
    """Raise, in one step, a pre-filled "workforce and capacity" risk on the partnership's
    register, owned by the home organisation (and by ``by``), where the unbackfilled share of
    the staff group is above the organisation's threshold today — once per partnership, staff
    group and month.

    In order: the partnership is visible and ``by`` may raise for the organisation (404, 403; 409
    when the partnership is closed); the staff group is one of the list (400); not raised this
    month already (409 ``RiskAlreadyRaised``); the warning stands and the partnership holds
    unbackfilled secondments of the group (409). Then the key is claimed — the database's unique
    constraint decides between concurrent clicks — and the risk is created by the risks app's
    own service, in this transaction.
    """
    today = timezone.localdate()
    claim = TalentPoolRisk(
        partnership=partnership,
        organisation=organisation,
        staff_group=staff_group,
        month=today.replace(day=1),
        raised_by=by,
    )
    access.require(by, "raise", claim)
    if not risk_raising.available():
        raise StateConflict("There is no risk register to raise the risk on.")
    if staff_group not in DeliveryStaffGroup.values:
        raise ValidationError({"staff_group": "Select a staff group from the list."})
    if TalentPoolRisk.objects.filter(
        partnership=partnership,
        organisation=organisation,
        staff_group=staff_group,
        month=claim.month,
    ).exists():
        raise _already_raised(claim)
    group = DeliveryStaffGroup(staff_group).label.lower()
    figures = selectors.capacity_rows(
        access.visible(Secondment, by).filter(
            home_organisation=organisation, staff_group=staff_group
        ),
        today,
    )
    row = next((selectors.capacity_row(values) for values in figures), None)
    if row is None or not row.warning:
        raise StateConflict(
            f"The share of {organisation.display_name}'s {group} staff away without backfill is "
            "not above its threshold today, so there is no warning to raise a risk about."
        )
    here = list(
        Secondment.objects.filter(
            selectors.running_on(today),
            partnership=partnership,
            home_organisation=organisation,
            staff_group=staff_group,
            backfilled=False,
        ).order_by("reference")
    )
    if not here:
        raise StateConflict(
            f"No {group} staff of {organisation.display_name} are seconded without backfill in "
            f"{partnership.reference} today: raise the risk in the partnership they are in."
        )
    claim._history_user = by
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        # Someone else raised it meanwhile: their transaction has committed, so it can be read.
        raise _already_raised(claim) from None
    raised = risk_raising.raise_risk(
        _proposal(by=by, partnership=partnership, organisation=organisation, row=row, here=here),
        by=by,
    )
    claim.risk_id, claim.risk_reference = raised.id, raised.reference
    claim.save(update_fields=["risk_id", "risk_reference", "updated_at"])
    return claim
