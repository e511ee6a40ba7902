"""The digest tells people a scheduled weekly partnership summary is ready (DESIGN §4): a link to
the report, never the file. Collected by ``notifications`` like every app's ``reminders.py``.

Who is told: the programme managers and executives of the partnership's parties (the people the
weekly summary is for, ``selectors.recipients``). Monthly portfolio and system-wide reports are
not about one partnership, which is how the digest groups what it says, so they are not told
this way (see the README).
"""

from collections import defaultdict
from datetime import date, timedelta

from django.urls import reverse

from buddying.common.reminders import ReminderRule, day_text, dues, link
from buddying.reports.choices import ReportKind, ReportStatus
from buddying.reports.models import ReportRequest
from partnerships.choices import Role
from partnerships.models import Membership

RECENT_DAYS = 7


def weekly_report_ready(today: date):
    """Scheduled weekly summaries finished in the last week."""
    reports = ReportRequest.objects.filter(
        kind=ReportKind.PARTNERSHIP_WEEKLY,
        status=ReportStatus.DONE,
        schedule_key__isnull=False,
        finished_at__date__gte=today - timedelta(days=RECENT_DAYS),
        finished_at__date__lte=today,
    )
    rows = list(reports.values("pk", "partnership_id", "title", "period_end", "finished_at"))
    people = defaultdict(set)
    for partnership_id, user_id in Membership.objects.filter(
        role__in=[Role.EXECUTIVE, Role.PROGRAMME_MANAGER],
        user__is_active=True,
        organisation__parties__partnership_id__in={row["partnership_id"] for row in rows},
    ).values_list("organisation__parties__partnership_id", "user_id"):
        people[partnership_id].add(user_id)
    told = {row["pk"]: people[row["partnership_id"]] for row in rows}
    report_link = link(lambda pk: reverse("reports:detail", args=[pk]))
    return dues(
        rows,
        told,
        item_type="reports.reportrequest",
        due_date=lambda row: row["finished_at"].date(),
        text=lambda row: (
            f"{row['title'] or 'Weekly summary'} to {day_text(row['period_end'])} is ready"
        ),
        url=lambda row: report_link(row["pk"]),
    )


RULES = [
    ReminderRule(
        name="weekly_report_ready",
        label="Weekly partnership summary ready",
        select=weekly_report_ready,
        order=90,
    ),
]
