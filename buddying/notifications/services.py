"""Every write of the notifications app: raising the day's reminders, sending a digest, marking
reminders read and setting preferences.

Exactly once: ``raise_reminders`` inserts every reminder with ``ON CONFLICT DO NOTHING`` on the
unique key (rule, item, due date, person) and reads back what this run inserted; ``send_digest``
locks the person's unsent reminders (``SKIP LOCKED``), records the day's digest under a unique
(person, day) key and marks the reminders emailed in the same transaction as the send, so a
failed send rolls all of it back (and is retried) and a second worker or run finds nothing to send.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from buddying.common.reminders import ReminderRule
from buddying.notifications import digest as digest_email
from buddying.notifications import registry, selectors
from buddying.notifications.choices import Delivery
from buddying.notifications.models import Digest, Reminder, ReminderPreference

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000


@dataclass
class RaiseResult:
    """What one run of the rules did: its id, how many reminders it recorded (new ones only),
    and the rules that failed (the others were still recorded)."""

    run: uuid.UUID
    claimed: int = 0
    found: int = 0
    failed: list[str] = field(default_factory=list)


class RulesFailed(Exception):
    """Some rules raised; the others' reminders were recorded. Retrying is safe."""


def _reminders_of_rule(rule: ReminderRule, today: date, run: uuid.UUID, off: set) -> list:
    return [
        Reminder(
            rule=rule.name,
            item_type=due.item_type,
            item_id=due.item_id,
            due_date=due.due_date,
            user_id=user_id,
            partnership_id=due.partnership_id,
            text=due.text,
            url=due.url,
            raised_on=today,
            run=run,
        )
        for due in rule.select(today)
        for user_id in sorted(due.user_ids)
        if (user_id, rule.name) not in off
    ]


def raise_reminders(*, today: date, rules: list[ReminderRule] | None = None) -> RaiseResult:
    """Run every rule for ``today`` and record a reminder for each item, due date and person
    not already recorded. A rule that raises is logged and named in ``failed``, and the others go
    on (the task then retries, which records only what is still missing)."""
    result = RaiseResult(run=uuid.uuid4())
    off = set(
        ReminderPreference.objects.filter(delivery=Delivery.OFF).values_list("user_id", "rule")
    )
    for rule in rules if rules is not None else registry.rules():
        try:
            with transaction.atomic():
                rows = _reminders_of_rule(rule, today, result.run, off)
                result.found += len(rows)
                # INSERT … ON CONFLICT DO NOTHING: the unique key is the claim.
                Reminder.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
        except Exception:
            logger.exception("Reminder rule %s failed on %s", rule.name, today)
            result.failed.append(rule.name)
    result.claimed = Reminder.objects.filter(run=result.run).count()
    return result


def send_digest(*, user_id: int, day: date) -> Digest | None:
    """Email the person one digest of their unsent reminders, unless they have none (or have
    been sent today's already). Returns the digest sent, or ``None``.

    Everything happens in one transaction, the send included: a send that raises leaves every
    reminder unsent (the task retries it), and a reminder is marked emailed only once sent.
    """
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return None
    with transaction.atomic():
        pending = list(
            selectors.to_email(user)
            .select_related("partnership")
            .select_for_update(of=("self",), skip_locked=True)
            .order_by("partnership__reference", "due_date", "created_at")
        )
        if not pending:
            return None  # nothing to say (or another worker is sending it)
        now = timezone.now()
        try:
            with transaction.atomic():
                digest = Digest.objects.create(
                    user=user, day=day, sent_at=now, reminder_count=len(pending)
                )
        except IntegrityError:
            return None  # today's digest has gone: these wait for tomorrow's
        digest_email.build(user, selectors.grouped(pending), day).send()
        Reminder.objects.filter(pk__in=[reminder.pk for reminder in pending]).update(
            emailed_at=now, digest=digest
        )
        return digest


@transaction.atomic
def reminder_mark_read(*, reminder_id, by) -> Reminder:
    """Mark one of the person's own reminders read (404 for anyone else's)."""
    reminder = get_object_or_404(
        selectors.reminders_of(by).select_for_update(of=("self",)), pk=reminder_id
    )
    if reminder.read_at is None:
        reminder.read_at = timezone.now()
        reminder.save(update_fields=["read_at"])
    return reminder


@transaction.atomic
def reminders_mark_all_read(*, by) -> int:
    """Mark every one of the person's unread reminders read; returns how many."""
    return selectors.reminders_of(by).filter(read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def preferences_set(*, by, choices: dict[str, str]) -> None:
    """Set the person's choice for each rule named in ``choices``."""
    known = {rule.name for rule in registry.rules()}
    for rule, delivery in choices.items():
        if rule not in known or delivery not in Delivery.values:
            continue
        ReminderPreference.objects.update_or_create(
            user=by, rule=rule, defaults={"delivery": delivery}
        )
