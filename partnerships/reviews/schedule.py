"""The review schedule: quarterly reviews to a partnership's planned end, and a final review.

When a partnership becomes active its reviews are scheduled; when its planned dates change the
reviews not yet started are rescheduled; when it closes, the quarterly reviews after the closing
date that were not started are dropped and the final review stays due, for the period that ended.
Reviews already started (draft or later) and interim reviews are never touched.

The rule, for a partnership running from S (its planned start, or the day it became active) to
E (its planned end, or the day it closed):
- quarter n runs from S + 3n months to the day before S + 3(n + 1) months; each quarter that
  ends before E has a quarterly review (the quarter ending on or after E is the final review's);
- the final review covers S to E;
- each review is due ``DUE_AFTER`` after its period ends;
- without a planned end, the quarters of the first year are scheduled and no final review yet.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from buddying.common import writes
from partnerships.choices import PartnershipStatus
from partnerships.models import Partnership
from partnerships.reviews.choices import ReviewKind, ReviewStatus
from partnerships.reviews.models import OutcomeReview

DUE_AFTER = timedelta(days=14)
QUARTERS_WITHOUT_AN_END = 4


@dataclass(frozen=True)
class Slot:
    kind: str
    period_start: date
    period_end: date

    @property
    def due_date(self) -> date:
        return self.period_end + DUE_AFTER


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def slots(start: date, end: date | None) -> list[Slot]:
    """The reviews a partnership from ``start`` to ``end`` should have, in date order."""
    wanted: list[Slot] = []
    quarter = 0
    while True:
        quarter_start = add_months(start, 3 * quarter)
        quarter_end = add_months(start, 3 * (quarter + 1)) - timedelta(days=1)
        if end is None and quarter >= QUARTERS_WITHOUT_AN_END:
            break
        if end is not None and quarter_end >= end:
            break
        wanted.append(Slot(ReviewKind.QUARTERLY, quarter_start, quarter_end))
        quarter += 1
    if end is not None:
        wanted.append(Slot(ReviewKind.FINAL, start, max(end, start)))
    return wanted


def _start_of(partnership: Partnership, today: date) -> date:
    return partnership.planned_start or _activated_on(partnership) or today


def _activated_on(partnership: Partnership) -> date | None:
    """The day the partnership became active, from its history (when it has been)."""
    record = (
        Partnership.history.filter(id=partnership.pk, status=PartnershipStatus.ACTIVE)
        .order_by("history_date")
        .first()
    )
    return timezone.localdate(record.history_date) if record else None


@transaction.atomic
def reschedule(*, partnership: Partnership, by, end: date | None = None, today=None) -> None:
    """Bring the reviews not yet started in line with the partnership's dates (see the module).

    ``end`` overrides the planned end (a closing partnership ends on its actual end).
    """
    today = today or timezone.localdate()
    start = _start_of(partnership, today)
    end = end if end is not None else partnership.planned_end
    wanted = {(slot.kind, slot.period_start): slot for slot in slots(start, end)}
    reviews = OutcomeReview.objects.select_for_update().filter(
        partnership=partnership, kind__in=[ReviewKind.QUARTERLY, ReviewKind.FINAL]
    )
    for review in reviews:
        key = (review.kind, review.period_start)
        if review.kind == ReviewKind.FINAL:
            final = next((s for s in wanted.values() if s.kind == ReviewKind.FINAL), None)
            key = (ReviewKind.FINAL, final.period_start) if final else key
        slot = wanted.pop(key, None)
        if review.status != ReviewStatus.SCHEDULED:
            continue  # started: the people writing it own its dates now
        if slot is None:
            review._history_user = by
            review.delete()
            continue
        fields = {
            "period_start": slot.period_start,
            "period_end": slot.period_end,
            "due_date": slot.due_date,
        }
        writes.save_changes(review, writes.apply(review, fields), by=by)
    for slot in wanted.values():
        writes.save(
            OutcomeReview(
                partnership=partnership,
                kind=slot.kind,
                period_start=slot.period_start,
                period_end=slot.period_end,
                due_date=slot.due_date,
            ),
            by=by,
        )


def on_status_changed(sender, *, partnership: Partnership, previous: str, by, **kwargs) -> None:
    """Schedule the reviews when a partnership becomes active; when an active one closes, end
    the schedule on the day it closed, leaving the final review due."""
    if partnership.status == PartnershipStatus.ACTIVE:
        reschedule(partnership=partnership, by=by)
    elif partnership.status == PartnershipStatus.CLOSED and previous == PartnershipStatus.ACTIVE:
        reschedule(partnership=partnership, by=by, end=partnership.actual_end)


def on_dates_changed(sender, *, partnership: Partnership, by, **kwargs) -> None:
    """Reschedule the reviews not yet started when an active partnership's dates change."""
    if partnership.status == PartnershipStatus.ACTIVE:
        reschedule(partnership=partnership, by=by)
