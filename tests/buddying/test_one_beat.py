"""Only one beat runs: a second beat started by mistake stands by and sends nothing, and takes
over when the first stops. The lock lives in the configured heartbeat store (Redis in CI)."""

import pytest
from celery.beat import PersistentScheduler

from buddying.celery import BeatScheduler
from tests.buddying.test_celery import configured_app, heartbeat_cache  # noqa: F401


@pytest.fixture
def two_beats(configured_app, heartbeat_cache, tmp_path, monkeypatch):  # noqa: F811
    """Two beats on one schedule; what each would send is counted, not sent."""
    sent = []

    def send_what_is_due(scheduler, *args, **kwargs):
        sent.append(scheduler.beat_id)
        return 5.0

    monkeypatch.setattr(PersistentScheduler, "tick", send_what_is_due)
    first = BeatScheduler(app=configured_app, schedule_filename=str(tmp_path / "first"))
    second = BeatScheduler(app=configured_app, schedule_filename=str(tmp_path / "second"))
    yield first, second, sent
    for beat in (first, second):
        beat.close()


@pytest.mark.django_db(transaction=True)  # the store is a database table without REDIS_URL
def test_a_second_beat_sends_nothing_while_the_first_runs(two_beats):
    first, second, sent = two_beats

    for _ in range(3):
        first.tick()
        second.tick()

    assert sent == [first.beat_id] * 3
    assert first.is_the_one_beat() and not second.is_the_one_beat()


@pytest.mark.django_db(transaction=True)
def test_the_stand_by_takes_over_when_the_one_beat_stops(two_beats):
    first, second, sent = two_beats
    first.tick()
    second.tick()

    first.close()
    second.tick()

    assert sent == [first.beat_id, second.beat_id]


@pytest.mark.django_db(transaction=True)
def test_beat_checks_the_lock_well_within_its_life(two_beats):
    first, second, _ = two_beats
    assert first.tick() <= BeatScheduler.LOCK_SECONDS / 3
    assert second.tick() <= BeatScheduler.LOCK_SECONDS / 3  # the stand-by checks as often
