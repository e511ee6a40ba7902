"""Project-level tasks."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task
def heartbeat() -> str:
    """Prove the worker and beat are alive; returns the time it ran (ISO 8601, UTC)."""
    now = timezone.now().isoformat()
    cache.set("celery-heartbeat", now, timeout=None)
    logger.info("Celery heartbeat at %s", now)
    return now


@shared_task
def ping(value: str) -> str:
    """Echo a value back: used to check that the broker delivers to a worker."""
    return f"pong:{value}"
