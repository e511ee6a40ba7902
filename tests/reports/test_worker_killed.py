"""A real Celery worker, in its own process on the configured broker, killed with SIGKILL while it
renders a report: the message is not lost (late acknowledgement, and ``reject_on_worker_lost``
puts it back when the process running the task dies), the restarted process builds the report
again from the start and finishes it; and a report whose worker keeps dying ends "failed" with a
reason the person can read, not "running" for ever.

The worker is the ordinary ``celery worker`` command. With the prefork pool and one child, the
child runs the task and is the process killed; the worker starts a new child, which takes the
redelivered message. With the solo pool the whole worker is killed and started again. Nothing of
the build is mocked.
"""

import datetime as dt
import os
import signal
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import F

from buddying.reports import services
from buddying.reports.choices import ReportKind, ReportStatus
from buddying.reports.models import ReportRequest
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.reports.conftest import wait_for
from tests.risks.factories import RiskFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _children(pid: int) -> list[int]:
    """The worker's pool processes (from /proc: no extra dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _status(report) -> tuple[str, int]:
    return ReportRequest.objects.filter(pk=report.pk).values_list("status", "attempts").get()


def _rendering(report, attempt: int) -> bool:
    """The ``attempt``-th build is rendering the files: it has claimed the report and stored the
    first file (``body.html``); the PDF, XLSX and CSV come after."""
    status, attempts = _status(report)
    body = Path(settings.MEDIA_ROOT) / "reports" / str(report.pk) / "body.html"
    return status == ReportStatus.RUNNING and attempts == attempt and body.exists()


def _wait_for_rendering(worker, report, attempt: int) -> None:
    wait_for(
        lambda: _rendering(report, attempt), f"build {attempt} never started rendering", worker
    )


def _kill_the_child_rendering(worker, report, attempt: int) -> None:
    _wait_for_rendering(worker, report, attempt)
    children = _children(worker.pid)
    assert len(children) == 1, children
    os.kill(children[0], signal.SIGKILL)
    # Killed mid-render: the dead process cannot have finished it.
    assert _status(report) == (ReportStatus.RUNNING, attempt)
    body = Path(settings.MEDIA_ROOT) / "reports" / str(report.pk) / "body.html"
    body.unlink()  # so the next attempt's rendering is seen afresh


@pytest.fixture
def report(world):
    """A weekly summary with figures in it, asked for by an executive (its task is queued)."""
    today = dt.date.today()
    commitment = CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        planned_quantity=Decimal("100"),
        start_date=today - dt.timedelta(days=400),
        end_date=today + dt.timedelta(days=100),
    )
    for months_ago in range(13):
        DeliveryFactory(
            commitment=commitment,
            date=today - dt.timedelta(days=30 * months_ago + 8),
            quantity=Decimal("7.5") + months_ago,
        )
    RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    return services.report_request(
        by=world.buddy_exec, kind=ReportKind.PARTNERSHIP_WEEKLY, partnership=world.partnership
    )


def test_a_worker_killed_mid_render_is_restarted_and_finishes_the_report(worker, report, world):
    _kill_the_child_rendering(worker, report, attempt=1)

    wait_for(lambda: _status(report)[0] == ReportStatus.DONE, "never finished", worker)
    report.refresh_from_db()
    assert report.attempts == 2  # built once more, from the start, by the restarted process
    assert report.failure_reason == ""
    for fmt in ("html", "pdf", "xlsx", "csv"):
        assert report.file_for(fmt).size > 0
    assert report.pdf_file.read().startswith(b"%PDF")
    assert world.partnership.reference in report.csv_file.read().decode()


def test_a_report_whose_worker_keeps_dying_ends_failed_with_its_reason(
    worker, report, world, as_user, api_as
):
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        _kill_the_child_rendering(worker, report, attempt)

    wait_for(lambda: _status(report)[0] == ReportStatus.FAILED, "never gave up", worker)
    report.refresh_from_db()
    assert report.attempts == services.MAX_ATTEMPTS
    reason = services.INTERRUPTED.format(attempts=services.MAX_ATTEMPTS)
    assert report.failure_reason == reason
    data = api_as(world.buddy_exec).get(f"/api/v1/reports/{report.pk}/").json()
    assert data["status"] == "failed"
    assert data["failure_reason"] == reason
    page = as_user(world.buddy_exec).get(f"/reports/{report.pk}/").content.decode()
    assert "the worker building it stopped 3 times before it finished" in page


def test_a_whole_worker_killed_mid_render_and_restarted_finishes_the_report(
    start_worker, report, world
):
    """The whole worker (one process: the solo pool) killed with SIGKILL: its message is not
    acknowledged, and no process is left to give it back. Once the report's lease has run out the
    sweep queues it again, and the restarted worker builds it from the start and finishes it.
    (On Redis the unacknowledged message also comes back after the visibility timeout, an hour;
    its claim then finds the report built and does nothing.)"""
    first = start_worker(pool="solo")
    _wait_for_rendering(first, report, attempt=1)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert _status(report) == (ReportStatus.RUNNING, 1)  # killed mid-render

    # Twenty minutes on (the clock is the one thing moved): the lease has run out.
    ReportRequest.objects.filter(pk=report.pk).update(
        started_at=F("started_at") - services.LEASE - dt.timedelta(minutes=1)
    )
    assert services.requeue_stalled() == 1
    restarted = start_worker(pool="solo")

    wait_for(lambda: _status(report)[0] == ReportStatus.DONE, "never finished", restarted)
    report.refresh_from_db()
    assert report.attempts == 2
    assert report.pdf_file.read().startswith(b"%PDF")
    assert world.partnership.reference in report.csv_file.read().decode()
