"""The daily digest: one email per person, grouped by partnership with links, plain text and
HTML; nothing when there is nothing to say; an opted-out rule; an unrelated organisation never
told; a failed send retried and never marked sent; the GOV.UK Notify backend."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from buddying.notifications import services, tasks
from buddying.notifications.choices import Delivery
from buddying.notifications.models import Digest, Reminder, ReminderPreference
from tests.factories import PartnershipFactory
from tests.notifications.conftest import TODAY
from tests.reviews.factories import ReviewFactory
from tests.risks.factories import RiskFactory

pytestmark = pytest.mark.usefixtures("frozen")


def _send_all(day=TODAY):
    for user_id in services.selectors.people_to_email(day):
        services.send_digest(user_id=user_id, day=day)


def _two_partnerships_due(world):
    # The buddy supports a second trust (not the outsider's: theirs is unrelated to both).
    second = PartnershipFactory(buddy=world.buddy, title="Midlands")
    RiskFactory(
        partnership=world.partnership,
        owner=world.buddy_pm,
        title="Winter pressures",
        next_review_date=TODAY - dt.timedelta(days=1),
    )
    ReviewFactory(partnership=world.partnership, due_date=TODAY + dt.timedelta(days=2))
    ReviewFactory(partnership=second, due_date=TODAY - dt.timedelta(days=3))
    return second


def test_one_email_per_person_grouped_by_partnership_with_links(world, run_job, settings):
    settings.SITE_URL = "https://buddying.example.nhs.uk"
    second = _two_partnerships_due(world)
    run_job()

    services.send_digest(user_id=world.buddy_pm.pk, day=TODAY)

    [message] = mail.outbox
    assert message.to == [world.buddy_pm.email]
    assert message.subject == "Buddying: 3 things need your attention (21 July 2026)"
    text = message.body
    first_heading = f"{world.partnership.reference} Basildon recovery"
    second_heading = f"{second.reference} Midlands"
    assert first_heading in text and second_heading in text
    assert "Risk review overdue: R-001 Winter pressures" in text
    assert "Outcome review due within 14 days" in text
    assert "Outcome review overdue" in text
    assert "https://buddying.example.nhs.uk/reviews/" in text
    assert "https://buddying.example.nhs.uk/risks/" in text
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert f"<h2>{first_heading}</h2>" in html and f"<h2>{second_heading}</h2>" in html
    assert 'href="https://buddying.example.nhs.uk/risks/' in html
    assert Reminder.objects.filter(user=world.buddy_pm, emailed_at__isnull=True).count() == 0


def test_no_digest_when_there_is_nothing_to_say(world, run_job):
    run_job()
    assert Reminder.objects.count() == 0
    assert services.send_digest(user_id=world.buddy_pm.pk, day=TODAY) is None
    _send_all()
    assert mail.outbox == []
    assert Digest.objects.count() == 0


def test_a_rule_turned_off_is_neither_recorded_nor_sent(world, run_job):
    _two_partnerships_due(world)
    ReminderPreference.objects.create(
        user=world.buddy_pm, rule="risk_review_overdue", delivery=Delivery.OFF
    )
    run_job()
    assert not Reminder.objects.filter(user=world.buddy_pm, rule="risk_review_overdue").exists()
    assert Reminder.objects.filter(user=world.buddy_exec, rule="risk_review_overdue").exists()


def test_in_the_app_only_is_recorded_but_not_emailed(world, run_job):
    _two_partnerships_due(world)
    for rule in ("review_due_soon", "review_overdue"):
        ReminderPreference.objects.create(
            user=world.supported_exec, rule=rule, delivery=Delivery.APP_ONLY
        )
    run_job()
    _send_all()

    assert Reminder.objects.filter(user=world.supported_exec).exists()
    assert world.supported_exec.email not in [m.to[0] for m in mail.outbox]
    mine = [m for m in mail.outbox if m.to == [world.buddy_pm.email]]
    assert len(mine) == 1


def test_a_person_of_an_unrelated_organisation_is_never_told(world, run_job):
    _two_partnerships_due(world)
    run_job()
    _send_all()
    never = [world.outsider, world.regulator, world.nobody, world.buddy_viewer]
    assert not Reminder.objects.filter(user__in=never).exists()
    assert not {u.email for u in never} & {m.to[0] for m in mail.outbox}


def test_a_reminder_is_not_sent_to_someone_who_can_no_longer_see_it(world, run_job):
    _two_partnerships_due(world)
    run_job()
    world.buddy_pm.memberships.all().delete()
    assert services.send_digest(user_id=world.buddy_pm.pk, day=TODAY) is None
    assert mail.outbox == []


def test_a_failed_send_marks_nothing_sent_and_the_retry_sends_once(world, run_job):
    _two_partnerships_due(world)
    run_job()
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=ConnectionError("SMTP server down"),
        ),
        pytest.raises(ConnectionError),
    ):
        services.send_digest(user_id=world.buddy_pm.pk, day=TODAY)
    assert Reminder.objects.filter(user=world.buddy_pm, emailed_at__isnull=False).count() == 0
    assert Digest.objects.count() == 0

    assert services.send_digest(user_id=world.buddy_pm.pk, day=TODAY) is not None
    assert len(mail.outbox) == 1
    assert Reminder.objects.filter(user=world.buddy_pm, emailed_at__isnull=True).count() == 0


def test_the_digest_task_is_retried_with_back_off_when_the_send_fails(world, run_job):
    _two_partnerships_due(world)
    run_job()
    task = tasks.send_digest
    assert task.autoretry_for == (Exception,)
    assert task.retry_backoff and task.retry_jitter and task.max_retries
    assert task.acks_late and task.time_limit and task.soft_time_limit

    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=ConnectionError("SMTP server down"),
        ),
        mock.patch.object(task, "retry", side_effect=RuntimeError("retry")) as retry,
        pytest.raises(RuntimeError, match="retry"),
    ):
        task.apply(args=[world.buddy_pm.pk, TODAY.isoformat()], throw=True)
    assert retry.call_args.kwargs["countdown"] > 0  # backed off, not immediate
    assert Reminder.objects.filter(user=world.buddy_pm, emailed_at__isnull=False).count() == 0


def test_the_daily_job_is_scheduled_at_seven_in_london(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-reminders"]
    assert entry["task"] == "buddying.notifications.tasks.daily_reminders"
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/London"


# --- GOV.UK Notify -------------------------------------------------------------------------------


NOTIFY = "buddying.notifications.notify.NotifyEmailBackend"


def test_the_notify_backend_sends_each_digest_through_the_notify_client(world, run_job, settings):
    settings.EMAIL_BACKEND = NOTIFY
    settings.GOVUK_NOTIFY_API_KEY = "test-key"
    settings.GOVUK_NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    _two_partnerships_due(world)
    run_job()
    with mock.patch("buddying.notifications.notify.NotificationsAPIClient") as client_class:
        services.send_digest(user_id=world.buddy_pm.pk, day=TODAY)

    client_class.assert_called_once_with("test-key")
    call = client_class.return_value.send_email_notification.call_args.kwargs
    assert call["email_address"] == world.buddy_pm.email
    assert call["template_id"] == settings.GOVUK_NOTIFY_TEMPLATE_ID
    assert call["personalisation"]["subject"].startswith("Buddying: 3 things")
    assert "Risk review overdue" in call["personalisation"]["body"]
    assert call["reference"] == f"digest-{world.buddy_pm.pk}-2026-07-21"


def test_a_notify_failure_leaves_the_reminders_unsent(world, run_job, settings):
    settings.EMAIL_BACKEND = NOTIFY
    settings.GOVUK_NOTIFY_API_KEY = "test-key"
    settings.GOVUK_NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    _two_partnerships_due(world)
    run_job()
    with mock.patch("buddying.notifications.notify.NotificationsAPIClient") as client_class:
        client_class.return_value.send_email_notification.side_effect = RuntimeError("429")
        with pytest.raises(RuntimeError):
            services.send_digest(user_id=world.buddy_pm.pk, day=TODAY)
    assert not Reminder.objects.filter(emailed_at__isnull=False).exists()


def test_the_notify_backend_refuses_to_start_without_its_settings(settings):
    settings.GOVUK_NOTIFY_API_KEY = ""
    from buddying.notifications.notify import NotifyEmailBackend

    with pytest.raises(ImproperlyConfigured):
        NotifyEmailBackend()


def _finished_report(kind, **scope):
    from django.utils import timezone

    from buddying.reports.choices import ReportStatus
    from buddying.reports.models import ReportRequest

    return ReportRequest.objects.create(
        kind=kind,
        period_start=dt.date(2026, 6, 1),
        period_end=dt.date(2026, 6, 30),
        schedule_key=f"{kind}-{scope.get('organisation', 'system')}-2026-06",
        status=ReportStatus.DONE,
        finished_at=timezone.now() - dt.timedelta(days=1),
        title="",
        **scope,
    )


def test_monthly_and_system_wide_reports_reach_the_digest_under_the_organisation_and_the_system(
    world, run_job, as_user
):
    """A finished monthly portfolio report is told to its organisation's executives, under the
    organisation's name; the system-wide report to the regulators, under "The whole system";
    nobody else hears of either."""
    from django.urls import reverse

    from buddying.reports.choices import ReportKind

    portfolio = _finished_report(ReportKind.ORGANISATION_MONTHLY, organisation=world.buddy)
    system = _finished_report(ReportKind.SYSTEM_MONTHLY)

    run_job()
    _send_all()

    by_person = {message.to[0]: message for message in mail.outbox}
    assert set(by_person) == {world.buddy_exec.email, world.regulator.email}
    executive = by_person[world.buddy_exec.email].body
    assert world.buddy.name in executive
    assert "Monthly portfolio report ready: Monthly portfolio report to 30 June 2026 is ready" in (
        executive
    )
    assert reverse("reports:detail", args=[portfolio.pk]) in executive
    regulator = by_person[world.regulator.email]
    assert "The whole system" in regulator.body
    assert "System-wide summary to 30 June 2026 is ready" in regulator.body
    html = regulator.alternatives[0][0]
    assert "<h2>The whole system</h2>" in html
    assert reverse("reports:detail", args=[system.pk]) in html

    # The same reminders are their notifications, grouped the same way.
    page = as_user(world.regulator).get(reverse("notifications:list"))
    assert "The whole system" in page.content.decode()
    page = as_user(world.buddy_exec).get(reverse("notifications:list"))
    assert world.buddy.name in page.content.decode()
    assert Reminder.objects.filter(user=world.outsider).count() == 0


def test_a_report_reminder_leaves_the_notifications_of_someone_no_longer_in_its_scope(
    world, run_job
):
    """An executive who has left the organisation, or a regulator no longer one, no longer sees
    (nor is emailed) the report's reminder."""
    from buddying.reports.choices import ReportKind
    from partnerships import access

    _finished_report(ReportKind.ORGANISATION_MONTHLY, organisation=world.buddy)
    _finished_report(ReportKind.SYSTEM_MONTHLY)
    run_job()
    assert services.selectors.reminders_of(world.buddy_exec).count() == 1
    assert services.selectors.reminders_of(world.regulator).count() == 1

    world.buddy_exec.memberships.all().delete()
    world.regulator.memberships.all().delete()
    access.forget_memberships(world.buddy_exec)
    access.forget_memberships(world.regulator)

    assert services.selectors.reminders_of(world.buddy_exec).count() == 0
    assert services.selectors.reminders_of(world.regulator).count() == 0
    _send_all()
    assert mail.outbox == []
