"""``GET /healthz``: whether the database and the broker answer (for load balancers and people).

Each check gives up after a couple of seconds, so a dead dependency makes the answer a quick 503
rather than a hung request. The reason is logged, not shown: it may name hosts or credentials.

The body also reports ``worker_last_beat`` (when a Celery worker last ran the ``heartbeat`` task)
and ``beat_last_beat`` (when Celery beat last sent a scheduled task), ISO 8601 in UTC, or ``null``
when none is recorded or their store (Redis, else the database) is down. They are reported, not
judged: a stopped worker or beat does not stop the site serving pages, so the status stays 200
when the database and broker answer, even before the first beat; monitoring alerts on their age
(the heartbeat is sent every 15 minutes).
"""

import copy
import logging
import os

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.db.utils import load_backend
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from buddying import tasks
from buddying.celery import app as celery_app

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2


def _quick_connection(base):
    """A connection like ``base`` that gives up connecting after ``TIMEOUT_SECONDS``.

    Django's own connection to PostgreSQL waits as long as the operating system does (minutes,
    for a host that has vanished). SQLite is a local file and needs nothing special.
    """
    if base.vendor != "postgresql":
        return base, False
    settings_dict = copy.deepcopy(base.settings_dict)
    settings_dict["OPTIONS"] = {
        **settings_dict.get("OPTIONS", {}),
        "connect_timeout": TIMEOUT_SECONDS,
    }
    settings_dict["CONN_MAX_AGE"] = 0
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="healthz")
    return wrapper, True


def check_database() -> str | None:
    """``None`` when the database answers ``SELECT 1``, else why not."""
    database, temporary = _quick_connection(connection)
    try:
        with database.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the message says why
        return str(exc) or exc.__class__.__name__
    finally:
        if temporary:
            database.close()
    return None


def check_broker() -> str | None:
    """``None`` when the configured Celery broker accepts a connection, else why not."""
    try:
        with celery_app.connection_for_write(connect_timeout=TIMEOUT_SECONDS) as conn:
            # One attempt, no back-off: a health check must answer quickly.
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=TIMEOUT_SECONDS
            )
            if conn.transport.driver_type == "filesystem":
                _check_broker_folders(conn.transport_options or {})
    except Exception as exc:
        return str(exc) or exc.__class__.__name__
    return None


def _check_broker_folders(options: dict) -> None:
    """The filesystem transport "connects" to anything; its queue folders must really be there."""
    for key in ("data_folder_in", "data_folder_out"):
        folder = options.get(key)
        if not folder or not os.path.isdir(folder) or not os.access(folder, os.R_OK | os.W_OK):
            raise OSError(f"The broker's {key} ({folder}) is not a folder this process can use.")


def last_beats(checks: dict[str, str | None]) -> dict[str, str | None]:
    """The worker's and beat's last beats, not looked for in a store that is down (it would hang)."""
    nothing = dict.fromkeys((tasks.WORKER_LAST_BEAT, tasks.BEAT_LAST_BEAT))
    store = caches[tasks.HEARTBEAT_CACHE]
    # The Redis cache is on the broker's server (REDIS_URL), the database cache in the database.
    if isinstance(store, RedisCache) and checks["broker"] is not None:
        return nothing
    if isinstance(store, DatabaseCache) and checks["database"] is not None:
        return nothing
    try:
        return tasks.last_beats()
    except Exception:
        logger.exception("Health check: could not read the Celery heartbeats")
        return nothing


@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    body = {name: ("ok" if error is None else "down") for name, error in checks.items()}
    body.update(last_beats(checks))
    failing = [name for name, error in checks.items() if error is not None]
    for name in failing:
        logger.error("Health check: the %s is down: %s", name, checks[name])
    body["status"] = "ok" if not failing else "down"
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=200 if not failing else 503)
