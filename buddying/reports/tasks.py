"""The reports' Celery tasks. Each takes ids, never objects, and is safe to run twice (see
``buddying.reports.services``): late acknowledgement, so a worker killed mid-build (SIGKILL)
leaves the message to be redelivered, and the redelivered task takes the build over."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from buddying.reports import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_report(report_id: str) -> str:
    """Build one report's files; record the reason if it cannot be built."""
    task_id = build_report.request.id or f"local-{report_id}"
    try:
        report = services.report_build(report_id=report_id, task_id=task_id)
    except SoftTimeLimitExceeded:
        services.report_fail(
            report_id=report_id,
            task_id=task_id,
            reason="The report took too long to build. Try a shorter period.",
        )
        return "failed"
    except Exception:
        logger.exception("Report %s could not be built", report_id)
        services.report_fail(
            report_id=report_id,
            task_id=task_id,
            reason="Something went wrong while building the report. Ask for it again; if it "
            "fails again, contact the service desk.",
        )
        return "failed"
    return "skipped" if report is None else report.status


@shared_task
def schedule_weekly_reports() -> int:
    """Monday 07:30: each partnership under way gets its weekly summary."""
    return services.schedule_weekly()


@shared_task
def schedule_monthly_reports() -> int:
    """Daily on the first days of a month: on its first working day, the portfolios and the
    system-wide summary."""
    return services.schedule_monthly()


@shared_task
def requeue_stalled_reports() -> int:
    """Every 10 minutes: reports whose worker died without its message coming back are queued
    again, or failed after their last attempt."""
    return services.requeue_stalled()
