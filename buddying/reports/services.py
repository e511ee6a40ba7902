"""Every write to reports: asking for one, the schedule making them, and the building task's
claim, files and outcome.

Building is safe to run twice: the task claims the request with a conditional UPDATE (only a
queued request, or one still marked running by the same Celery message — a worker that died
mid-build and whose message was redelivered — or one whose lease has run out), rebuilds every
file and overwrites what an earlier attempt left, then marks it done with a second conditional
UPDATE. A duplicate message for a report already being built, or built, changes nothing.
"""

import datetime as dt
import logging
import tempfile

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from rest_framework.exceptions import APIException

from buddying.reports import build, exports, render, selectors
from buddying.reports.choices import ReportKind, ReportStatus
from buddying.reports.models import ReportRequest
from partnerships import access
from partnerships.choices import PartnershipStatus
from partnerships.models import Organisation, Partnership

logger = logging.getLogger(__name__)

# A running report whose worker has said nothing for this long may be taken over. Above
# CELERY_TASK_TIME_LIMIT, so a build still running is never started twice.
LEASE = dt.timedelta(minutes=20)
MAX_PERIOD_DAYS = 366
EXPORT_SPOOL_BYTES = 8 * 1024 * 1024
# A build whose worker died this many times (each death redelivers the message: acks_late and
# reject_on_worker_lost) is not tried again: the report fails with INTERRUPTED as its reason.
MAX_ATTEMPTS = 3
INTERRUPTED = (
    "The report could not be built: the worker building it stopped {attempts} times before it "
    "finished. Ask for it again, for a shorter period if you can; if it stops again, contact the "
    "service desk."
)


class ReportFailed(Exception):
    """A reason a report cannot be built, in words the person who asked can act on."""


# --- Periods -------------------------------------------------------------------------------------


def last_week(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete week, Monday to Sunday."""
    monday = today - dt.timedelta(days=today.weekday() + 7)
    return monday, monday + dt.timedelta(days=6)


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first_this = today.replace(day=1)
    last = first_this - dt.timedelta(days=1)
    return last.replace(day=1), last


def default_period(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    return last_week(today) if kind == ReportKind.PARTNERSHIP_WEEKLY else last_month(today)


def _easter_sunday(year: int) -> dt.date:
    # Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    la = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * la) // 451
    month = (h + la - 7 * m + 114) // 31
    day = ((h + la - 7 * m + 114) % 31) + 1
    return dt.date(year, month, day)


def _new_year_holiday(year: int) -> dt.date:
    day = dt.date(year, 1, 1)
    while day.weekday() >= 5:  # a weekend New Year's Day is observed on the Monday
        day += dt.timedelta(days=1)
    return day


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, less the bank holidays that can fall in a month's first days in England
    (New Year's Day or its substitute, Easter Monday)."""
    if day.weekday() >= 5:
        return False
    return day not in (_new_year_holiday(day.year), _easter_sunday(day.year) + dt.timedelta(days=1))


def is_first_working_day(day: dt.date) -> bool:
    if not is_working_day(day):
        return False
    earlier = day.replace(day=1)
    while earlier < day:
        if is_working_day(earlier):
            return False
        earlier += dt.timedelta(days=1)
    return True


# --- Asking for a report -------------------------------------------------------------------------


@transaction.atomic
def report_request(
    *,
    by,
    kind: str,
    partnership: Partnership | None = None,
    organisation: Organisation | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> ReportRequest:
    """Queue a report for a person. Refused with 404 for a scope they may not see all of (an
    unrelated trust's partnership or portfolio, the whole system for anyone but a regulator);
    then the period is checked (400). The task is sent once the transaction commits."""
    if kind not in ReportKind.values:
        raise ValidationError({"kind": "Choose a kind of report."})
    if kind == ReportKind.PARTNERSHIP_WEEKLY and partnership is None:
        raise ValidationError({"partnership": "Choose the partnership the report is about."})
    if kind == ReportKind.ORGANISATION_MONTHLY and organisation is None:
        raise ValidationError({"organisation": "Choose the organisation the report is about."})
    if kind != ReportKind.PARTNERSHIP_WEEKLY:
        partnership = None
    if kind != ReportKind.ORGANISATION_MONTHLY:
        organisation = None
    if not selectors.may_request(by, kind=kind, partnership=partnership, organisation=organisation):
        raise Http404("Not found.")
    today = timezone.localdate()
    default_start, default_end = default_period(kind, today)
    start, end = period_start or default_start, period_end or default_end
    if period_start and not period_end:
        end = max(start, default_end)
    errors = {}
    if end < start:
        errors["period_end"] = "The end of the period must be on or after its start."
    elif (end - start).days >= MAX_PERIOD_DAYS:
        errors["period_end"] = "A report can cover at most a year."
    if end > today:
        errors["period_end"] = "The end of the period must be today or in the past."
    if errors:
        raise ValidationError(errors)
    report = ReportRequest(
        kind=kind,
        partnership=partnership,
        organisation=organisation,
        period_start=start,
        period_end=end,
        requested_by=by,
    )
    return _save_and_queue(report)


@transaction.atomic
def export_request(*, by, list_name, filters=None) -> ReportRequest:
    """Queue a CSV export of the API list ``list_name`` with ``filters`` for a person: what their
    ``GET /api/v1/<list_name>/?<filters>&format=csv`` would stream, written to a file by a worker.
    The list, the person's permission to read it (403) and the filters (400, keyed by the filter)
    are checked now, so a bad request queues nothing; the rows are read when it is built, through
    the access policy, as the person who asked."""
    filters = {} if filters is None else filters
    if not selectors.may_export(by):
        raise Http404("Not found.")  # they could never read the file back
    exports.list_view(list_name, by, filters)
    today = timezone.localdate()
    report = ReportRequest(
        kind=ReportKind.EXPORT,
        export_list=list_name,
        export_filters=filters,
        period_start=today,
        period_end=today,
        requested_by=by,
    )
    return _save_and_queue(report)


def _save_and_queue(report: ReportRequest) -> ReportRequest:
    """Title, check and save a report asked for, and queue it once the transaction commits."""
    report.title = build.title_for(report)
    report.full_clean()
    report.save()
    _enqueue(report)
    return report


def _enqueue(report: ReportRequest) -> None:
    from buddying.reports.tasks import build_report

    report_id = str(report.pk)
    transaction.on_commit(lambda: build_report.delay(report_id))


# --- The schedule ------------------------------------------------------------------------------


def _schedule(kind: str, scopes, today: dt.date) -> int:
    """Make the scheduled report of ``kind`` for each scope once (a unique key per kind, scope
    and period), and queue those not yet built. Returns how many were queued."""
    start, end = default_period(kind, today)
    rows = []
    for scope in scopes:
        report = ReportRequest(
            kind=kind,
            period_start=start,
            period_end=end,
            partnership=scope if kind == ReportKind.PARTNERSHIP_WEEKLY else None,
            organisation=scope if kind == ReportKind.ORGANISATION_MONTHLY else None,
            schedule_key=f"{kind}:{getattr(scope, 'pk', 'system')}:{start.isoformat()}",
        )
        report.title = build.title_for(report)
        rows.append(report)
    with transaction.atomic():
        ReportRequest.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        keys = [row.schedule_key for row in rows]
        queued = list(
            ReportRequest.objects.filter(
                schedule_key__in=keys, status=ReportStatus.QUEUED
            ).values_list("pk", flat=True)
        )
        for pk in queued:
            report = ReportRequest(pk=pk)
            _enqueue(report)
    return len(queued)


def schedule_weekly(today: dt.date | None = None) -> int:
    """A weekly summary for every partnership under way (agreed or active)."""
    today = today or timezone.localdate()
    partnerships = Partnership.objects.filter(
        status__in=[PartnershipStatus.AGREED, PartnershipStatus.ACTIVE]
    ).order_by("reference")
    return _schedule(ReportKind.PARTNERSHIP_WEEKLY, partnerships.iterator(), today)


def schedule_monthly(today: dt.date | None = None) -> int:
    """On the first working day of a month: a portfolio for every organisation that is a party to
    a partnership under way, and the system-wide summary. Any other day does nothing."""
    today = today or timezone.localdate()
    if not is_first_working_day(today):
        return 0
    organisations = (
        Organisation.objects.filter(
            parties__partnership__status__in=[PartnershipStatus.AGREED, PartnershipStatus.ACTIVE]
        )
        .distinct()
        .order_by("ods_code")
    )
    count = _schedule(ReportKind.ORGANISATION_MONTHLY, organisations.iterator(), today)
    return count + _schedule(ReportKind.SYSTEM_MONTHLY, [None], today)


# --- Building ------------------------------------------------------------------------------------


def report_claim(*, report_id, task_id: str) -> bool:
    """Mark the report running for this task, if nobody else is building it. One conditional
    UPDATE: True only if it changed the row.

    A build taken over (a redelivered message, or a lease run out) after ``MAX_ATTEMPTS``
    attempts is not claimed but marked failed, with a reason the person can read."""
    now = timezone.now()
    taken_over = Q(status=ReportStatus.RUNNING) & (
        Q(task_id=task_id) | Q(started_at__lt=now - LEASE)
    )
    if ReportRequest.objects.filter(taken_over, pk=report_id, attempts__gte=MAX_ATTEMPTS).update(
        status=ReportStatus.FAILED,
        failure_reason=INTERRUPTED.format(attempts=MAX_ATTEMPTS),
        finished_at=now,
        updated_at=now,
    ):
        logger.warning("Report %s given up after %s interrupted builds", report_id, MAX_ATTEMPTS)
        return False
    claimable = (
        Q(status=ReportStatus.QUEUED)
        | Q(status=ReportStatus.RUNNING, task_id=task_id)
        | Q(status=ReportStatus.RUNNING, started_at__lt=now - LEASE)
    )
    return bool(
        ReportRequest.objects.filter(claimable, pk=report_id).update(
            status=ReportStatus.RUNNING,
            task_id=task_id,
            started_at=now,
            attempts=F("attempts") + 1,
            failure_reason="",
            updated_at=now,
        )
    )


def _store(report: ReportRequest, field: str, name: str, content: bytes) -> None:
    """Write the file under its fixed name, replacing what an earlier attempt left."""
    path = f"reports/{report.pk}/{name}"
    if default_storage.exists(path):
        default_storage.delete(path)
    saved = default_storage.save(path, ContentFile(content))
    setattr(report, field, saved)


def report_build(*, report_id, task_id: str, today: dt.date | None = None) -> ReportRequest | None:
    """Claim, build and store every file of the report, then mark it done (or failed, with the
    reason). Returns None when the report is not this task's to build."""
    if not report_claim(report_id=report_id, task_id=task_id):
        return None
    report = ReportRequest.objects.select_related(
        "partnership", "organisation", "requested_by"
    ).get(pk=report_id)
    if report.kind == ReportKind.EXPORT:
        return _export_build(report, task_id=task_id)
    try:
        built = build.build(report, today)
        document = render.document_html(built)
        _store(report, "body_file", "body.html", render.body_html(built).encode("utf-8"))
        _store(report, "html_file", "report.html", document.encode("utf-8"))
        _store(report, "pdf_file", "report.pdf", render.pdf(document))
        _store(report, "xlsx_file", "report.xlsx", render.xlsx(built))
        _store(report, "csv_file", "report.csv", render.csv_bytes(built))
    except ReportFailed as exc:
        report_fail(report_id=report_id, task_id=task_id, reason=str(exc))
        return ReportRequest.objects.get(pk=report_id)
    ReportRequest.objects.filter(pk=report_id, status=ReportStatus.RUNNING, task_id=task_id).update(
        status=ReportStatus.DONE,
        finished_at=timezone.now(),
        title=built.title,
        body_file=report.body_file.name,
        html_file=report.html_file.name,
        pdf_file=report.pdf_file.name,
        xlsx_file=report.xlsx_file.name,
        csv_file=report.csv_file.name,
        updated_at=timezone.now(),
    )
    # The digest tells the people a weekly summary is for (buddying/reports/reminders.py).
    return ReportRequest.objects.get(pk=report_id)


def _export_build(report: ReportRequest, *, task_id: str) -> ReportRequest:
    """Write the export's CSV as the person who asked, then mark it done with its row count."""
    if report.requested_by is None:
        report_fail(
            report_id=report.pk, task_id=task_id, reason="The person who asked has been removed."
        )
        return ReportRequest.objects.get(pk=report.pk)
    path = f"reports/{report.pk}/{report.export_list}.csv"
    # The memberships the rows are read with: the same ones for the whole file.
    key = access.memberships_key(report.requested_by)
    # In memory while small, then on disk: a million rows are a few hundred MB.
    with tempfile.SpooledTemporaryFile(max_size=EXPORT_SPOOL_BYTES) as handle:
        try:
            count = exports.write_export(
                report.export_list, report.requested_by, report.export_filters, handle
            )
        except (ValidationError, APIException, Http404, DjangoPermissionDenied):
            # Allowed when asked, but no longer (a membership ended): nothing is written.
            report_fail(
                report_id=report.pk,
                task_id=task_id,
                reason="You may no longer export this list with these filters. Ask for it again.",
            )
            return ReportRequest.objects.get(pk=report.pk)
        handle.seek(0)
        if default_storage.exists(path):
            default_storage.delete(path)
        saved = default_storage.save(path, File(handle))
    now = timezone.now()
    ReportRequest.objects.filter(pk=report.pk, status=ReportStatus.RUNNING, task_id=task_id).update(
        status=ReportStatus.DONE,
        finished_at=now,
        csv_file=saved,
        row_count=count,
        access_key=key,
        updated_at=now,
    )
    return ReportRequest.objects.get(pk=report.pk)


@transaction.atomic
def requeue_stalled(now: dt.datetime | None = None) -> int:
    """Reports still "running" past their lease: the worker building them died and its message
    was lost (a broker without redelivery, say). Each is queued again — the new message may claim
    it, the lease having run out — or, after ``MAX_ATTEMPTS``, marked failed with its reason, so
    no report stays "running" for ever. Returns how many were queued again."""
    now = now or timezone.now()
    stalled = ReportRequest.objects.filter(status=ReportStatus.RUNNING, started_at__lt=now - LEASE)
    stalled.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=ReportStatus.FAILED,
        failure_reason=INTERRUPTED.format(attempts=MAX_ATTEMPTS),
        finished_at=now,
        updated_at=now,
    )
    again = list(stalled.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))
    for pk in again:
        _enqueue(ReportRequest(pk=pk))
    return len(again)


def report_fail(*, report_id, task_id: str, reason: str) -> None:
    """Mark the report failed with a reason the person who asked can read."""
    ReportRequest.objects.filter(pk=report_id, status=ReportStatus.RUNNING, task_id=task_id).update(
        status=ReportStatus.FAILED,
        failure_reason=reason,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
