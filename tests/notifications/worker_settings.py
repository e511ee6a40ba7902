"""Settings for the separate worker processes of ``test_worker_killed.py``: the project's own,
with the email edge a slow file-based backend in the test's folder, every task on the test's own
queue, and unacknowledged messages of a killed worker redelivered after seconds, not an hour."""

import os

from buddying.settings import *  # noqa: F403
from buddying.settings import CELERY_BROKER_TRANSPORT_OPTIONS

EMAIL_BACKEND = "tests.notifications.slow_mail.SlowFileBackend"
EMAIL_FILE_PATH = os.environ["TEST_EMAIL_DIR"]
CELERY_TASK_DEFAULT_QUEUE = os.environ["TEST_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
