"""The digest tells people a scheduled report is ready (DESIGN §4): a link to the report, never
the file. Collected by ``notifications`` like every app's ``reminders.py``; each rule is one SQL
query (``rows``), so the daily job claims its reminders with one ``INSERT … SELECT``.

Who is told (the people each scheduled report is for, ``selectors.recipients``, all of whom may
read it, ``selectors.reports_visible_to``):

- a weekly partnership summary: the programme managers and executives of the partnership's
  parties; shown under the partnership;
- a monthly portfolio report of an organisation: the organisation's executives; shown under the
  organisation;
- the monthly system-wide report: the regulators; shown under "the whole system".
"""

from datetime import date, timedelta

from django.db.models import Case, CharField, F, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.urls import reverse

from buddying.common.reminders import (
    ReminderRule,
    day_text_sql,
    dues_of,
    link_sql,
    reminder_columns,
    text_sql,
)
from buddying.reports.choices import ReportKind, ReportStatus
from buddying.reports.models import ReportRequest
from partnerships import access
from partnerships.choices import Role
from partnerships.models import Membership

RECENT_DAYS = 7
ITEM_TYPE = "reports.reportrequest"


def _finished(kind: str, today: date):
    """Scheduled reports of ``kind`` finished in the last week."""
    return ReportRequest.objects.filter(
        kind=kind,
        status=ReportStatus.DONE,
        schedule_key__isnull=False,
        finished_at__date__gte=today - timedelta(days=RECENT_DAYS),
        finished_at__date__lte=today,
    ).order_by()


def _link(pk):
    return link_sql(lambda value: reverse("reports:detail", args=[value]), pk)


def _text(title: str, period_end: str, default: str):
    """ "<title> to <end of the period> is ready" (``default`` for a report without a title)."""
    named = Case(
        When(**{f"{title}__gt": ""}, then=F(title)),
        default=Value(default),
        output_field=CharField(),
    )
    return text_sql(named, " to ", day_text_sql(period_end), " is ready")


def weekly_report_ready_rows(today: date):
    """Scheduled weekly summaries finished in the last week, for the writers of every party."""
    member = "partnership__parties__organisation__memberships"
    reports = _finished(ReportKind.PARTNERSHIP_WEEKLY, today).filter(
        access.told_in_organisation([Role.EXECUTIVE, Role.PROGRAMME_MANAGER], prefix=f"{member}__")
    )
    columns = reminder_columns(
        item_type=ITEM_TYPE,
        due_date=TruncDate("finished_at"),
        text=_text("title", "period_end", "Weekly summary"),
        url=_link("pk"),
    )
    return reports.values(**columns, told_user_id=F(f"{member}__user_id"))


def monthly_report_ready_rows(today: date):
    """Scheduled monthly portfolio reports finished in the last week, for the executives of the
    organisation they are about."""
    reports = _finished(ReportKind.ORGANISATION_MONTHLY, today).filter(
        access.told_in_organisation([Role.EXECUTIVE], prefix="organisation__memberships__")
    )
    columns = reminder_columns(
        item_type=ITEM_TYPE,
        partnership_id=None,
        organisation_id="organisation_id",
        due_date=TruncDate("finished_at"),
        text=_text("title", "period_end", "Monthly portfolio report"),
        url=_link("pk"),
    )
    return reports.values(**columns, told_user_id=F("organisation__memberships__user_id"))


def system_report_ready_rows(today: date):
    """The scheduled system-wide report finished in the last week (the newest, if two were), for
    every regulator."""
    newest = _finished(ReportKind.SYSTEM_MONTHLY, today).order_by("-finished_at", "-pk")

    def of_report(field: str, output_field=None):
        return Subquery(newest.values(field)[:1], output_field=output_field)

    regulators = (
        Membership.objects.filter(access.told_as_regulator())
        .order_by()
        .annotate(
            report_id=of_report("pk"),
            report_title=of_report("title"),
            report_period_end=of_report("period_end"),
            report_finished_on=Subquery(
                newest.annotate(on=TruncDate("finished_at")).values("on")[:1]
            ),
        )
        .filter(report_id__isnull=False)
    )
    columns = reminder_columns(
        item_type=ITEM_TYPE,
        item_id="report_id",
        partnership_id=None,
        due_date="report_finished_on",
        text=_text("report_title", "report_period_end", "System-wide summary"),
        url=_link("report_id"),
    )
    return regulators.values(**columns, told_user_id=F("user_id"))


def weekly_report_ready(today: date):
    return dues_of(weekly_report_ready_rows(today))


def monthly_report_ready(today: date):
    return dues_of(monthly_report_ready_rows(today))


def system_report_ready(today: date):
    return dues_of(system_report_ready_rows(today))


RULES = [
    ReminderRule(
        name="weekly_report_ready",
        label="Weekly partnership summary ready",
        select=weekly_report_ready,
        rows=weekly_report_ready_rows,
        order=90,
    ),
    ReminderRule(
        name="monthly_report_ready",
        label="Monthly portfolio report ready",
        select=monthly_report_ready,
        rows=monthly_report_ready_rows,
        order=91,
    ),
    ReminderRule(
        name="system_report_ready",
        label="Monthly system-wide report ready",
        select=system_report_ready,
        rows=system_report_ready_rows,
        order=92,
    ),
]
