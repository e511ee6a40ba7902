"""The Celery app is real: a task goes through the configured broker and a worker runs it.

With ``REDIS_URL`` set (as in CI) the broker is Redis; without it, the filesystem transport the
embedded run uses, pointed at a temporary folder. The worker runs in a thread of this process
(``start_worker``), so an in-memory result backend is shared by the sender and the worker and the
test can read the task's return value.
"""

import uuid
from datetime import datetime

import pytest
from celery.beat import PersistentScheduler, ScheduleEntry
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from django.conf import settings
from django.core.cache import caches

import buddying.tasks
from buddying import tasks
from buddying.celery import BeatScheduler
from buddying.celery import app as celery_app

# A queue of the tests' own on the configured broker, so a real worker that happens to be running
# against the same broker (e.g. `make run`) cannot take the test's task.
TEST_QUEUE = "buddying-tests"


def _forget_connections_and_backend(app) -> None:
    """Drop what the app cached from its old configuration (broker pool, result backend)."""
    # Not closed: kombu keeps pools per connection settings and would hand the closed one back.
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    if hasattr(app._local, "backend"):
        del app._local.backend


@pytest.fixture
def configured_app(tmp_path):
    """The project's Celery app on its configured broker, with a result backend for the test."""
    changes = {"result_backend": "cache+memory://"}
    if not settings.REDIS_URL:
        queue, processed = tmp_path / "queue", tmp_path / "processed"
        queue.mkdir()
        processed.mkdir()
        changes["broker_transport_options"] = {
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(processed),
            "polling_interval": 0.1,  # the default second per poll makes the test slow
        }
    saved = {key: celery_app.conf[key] for key in changes}
    celery_app.conf.update(changes)
    _forget_connections_and_backend(celery_app)
    try:
        yield celery_app
    finally:
        celery_app.conf.update(saved)
        _forget_connections_and_backend(celery_app)


@pytest.mark.celery_worker
def test_the_app_uses_the_broker_the_settings_configure(configured_app):
    expected = settings.REDIS_URL or "filesystem://"
    with configured_app.connection_for_write() as connection:
        assert connection.as_uri(include_password=True).startswith(expected.rstrip("/"))
        assert connection.transport.driver_type == ("redis" if settings.REDIS_URL else "filesystem")


@pytest.mark.celery_worker
def test_a_task_sent_through_the_configured_broker_is_run_by_a_worker(configured_app):
    assert not configured_app.conf.task_always_eager  # a real trip through the broker
    with start_worker(configured_app, pool="solo", perform_ping_check=False, queues=[TEST_QUEUE]):
        result = buddying.tasks.ping.apply_async(["hello"], queue=TEST_QUEUE)

        assert result.get(timeout=20) == "pong:hello"
        assert result.successful()
        assert result.info == "pong:hello"


@pytest.mark.celery_worker
def test_a_task_sent_with_no_worker_waits_in_the_broker_until_one_runs_it(configured_app):
    result = buddying.tasks.ping.apply_async(["queued"], queue=TEST_QUEUE)
    assert result.state == "PENDING"

    with start_worker(configured_app, pool="solo", perform_ping_check=False, queues=[TEST_QUEUE]):
        assert result.get(timeout=20) == "pong:queued"


def test_the_beat_schedule_lives_in_settings_and_names_registered_tasks():
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule, "The schedule should not be empty"
    assert celery_app.conf.beat_schedule == schedule
    celery_app.loader.import_default_modules()
    registered = set(celery_app.tasks)
    for name, entry in schedule.items():
        assert entry["task"] in registered, f"{name} runs {entry['task']}, which is not a task"
        assert isinstance(entry["schedule"], crontab | int | float) or hasattr(
            entry["schedule"], "is_due"
        )


def test_tasks_are_serialised_as_json_only():
    assert celery_app.conf.task_serializer == "json"
    assert celery_app.conf.accept_content == ["json"]
    assert celery_app.conf.timezone == "Europe/London"


@pytest.fixture
def heartbeat_cache(settings):
    """The configured heartbeat store (Redis in CI), under keys of this test's own."""
    settings.CACHES = {
        **settings.CACHES,
        tasks.HEARTBEAT_CACHE: {
            **settings.CACHES[tasks.HEARTBEAT_CACHE],
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }
    yield
    caches[tasks.HEARTBEAT_CACHE].delete_many([tasks.WORKER_LAST_BEAT, tasks.BEAT_LAST_BEAT])


@pytest.fixture
def beat_scheduler(configured_app, tmp_path):
    scheduler = BeatScheduler(app=configured_app, schedule_filename=str(tmp_path / "schedule"))
    yield scheduler
    scheduler.close()


def test_tasks_are_acknowledged_late_and_requeued_when_their_worker_is_lost():
    # Safe because the tasks are idempotent: running one twice does no harm, losing one does.
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    for task in (buddying.tasks.heartbeat, buddying.tasks.ping):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True


def test_a_task_is_stopped_before_redis_would_hand_it_to_another_worker():
    assert celery_app.conf.task_soft_time_limit < celery_app.conf.task_time_limit
    if not settings.REDIS_URL:
        pytest.skip("The filesystem transport has no visibility timeout (REDIS_URL is not set)")
    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert celery_app.conf.task_time_limit < visibility_timeout
    with celery_app.connection_for_write() as connection:
        assert connection.default_channel.visibility_timeout == visibility_timeout


def test_beat_runs_the_scheduler_that_records_its_beats():
    assert celery_app.conf.beat_scheduler == "buddying.celery:BeatScheduler"
    assert issubclass(BeatScheduler, PersistentScheduler)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)  # the worker thread writes with its own connection
def test_beat_records_when_it_sends_the_heartbeat_and_the_worker_when_it_runs_it(
    configured_app, beat_scheduler, heartbeat_cache
):
    entry = ScheduleEntry(
        name="heartbeat",
        task="buddying.tasks.heartbeat",
        schedule=settings.CELERY_BEAT_SCHEDULE["heartbeat"]["schedule"],
        options={"queue": TEST_QUEUE},
        app=configured_app,
    )

    result = beat_scheduler.apply_async(entry, advance=False)

    sent = tasks.last_beats()
    assert sent["beat_last_beat"] is not None
    assert sent["worker_last_beat"] is None  # sent, not yet run: no worker is listening

    with start_worker(configured_app, pool="solo", perform_ping_check=False, queues=[TEST_QUEUE]):
        ran = result.get(timeout=20)

    beats = tasks.last_beats()
    assert beats == {"worker_last_beat": ran, "beat_last_beat": sent["beat_last_beat"]}
    assert datetime.fromisoformat(beats["beat_last_beat"]) <= datetime.fromisoformat(ran)


def test_beat_goes_on_sending_when_its_beat_cannot_be_recorded(beat_scheduler, monkeypatch):
    sent = object()
    monkeypatch.setattr(PersistentScheduler, "apply_async", lambda *args, **kwargs: sent)

    def unrecordable(name):
        raise ConnectionError("heartbeat store unreachable")

    monkeypatch.setattr(tasks, "record_beat", unrecordable)

    assert beat_scheduler.apply_async(object()) is sent
