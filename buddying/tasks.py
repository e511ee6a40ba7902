"""Project-level tasks, and the heartbeats that show the Celery worker and beat are alive.

Every task here is idempotent, so it runs with the project's late acknowledgement and is requeued
if its worker is lost (``CELERY_TASK_ACKS_LATE``, ``CELERY_TASK_REJECT_ON_WORKER_LOST``).
"""

import logging

from celery import shared_task
from django.core.cache import caches
from django.utils import timezone

logger = logging.getLogger(__name__)

# The cache every process shares (Redis, or the database): see CACHES in settings.
HEARTBEAT_CACHE = "heartbeat"
# When a worker last ran the heartbeat task, and when beat last sent a scheduled task.
WORKER_LAST_BEAT = "worker_last_beat"
BEAT_LAST_BEAT = "beat_last_beat"


def record_beat(name: str) -> str:
    """Note that ``name`` (``WORKER_LAST_BEAT`` or ``BEAT_LAST_BEAT``) beat now; returns the time."""
    now = timezone.now().isoformat()
    caches[HEARTBEAT_CACHE].set(name, now, timeout=None)
    return now


# Which beat may send (DESIGN §7: only one beat runs): the id of the beat holding the lock.
BEAT_LOCK = "beat_lock"


def hold_beat_lock(beat_id: str, seconds: int) -> bool:
    """Take (or keep, for ``seconds`` more) the one-beat lock for ``beat_id``; ``False`` while
    another beat holds it. A beat that stops lets its lock lapse, and a stand-by takes over."""
    cache = caches[HEARTBEAT_CACHE]
    if cache.add(BEAT_LOCK, beat_id, timeout=seconds):
        return True
    if cache.get(BEAT_LOCK) == beat_id:
        cache.set(BEAT_LOCK, beat_id, timeout=seconds)
        return True
    return False


def release_beat_lock(beat_id: str) -> None:
    cache = caches[HEARTBEAT_CACHE]
    if cache.get(BEAT_LOCK) == beat_id:
        cache.delete(BEAT_LOCK)


def last_beats() -> dict[str, str | None]:
    """The last beat of the worker and of beat (ISO 8601, UTC), ``None`` for one never recorded."""
    found = caches[HEARTBEAT_CACHE].get_many([WORKER_LAST_BEAT, BEAT_LAST_BEAT])
    return {name: found.get(name) for name in (WORKER_LAST_BEAT, BEAT_LAST_BEAT)}


@shared_task
def heartbeat() -> str:
    """Prove a worker is alive (beat sends it); returns the time it ran (ISO 8601, UTC)."""
    now = record_beat(WORKER_LAST_BEAT)
    logger.info("Celery heartbeat at %s", now)
    return now


@shared_task
def ping(value: str) -> str:
    """Echo a value back: used to check that the broker delivers to a worker."""
    return f"pong:{value}"
