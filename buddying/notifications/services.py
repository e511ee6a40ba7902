"""Every write of the notifications app: raising the day's reminders, sending a digest, marking
reminders read and setting preferences.

Exactly once: ``raise_reminders`` claims each rule's reminders with one
``INSERT … SELECT … ON CONFLICT DO NOTHING`` on the unique key (rule, item, due date, person): the
rule's ``rows`` query (items and the people told, from the access policy) is the ``SELECT``, so no
row passes through Python; ``send_digest``
locks the person's unsent reminders (``SKIP LOCKED``), records the day's digest under a unique
(person, day) key and marks the reminders emailed in the same transaction as the send, so a
failed send rolls all of it back (and is retried) and a second worker or run finds nothing to send.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone

from buddying.common import reminders as reminders_vocabulary
from buddying.common.reminders import ReminderRule
from buddying.notifications import digest as digest_email
from buddying.notifications import registry, selectors
from buddying.notifications.choices import Delivery
from buddying.notifications.models import Digest, Reminder, ReminderPreference

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
INSERT_BATCH = 20000


@dataclass
class RaiseResult:
    """What one run of the rules did: its id, how many reminders it recorded (``claimed``: new
    ones only), how many rows the rules found (``found``: a person told twice about one item,
    as its owner and as a writer, counts twice), and the rules that failed (the others were
    still recorded)."""

    run: uuid.UUID
    claimed: int = 0
    found: int = 0
    failed: list[str] = field(default_factory=list)


class RulesFailed(Exception):
    """Some rules raised; the others' reminders were recorded. Retrying is safe."""


_COLUMNS = (
    "id",
    "rule",
    "item_type",
    "item_id",
    "due_date",
    "user_id",
    "partnership_id",
    "organisation_id",
    "text",
    "url",
    "raised_on",
    "run",
    "created_at",
)
_TYPES = (
    "uuid",
    "text",
    "text",
    "uuid",
    "date",
    "int",
    "uuid",
    "text",
    "text",
    "text",
    "date",
    "uuid",
)


def _rows_of_rule(rule: ReminderRule, today: date, run: uuid.UUID, off: set) -> list[tuple]:
    return [
        (
            uuid.uuid4(),
            rule.name,
            due.item_type,
            due.item_id,
            due.due_date,
            user_id,
            due.partnership_id,
            due.organisation_id,
            due.text,
            due.url,
            today,
            run,
        )
        for due in rule.select(today)
        for user_id in sorted(due.user_ids)
        if (user_id, rule.name) not in off
    ]


def _insert_new(rows: list[tuple]) -> int:
    """Insert the reminders not already recorded (``ON CONFLICT DO NOTHING`` on the unique key);
    returns how many were new. On PostgreSQL one statement per batch, the rows sent as arrays."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        names = _COLUMNS[:-1]
        objects = [Reminder(**dict(zip(names, row, strict=True))) for row in rows]
        before = Reminder.objects.count()
        Reminder.objects.bulk_create(objects, batch_size=BATCH_SIZE, ignore_conflicts=True)
        return Reminder.objects.count() - before
    table = Reminder._meta.db_table
    arrays = ", ".join(f"%s::{kind}[]" for kind in _TYPES)
    sql = (
        f'INSERT INTO "{table}" ({", ".join(_COLUMNS)}) '  # noqa: S608 - names are ours
        f"SELECT *, now() FROM unnest({arrays}) "
        "ON CONFLICT (rule, item_type, item_id, due_date, user_id) DO NOTHING"
    )
    inserted = 0
    with connection.cursor() as cursor:
        # A crash before the commit reaches the disk loses only reminders the next run records
        # again (nothing is emailed before they are committed), so the run need not wait for it.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        for start in range(0, len(rows), INSERT_BATCH):
            batch = rows[start : start + INSERT_BATCH]
            cursor.execute(sql, [list(column) for column in zip(*batch, strict=True)])
            inserted += cursor.rowcount
    return inserted


def _claim_in_sql(rule: ReminderRule, today: date, run: uuid.UUID) -> tuple[int, int]:
    """Claim the rule's reminders in one statement: the rule's ``rows`` query, less the people
    who turned the rule off, inserted with ``ON CONFLICT DO NOTHING`` on the unique key. Returns
    (rows found, rows new)."""
    rows = rule.rows(today)
    select, params = rows.query.get_compiler(using=rows.db).as_sql()
    table = Reminder._meta.db_table
    preferences = ReminderPreference._meta.db_table
    prefix, told = reminders_vocabulary.PREFIX, reminders_vocabulary.USER_COLUMN
    columns = ", ".join(f"due.{prefix}{name}" for name in reminders_vocabulary.COLUMNS)
    sql = (
        f"WITH due AS (SELECT * FROM ({select}) AS rows "  # noqa: S608 - names are ours
        f'  WHERE NOT EXISTS (SELECT 1 FROM "{preferences}" AS off '
        f"    WHERE off.user_id = rows.{told} AND off.rule = %s AND off.delivery = %s)), "
        f'new AS (INSERT INTO "{table}" (id, item_type, item_id, partnership_id, '
        "  organisation_id, due_date, text, url, user_id, rule, raised_on, run, created_at) "
        f"  SELECT gen_random_uuid(), {columns}, due.{told}, %s, %s, %s, now() FROM due "
        "  ON CONFLICT (rule, item_type, item_id, due_date, user_id) DO NOTHING RETURNING 1) "
        "SELECT (SELECT count(*) FROM due), (SELECT count(*) FROM new)"
    )
    with connection.cursor() as cursor:
        # A crash before the commit reaches the disk loses only reminders the next run records
        # again (nothing is emailed before they are committed), so the run need not wait for it.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(sql, [*params, rule.name, Delivery.OFF, rule.name, today, run])
        found, new = cursor.fetchone()
    return found, new


def raise_reminders(*, today: date, rules: list[ReminderRule] | None = None) -> RaiseResult:
    """Run every rule for ``today`` and record a reminder for each item, due date and person
    not already recorded (set-based on PostgreSQL: one ``INSERT … SELECT`` per rule). A rule that
    raises is logged and named in ``failed``, and the others go on (the task then retries, which
    records only what is still missing)."""
    result = RaiseResult(run=uuid.uuid4())
    off = None
    for rule in rules if rules is not None else registry.rules():
        try:
            with transaction.atomic():
                if rule.rows is not None and connection.vendor == "postgresql":
                    found, new = _claim_in_sql(rule, today, result.run)
                else:
                    if off is None:
                        off = set(
                            ReminderPreference.objects.filter(delivery=Delivery.OFF).values_list(
                                "user_id", "rule"
                            )
                        )
                    rows = _rows_of_rule(rule, today, result.run, off)
                    # INSERT … ON CONFLICT DO NOTHING: the unique key is the claim.
                    found, new = len(rows), _insert_new(rows)
                result.found += found
                result.claimed += new
        except Exception:
            logger.exception("Reminder rule %s failed on %s", rule.name, today)
            result.failed.append(rule.name)
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
            .select_related("partnership", "organisation")
            .select_for_update(of=("self",), skip_locked=True)
            .order_by(
                F("partnership__reference").asc(nulls_last=True),
                F("organisation__name").asc(nulls_last=True),
                "due_date",
                "created_at",
            )
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
