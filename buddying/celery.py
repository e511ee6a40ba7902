"""The Celery application, configured from Django settings (``CELERY_`` namespace)."""

import logging
import os
import uuid

from celery import Celery
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buddying.settings")

logger = logging.getLogger(__name__)

app = Celery("buddying")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class BeatScheduler(PersistentScheduler):
    """Beat's usual scheduler, which also notes when it last sent a task (``/healthz`` shows it).

    The worker notes when it runs the ``heartbeat`` task, so the two together tell a stopped beat
    (no recent send) from a stopped or stuck worker (sent, not run).

    Only one beat runs: each beat holds a lock in the heartbeat store (Redis in production) while
    it sends; a second beat started by mistake stands by and sends nothing until the first stops
    (its lock lapses after ``LOCK_SECONDS``). If the store cannot be reached, beat goes on
    sending: every scheduled job does its work once however often it is sent.
    """

    LOCK_SECONDS = 90

    def __init__(self, *args, **kwargs):
        self.beat_id = uuid.uuid4().hex
        self.sending: bool | None = None  # not yet known
        super().__init__(*args, **kwargs)

    def is_the_one_beat(self) -> bool:
        from buddying.tasks import hold_beat_lock  # Django is set up by now

        try:
            held = hold_beat_lock(self.beat_id, self.LOCK_SECONDS)
        except Exception:
            logger.exception("Could not check that this is the only beat; sending anyway")
            return True
        if held != self.sending:  # log the changes only
            if held:
                logger.info("Beat %s is the one beat: sending the schedule", self.beat_id)
            else:
                logger.warning(
                    "Another beat is running: beat %s stands by and sends nothing", self.beat_id
                )
        self.sending = held
        return held

    def tick(self, *args, **kwargs):
        recheck = self.LOCK_SECONDS / 3  # well within the lock's life
        if not self.is_the_one_beat():
            return recheck
        return min(super().tick(*args, **kwargs), recheck)

    def close(self):
        from buddying.tasks import release_beat_lock

        try:
            release_beat_lock(self.beat_id)
        except Exception:
            logger.exception("Could not release the one-beat lock (it lapses by itself)")
        super().close()

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        result = super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        from buddying.tasks import BEAT_LAST_BEAT, record_beat  # Django is set up by now

        try:
            record_beat(BEAT_LAST_BEAT)
        except Exception:  # a missed note must never stop beat from sending the next task
            logger.exception("Could not record beat's last beat")
        return result
