"""The daily reminders job and the digest sends (Celery; scheduled in settings).

Tasks take ids and dates (never objects), have time limits, and are retried with back-off when
they raise: safe, because recording a reminder and sending a digest each happen once whatever
runs twice (see ``services``). After the last retry Celery logs the failure; nothing else waits on
it. Each person's digest is its own task, so one failing address never holds up the others.
"""

import logging
from datetime import date

from celery import shared_task
from django.utils import timezone

from buddying.notifications import selectors, services

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (Exception,),
    "retry_backoff": 30,  # 30 s, 60 s, 120 s … with jitter
    "retry_backoff_max": 60 * 60,
    "retry_jitter": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


def _day(value: str | None) -> date:
    return date.fromisoformat(value) if value else timezone.localdate()


@shared_task(**RETRY, max_retries=5, soft_time_limit=10 * 60, time_limit=11 * 60)
def daily_reminders(day: str | None = None) -> dict:
    """Record the day's reminders, then queue one digest task per person with something unsent.
    A rule that failed is retried (with the whole job) after the digests are queued."""
    today = _day(day)
    result = services.raise_reminders(today=today)
    people = list(selectors.people_to_email(today))
    for user_id in people:
        send_digest.delay(user_id, today.isoformat())
    logger.info(
        "Reminders for %s: %s found, %s new, %s digests queued",
        today,
        result.found,
        result.claimed,
        len(people),
    )
    if result.failed:
        raise services.RulesFailed(", ".join(result.failed))
    return {"day": today.isoformat(), "new": result.claimed, "digests": len(people)}


@shared_task(**RETRY, max_retries=8, soft_time_limit=60, time_limit=90)
def send_digest(user_id: int, day: str) -> str | None:
    """Send the person their digest for ``day`` (nothing when there is nothing to say)."""
    digest = services.send_digest(user_id=user_id, day=date.fromisoformat(day))
    return str(digest.pk) if digest else None
