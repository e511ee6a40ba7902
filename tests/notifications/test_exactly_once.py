"""Exactly once: the job run twice, two workers racing on PostgreSQL, a retried task — every
reminder is recorded once and emailed once; a new due date is a new reminder."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection

from buddying.notifications import services, tasks
from buddying.notifications.models import Digest, Reminder
from tests.notifications.conftest import TODAY
from tests.reviews.factories import ReviewFactory
from tests.risks.factories import RiskFactory

pytestmark = pytest.mark.usefixtures("frozen")


def _something_due(world):
    RiskFactory(
        partnership=world.partnership,
        owner=world.buddy_pm,
        next_review_date=TODAY - dt.timedelta(days=1),
    )
    return ReviewFactory(partnership=world.partnership, due_date=TODAY + dt.timedelta(days=3))


def test_running_the_job_twice_records_and_sends_each_reminder_once(world, run_job):
    _something_due(world)

    first = run_job()
    second = run_job()

    # review due soon: 4 principal writers; risk review: the buddy's 2 writers (owner among them)
    assert (first.claimed, second.claimed) == (6, 0)
    assert Reminder.objects.count() == 6

    for _ in range(2):
        for user_id in services.selectors.people_to_email(TODAY):
            services.send_digest(user_id=user_id, day=TODAY)
    assert len(mail.outbox) == 4  # one email per person
    assert Reminder.objects.filter(emailed_at__isnull=True).count() == 0
    assert Digest.objects.count() == 4


def test_a_rescheduled_review_is_a_new_reminder(world, run_job):
    review = _something_due(world)
    run_job()
    review.due_date = TODAY + dt.timedelta(days=10)
    review.save()

    assert run_job().claimed == 4
    assert Reminder.objects.filter(item_id=review.pk).count() == 8


def test_a_rule_that_fails_does_not_stop_the_others_and_the_retry_fills_in(world, run_job):
    from buddying.common.reminders import ReminderRule
    from buddying.notifications import registry

    _something_due(world)
    calls = []

    def flaky(today):
        calls.append(today)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return registry.get("review_due_soon").select(today)

    broken = ReminderRule(name="review_due_soon", label="Review due", select=flaky)
    rules = [broken, registry.get("risk_review_overdue")]

    first = run_job(rules=rules)
    assert first.failed == ["review_due_soon"] and first.claimed == 2
    second = run_job(rules=rules)
    assert second.failed == [] and second.claimed == 4


def test_the_retried_daily_task_sends_nothing_twice(world, settings):
    """The task is run again (as Celery would after a crash or a retry): no second reminder,
    no second email."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from buddying.celery import app

    app.conf.task_always_eager = True
    try:
        _something_due(world)
        tasks.daily_reminders.apply(args=[TODAY.isoformat()]).get()
        tasks.daily_reminders.apply(args=[TODAY.isoformat()]).get()
    finally:
        app.conf.task_always_eager = False
    assert Reminder.objects.count() == 6
    assert len(mail.outbox) == 4


def test_a_digest_sent_today_is_not_sent_again_when_new_reminders_arrive(world, run_job):
    _something_due(world)
    run_job()
    assert services.send_digest(user_id=world.buddy_pm.pk, day=TODAY) is not None
    ReviewFactory(partnership=world.partnership, due_date=TODAY + dt.timedelta(days=5))
    run_job()

    assert services.send_digest(user_id=world.buddy_pm.pk, day=TODAY) is None
    assert len(mail.outbox) == 1
    # Tomorrow's digest carries what arrived after today's was sent.
    assert services.send_digest(user_id=world.buddy_pm.pk, day=TODAY + dt.timedelta(days=1))
    assert len(mail.outbox) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_record_and_send_everything_exactly_once(world):
    _something_due(world)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        from django.db import connection as own

        try:
            barrier.wait(timeout=10)
            services.raise_reminders(today=TODAY)
            barrier.wait(timeout=10)
            for user_id in list(services.selectors.people_to_email(TODAY)):
                services.send_digest(user_id=user_id, day=TODAY)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Reminder.objects.count() == 6
    assert Reminder.objects.filter(emailed_at__isnull=True).count() == 0
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert len(recipients) == len(set(recipients)) == 4
