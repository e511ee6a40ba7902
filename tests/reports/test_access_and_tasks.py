"""Who may ask for and read a report (the access policy over its scope), the status people watch,
and the building task: safe to run twice, taken over after a worker died, failures explained."""

import pytest
from django.core.files.base import ContentFile

from buddying.reports import services, tasks
from buddying.reports.choices import ReportKind, ReportStatus
from buddying.reports.models import ReportRequest
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

A = "/api/v1/reports/"


def _done_report(world, kind=ReportKind.PARTNERSHIP_WEEKLY, **scope):
    if kind == ReportKind.PARTNERSHIP_WEEKLY and not scope:
        scope = {"partnership": world.partnership}
    report = ReportRequest.objects.create(
        kind=kind,
        period_start="2026-06-01",
        period_end="2026-06-07",
        status=ReportStatus.DONE,
        title="Weekly",
        **scope,
    )
    report.pdf_file.save("report.pdf", ContentFile(b"%PDF-1.7 figures"), save=False)
    report.body_file.save("body.html", ContentFile(b"<p>The figures 22.5</p>"), save=False)
    report.save()
    return report


READ_WEEKLY = dict.fromkeys(PERSONAS, 200) | {"outsider": 404, "nobody": 404}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_partnership_report_is_readable_by_those_who_see_the_partnership(
    world, api_as, as_user, persona
):
    report = _done_report(world)
    expected = READ_WEEKLY[persona]
    api = api_as(world.user(persona))
    assert api.get(f"{A}{report.pk}/").status_code == expected
    assert api.get(f"{A}{report.pk}/download/pdf/").status_code == expected
    page = as_user(world.user(persona))
    assert page.get(f"/reports/{report.pk}/").status_code == expected
    assert page.get(f"/reports/{report.pk}/download/pdf/").status_code == expected


@pytest.mark.parametrize(
    ("persona", "kind", "scope", "expected"),
    [
        ("buddy_viewer", ReportKind.PARTNERSHIP_WEEKLY, "partnership", 201),
        ("regulator", ReportKind.PARTNERSHIP_WEEKLY, "partnership", 201),
        ("outsider", ReportKind.PARTNERSHIP_WEEKLY, "partnership", 404),
        ("nobody", ReportKind.PARTNERSHIP_WEEKLY, "partnership", 404),
        ("buddy_exec", ReportKind.ORGANISATION_MONTHLY, "buddy", 201),
        ("buddy_exec", ReportKind.ORGANISATION_MONTHLY, "supported", 404),
        ("outsider", ReportKind.ORGANISATION_MONTHLY, "buddy", 404),
        ("regulator", ReportKind.ORGANISATION_MONTHLY, "buddy", 201),
        ("buddy_exec", ReportKind.SYSTEM_MONTHLY, None, 404),
        ("regulator", ReportKind.SYSTEM_MONTHLY, None, 201),
    ],
)
def test_asking_for_a_report_on_data_one_cannot_see_is_404(
    world, api_as, django_capture_on_commit_callbacks, persona, kind, scope, expected
):
    body = {"kind": kind}
    if scope == "partnership":
        body["partnership"] = str(world.partnership.pk)
    elif scope:
        body["organisation"] = getattr(world, scope).pk
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_as(world.user(persona)).post(A, body, format="json")
    assert response.status_code == expected, response.content
    assert len(callbacks) == (1 if expected == 201 else 0)
    if expected == 201:
        assert response.json()["status"] == "queued"


def test_the_list_shows_only_readable_reports(world, api_as):
    _done_report(world)
    _done_report(world, ReportKind.SYSTEM_MONTHLY)
    _done_report(world, ReportKind.ORGANISATION_MONTHLY, organisation=world.supported)
    assert api_as(world.regulator).get(A).json()["count"] == 3
    assert api_as(world.buddy_viewer).get(A).json()["count"] == 1
    assert api_as(world.supported_viewer).get(A).json()["count"] == 2
    assert api_as(world.outsider).get(A).json()["count"] == 0


def test_bad_periods_are_400(world, api_as):
    api = api_as(world.buddy_exec)
    body = {"kind": "partnership_weekly", "partnership": str(world.partnership.pk)}
    assert (
        api.post(A, body | {"period_start": "2026-05-10", "period_end": "2026-05-01"}).status_code
        == 400
    )
    assert (
        api.post(A, body | {"period_end": "2999-01-01", "period_start": "2998-12-01"}).status_code
        == 400
    )
    assert api.post(A, {"kind": "nonsense"}).status_code == 400


def test_a_queued_report_page_refreshes_itself_without_script(world, as_user):
    report = ReportRequest.objects.create(
        kind=ReportKind.PARTNERSHIP_WEEKLY,
        partnership=world.partnership,
        period_start="2026-06-01",
        period_end="2026-06-07",
    )
    html = as_user(world.buddy_viewer).get(f"/reports/{report.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="5">' in html
    assert "Refresh now" in html


def test_a_failed_report_shows_its_reason(world, as_user, api_as, figures, monkeypatch):
    report = services.report_request(
        by=world.buddy_exec, kind=ReportKind.PARTNERSHIP_WEEKLY, partnership=world.partnership
    )

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("buddying.reports.build.build", broken)
    assert tasks.build_report.apply(args=[str(report.pk)]).get() == "failed"
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "Something went wrong while building the report" in report.failure_reason
    assert "database went away" not in report.failure_reason  # no internals shown
    assert (
        report.failure_reason
        in as_user(world.buddy_viewer).get(f"/reports/{report.pk}/").content.decode()
    )
    assert (
        api_as(world.buddy_viewer).get(f"{A}{report.pk}/").json()["failure_reason"]
        == report.failure_reason
    )


def test_the_task_builds_a_queued_report(world, figures, api_as):
    report = services.report_request(
        by=world.buddy_exec, kind=ReportKind.PARTNERSHIP_WEEKLY, partnership=world.partnership
    )
    assert tasks.build_report.apply(args=[str(report.pk)]).get() == "done"
    data = api_as(world.buddy_viewer).get(f"{A}{report.pk}/").json()
    assert data["status"] == "done"
    assert set(data["files"]) == {"html", "pdf", "xlsx", "csv"}
    response = api_as(world.buddy_viewer).get(data["files"]["xlsx"])
    assert response.status_code == 200
    assert api_as(world.outsider).get(data["files"]["xlsx"]).status_code == 404


def test_a_redelivered_task_takes_over_the_build_of_a_worker_that_died(world, figures):
    """A worker killed with SIGKILL leaves the report running under its message's task id; with
    late acks the message is delivered again, with the same id, and that delivery finishes it.
    A different message for the same report meanwhile does nothing."""
    report = services.report_request(
        by=world.buddy_exec, kind=ReportKind.PARTNERSHIP_WEEKLY, partnership=world.partnership
    )
    assert services.report_claim(report_id=report.pk, task_id="message-1")  # then the kill
    assert services.report_build(report_id=report.pk, task_id="message-2") is None
    done = services.report_build(report_id=report.pk, task_id="message-1")
    assert done.status == ReportStatus.DONE and done.attempts == 2
    assert services.report_build(report_id=report.pk, task_id="message-3") is None


def test_a_build_interrupted_too_often_fails_with_a_reason(world, figures, as_user):
    """Each death of the worker redelivers the message; after MAX_ATTEMPTS the next delivery marks
    the report failed with a reason the person can read, instead of building it for ever."""
    report = services.report_request(
        by=world.buddy_exec, kind=ReportKind.PARTNERSHIP_WEEKLY, partnership=world.partnership
    )
    for _ in range(services.MAX_ATTEMPTS):
        assert services.report_claim(report_id=report.pk, task_id="message-1")  # then a kill
    assert services.report_build(report_id=report.pk, task_id="message-1") is None
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.attempts == services.MAX_ATTEMPTS
    assert report.failure_reason.startswith("The report could not be built: the worker")
    page = as_user(world.buddy_exec).get(f"/reports/{report.pk}/").content.decode()
    assert "the worker building it stopped 3 times" in page


def test_a_report_left_running_past_its_lease_is_queued_again_then_failed(
    world, figures, django_capture_on_commit_callbacks
):
    """A worker killed with its message lost (no redelivery): the report is not left "running";
    the sweep queues it again once the lease has run out, and fails it after the last attempt."""
    import datetime as dt

    from django.utils import timezone

    report = services.report_request(
        by=world.buddy_exec, kind=ReportKind.PARTNERSHIP_WEEKLY, partnership=world.partnership
    )
    assert services.report_claim(report_id=report.pk, task_id="lost-message")  # then a kill
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.requeue_stalled() == 0  # still within its lease: it may be building
    assert callbacks == []
    later = timezone.now() + services.LEASE + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.requeue_stalled(later) == 1
    assert len(callbacks) == 1  # a new message: its claim is allowed, the lease having run out
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING
    ReportRequest.objects.filter(pk=report.pk).update(attempts=services.MAX_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.requeue_stalled(later) == 0
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.failure_reason == services.INTERRUPTED.format(attempts=services.MAX_ATTEMPTS)


def test_the_schedule_makes_each_report_once(world, figures, django_capture_on_commit_callbacks):
    import datetime as dt

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.schedule_weekly(dt.date(2026, 6, 8)) == 1
        assert services.schedule_weekly(dt.date(2026, 6, 8)) == 1  # still queued: sent again
    assert ReportRequest.objects.filter(kind=ReportKind.PARTNERSHIP_WEEKLY).count() == 1
    assert len(callbacks) == 2
    # 1 June 2026 is a Monday: the first working day. 2 June is not.
    with django_capture_on_commit_callbacks(execute=False):
        assert services.schedule_monthly(dt.date(2026, 6, 2)) == 0
        assert services.schedule_monthly(dt.date(2026, 6, 1)) == 3  # two organisations, system
    assert ReportRequest.objects.get(kind=ReportKind.SYSTEM_MONTHLY).requested_by is None


def test_first_working_day():
    import datetime as dt

    assert services.is_first_working_day(dt.date(2027, 1, 4))  # 1 Jan a Friday, then a weekend
    assert not services.is_first_working_day(dt.date(2027, 1, 1))
    assert services.is_first_working_day(dt.date(2026, 8, 3))  # 1 August 2026 is a Saturday
    assert services.is_first_working_day(dt.date(2024, 4, 2))  # Easter Monday was 1 April 2024


def test_the_beat_schedule_has_the_reports(settings):
    from celery.schedules import crontab

    weekly = settings.CELERY_BEAT_SCHEDULE["reports-weekly"]["schedule"]
    assert weekly == crontab(hour=7, minute=30, day_of_week="mon")
    assert settings.CELERY_TIMEZONE == "Europe/London"
    # Beat cannot say "first working day": it asks on each of the first seven days, and
    # schedule_monthly builds only on the first working one (test above).
    monthly = settings.CELERY_BEAT_SCHEDULE["reports-monthly"]
    assert monthly["schedule"] == crontab(hour=7, minute=30, day_of_month="1-7")
    assert monthly["task"] == "buddying.reports.tasks.schedule_monthly_reports"
    stalled = settings.CELERY_BEAT_SCHEDULE["reports-stalled"]
    assert stalled["task"] == "buddying.reports.tasks.requeue_stalled_reports"
    assert stalled["schedule"] == crontab(minute="*/10")


def test_a_finished_weekly_summary_is_in_the_digest_of_the_parties_writers(world, figures):
    """The schedule's weekly summary, once built, reaches its people as a link in the digest
    (the reports app's reminders.py, collected by notifications); a viewer or an outsider is not
    told."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from buddying.reports import reminders

    ReportRequest.objects.create(
        kind=ReportKind.PARTNERSHIP_WEEKLY,
        partnership=world.partnership,
        period_start=dt.date(2026, 6, 1),
        period_end=dt.date(2026, 6, 7),
        schedule_key="weekly-test",
        status=ReportStatus.DONE,
        finished_at=timezone.now(),
        title="Weekly summary",
    )
    [due] = reminders.weekly_report_ready(timezone.localdate())
    told = set(
        get_user_model().objects.filter(pk__in=due.user_ids).values_list("username", flat=True)
    )
    assert told == {"buddy_exec", "buddy_pm", "supported_exec", "supported_pm"}
    assert due.url.startswith("/reports/")
