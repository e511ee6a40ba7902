"""``GET /healthz``: 200 when the database and the broker answer, 503 naming the one that does not."""

import copy
import time
import uuid
from datetime import datetime

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.utils import load_backend

import buddying.health
from buddying import tasks
from buddying.celery import app as celery_app

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_folders(settings, tmp_path, monkeypatch):
    """With the filesystem transport (no REDIS_URL), queue folders that exist, as in a real run."""
    if settings.REDIS_URL:
        return
    queue, processed = tmp_path / "queue", tmp_path / "processed"
    queue.mkdir()
    processed.mkdir()
    monkeypatch.setitem(
        celery_app.conf,
        "broker_transport_options",
        {
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(processed),
        },
    )


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
def broker_down(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "broker_url", CLOSED_PORT_BROKER)


@pytest.fixture
def database_down(monkeypatch, tmp_path):
    """The health check's connection points at a database that is not there (a real backend).

    PostgreSQL: a closed port. SQLite: a file in a folder that does not exist.
    """
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    if settings_dict["ENGINE"].endswith("sqlite3"):
        settings_dict["NAME"] = str(tmp_path / "missing" / "db.sqlite3")
        settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "NAME": settings_dict["NAME"]}
    else:
        settings_dict.update(HOST="127.0.0.1", PORT="1")
    down = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="down")
    monkeypatch.setattr(buddying.health, "connection", down)
    yield down
    down.close()


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_and_broker_answer(
    client, broker_folders, heartbeat_cache
):
    response = client.get("/healthz")

    assert response.status_code == 200
    # No beat yet (a fresh start): reported as null, not a failure.
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "worker_last_beat": None,
        "beat_last_beat": None,
        "status": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_the_last_beats_of_the_worker_and_of_beat(
    client, broker_folders, heartbeat_cache
):
    beat = tasks.record_beat(tasks.BEAT_LAST_BEAT)
    worker = tasks.heartbeat()

    body = client.get("/healthz").json()

    assert body["worker_last_beat"] == worker
    assert body["beat_last_beat"] == beat
    assert datetime.fromisoformat(beat) <= datetime.fromisoformat(worker)
    assert datetime.fromisoformat(worker).utcoffset().total_seconds() == 0
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_healthz_reads_the_beats_from_the_store_every_process_shares(heartbeat_cache):
    # Not a per-process memory cache: the worker and beat write where the web process reads.
    backend = settings.CACHES[tasks.HEARTBEAT_CACHE]["BACKEND"]
    if settings.REDIS_URL:
        assert backend == "django.core.cache.backends.redis.RedisCache"
        assert settings.CACHES[tasks.HEARTBEAT_CACHE]["LOCATION"] == settings.REDIS_URL
    else:
        assert backend == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.django_db
def test_healthz_does_not_look_for_beats_in_a_store_that_is_down(
    client, broker_folders, heartbeat_cache, request
):
    tasks.record_beat(tasks.WORKER_LAST_BEAT)
    tasks.record_beat(tasks.BEAT_LAST_BEAT)
    # The heartbeats live in Redis (the broker's server) or else in the database.
    store = "broker" if settings.REDIS_URL else "database"
    request.getfixturevalue(f"{store}_down")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == [store]
    assert response.json()["worker_last_beat"] is None
    assert response.json()["beat_last_beat"] is None


@pytest.mark.django_db
def test_healthz_stays_200_when_the_beats_cannot_be_read(client, broker_folders, monkeypatch):
    def unreadable():
        raise ConnectionError("heartbeat store unreachable")

    monkeypatch.setattr(tasks, "last_beats", unreadable)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["worker_last_beat"] is None
    assert response.json()["beat_last_beat"] is None


@pytest.mark.django_db
def test_healthz_is_503_naming_the_broker_when_it_is_down(client, broker_folders, broker_down):
    started = time.monotonic()
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "broker": "down",
        "worker_last_beat": None,
        "beat_last_beat": None,
        "status": "down",
        "failing": ["broker"],
    }
    assert time.monotonic() - started < 5


@pytest.mark.django_db
def test_healthz_does_not_show_the_reason_a_check_failed(client, broker_folders, broker_down):
    body = client.get("/healthz").content.decode()

    assert "127.0.0.1" not in body
    assert "refused" not in body.lower()


@pytest.mark.django_db
def test_healthz_is_503_naming_the_database_when_it_is_down(client, broker_folders, database_down):
    started = time.monotonic()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["broker"] == "ok"
    assert response.json()["failing"] == ["database"]
    assert time.monotonic() - started < 5


@pytest.mark.django_db
def test_healthz_names_both_when_both_are_down(client, broker_down, database_down):

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["database", "broker"]


def test_filesystem_broker_without_its_queue_folder_counts_as_down(client, monkeypatch, tmp_path):
    monkeypatch.setitem(celery_app.conf, "broker_url", "filesystem://")
    monkeypatch.setitem(
        celery_app.conf,
        "broker_transport_options",
        {"data_folder_in": str(tmp_path / "missing"), "data_folder_out": str(tmp_path / "missing")},
    )
    monkeypatch.setattr(buddying.health, "check_database", lambda: None)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.django_db
def test_the_database_check_reports_the_connection_failure(database_down):
    # The reason is the backend's own (not, say, the test runner refusing database access).
    reason = buddying.health.check_database()

    assert reason is not None
    assert "unable to open database file" in reason or "127.0.0.1" in reason


@pytest.mark.django_db
def test_healthz_answers_only_get(client, broker_folders):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_the_database_check_gives_up_connecting_after_a_couple_of_seconds():
    database, temporary = buddying.health._quick_connection(connections["default"])

    if connections["default"].vendor == "postgresql":
        assert temporary
        params = database.get_connection_params()
        assert params["connect_timeout"] == buddying.health.TIMEOUT_SECONDS <= 3
    else:
        # SQLite is a local file: no network to wait for, so the usual connection serves.
        assert (database, temporary) == (connections["default"], False)
