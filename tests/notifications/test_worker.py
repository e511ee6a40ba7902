"""A real Celery worker against the configured broker (Redis in CI) runs the beat-triggered daily
job and the digest tasks it queues: every person is emailed once."""

import datetime as dt
import time

import pytest
from celery.beat import ScheduleEntry
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone

from buddying.notifications.models import Reminder
from tests.buddying.test_celery import TEST_QUEUE, beat_scheduler, configured_app  # noqa: F401
from tests.reviews.factories import ReviewFactory
from tests.risks.factories import RiskFactory


@pytest.fixture
def routed_app(configured_app):  # noqa: F811
    """The notifications tasks go to the tests' own queue, so only the test's worker runs them."""
    saved = configured_app.conf.task_routes
    configured_app.conf.task_routes = {"buddying.notifications.tasks.*": {"queue": TEST_QUEUE}}
    _reroute(configured_app)  # Celery caches its router: an earlier test may have built it
    yield configured_app
    configured_app.conf.task_routes = saved
    _reroute(configured_app)


def _reroute(app) -> None:
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)  # the worker thread writes with its own connection
def test_beat_sends_the_daily_job_and_a_worker_emails_each_person_once(
    world,
    routed_app,
    beat_scheduler,  # noqa: F811
):
    today = timezone.localdate()
    RiskFactory(
        partnership=world.partnership,
        owner=world.buddy_pm,
        next_review_date=today - dt.timedelta(days=1),
    )
    ReviewFactory(partnership=world.partnership, due_date=today + dt.timedelta(days=3))
    entry = ScheduleEntry(
        name="daily-reminders",
        task="buddying.notifications.tasks.daily_reminders",
        schedule=settings.CELERY_BEAT_SCHEDULE["daily-reminders"]["schedule"],
        options={"queue": TEST_QUEUE},
        app=routed_app,
    )

    with start_worker(routed_app, pool="solo", perform_ping_check=False, queues=[TEST_QUEUE]):
        beat_scheduler.apply_async(entry, advance=False).get(timeout=30)
        beat_scheduler.apply_async(entry, advance=False).get(timeout=30)  # a second run
        deadline = time.monotonic() + 30
        while Reminder.objects.filter(emailed_at__isnull=True).exists():
            assert time.monotonic() < deadline, "the digests were not sent"
            time.sleep(0.2)
        time.sleep(1)  # let any (wrong) second send land

    assert Reminder.objects.count() == 6
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(
        user.email
        for user in (world.buddy_exec, world.buddy_pm, world.supported_exec, world.supported_pm)
    )
