"""A finished system-wide report in the browser, with its charts and each partnership's
variation table (Making Data Count icons beside their words): no WCAG 2.2 AA violation."""

import datetime as dt
from decimal import Decimal

import pytest

from buddying.reports import services
from buddying.reports.choices import ReportKind, ReportStatus
from buddying.reports.models import ReportRequest
from tests.browser.conftest import axe_violations, describe
from tests.commitments.factories import CommitmentFactory, DeliveryFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def system_report(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = dt.date.today()
    commitment = CommitmentFactory(
        partnership=world.partnership,
        organisation=world.buddy,
        start_date=today - dt.timedelta(days=400),
        end_date=today + dt.timedelta(days=100),
    )
    for months_ago, quantity in enumerate([9, 11, 10, 12, 10, 11, 9, 12, 10, 11, 10, 12, 1]):
        DeliveryFactory(
            commitment=commitment,
            date=today.replace(day=1) - dt.timedelta(days=30 * months_ago + 20),
            quantity=Decimal(quantity),
        )
    start, end = services.last_month(today)
    # Made directly (not asked for), so no task goes to the broker; built here, as the task does.
    report = ReportRequest.objects.create(
        kind=ReportKind.SYSTEM_MONTHLY,
        period_start=start,
        period_end=end,
        requested_by=world.regulator,
    )
    done = services.report_build(report_id=report.pk, task_id="browser")
    assert done.status == ReportStatus.DONE
    return done


def test_a_system_report_page_has_no_wcag_22_aa_violations(system_report, world, page, sign_in):
    sign_in(world.regulator)
    response = page.goto(f"/reports/{system_report.pk}/")
    assert response.status == 200
    table = page.locator(".app-report__variation-table")
    assert table.count() == 1
    assert table.get_by_role("rowheader").first.inner_text().startswith(world.partnership.reference)

    violations = axe_violations(page)

    assert violations == [], describe(violations)
    assert page.problems == []
    assert page.locator("h1").count() == 1
