"""The Celery application, configured from Django settings (``CELERY_`` namespace)."""

import logging
import os

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
    """

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        result = super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        from buddying.tasks import BEAT_LAST_BEAT, record_beat  # Django is set up by now

        try:
            record_beat(BEAT_LAST_BEAT)
        except Exception:  # a missed note must never stop beat from sending the next task
            logger.exception("Could not record beat's last beat")
        return result
