"""Report figures against hand-computed data, and the files: the PDF opens and its text holds
the figures, the XLSX opens with the figures in the right cells, the CSV is injection-safe.

The world's partnership on Wednesday 10 June 2026 (weekly period: 1 to 7 June 2026):
- a buddy commitment of 100 hours over 1 April 2026 to 31 March 2027 (365 days); deliveries
  7.5 (10 April), 10 (15 May) and 5 (3 June): delivered to date 22.5, in the period 5;
  expected to date 100 × 70 days / 365 = 19.18;
- two open risks: strategic 3 × 3 = 9 (high, above the buddy's strategic tolerance of 6) and
  financial 1 × 2 = 2 (low);
- a secondment of 0.5 FTE from the buddy, not backfilled;
- an interim review due on 1 June 2026, not started: overdue.
"""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from buddying.reports import build, render, services
from buddying.reports.choices import ReportKind, ReportStatus
from buddying.reports.models import ReportRequest

pytestmark = pytest.mark.django_db


def _table(report, key):
    for table in report.tables():
        if table.key == key:
            return table
    raise AssertionError(f"no table {key}")


def _weekly(world, by=None):
    return services.report_request(
        by=by or world.buddy_exec, kind=ReportKind.PARTNERSHIP_WEEKLY, partnership=world.partnership
    )


def test_weekly_figures_match_the_hand_computed_ones(world, figures, frozen):
    request = _weekly(world)
    assert (request.period_start.isoformat(), request.period_end.isoformat()) == (
        "2026-06-01",
        "2026-06-07",
    )
    report = build.build(request, frozen)
    (row,) = _table(report, "commitments").rows
    assert row[0] == "Royal Free London NHS Foundation Trust"
    assert row[2:9] == (
        1,
        Decimal("100"),
        Decimal("19.18"),
        Decimal("22.50"),
        Decimal("5"),
        Decimal("3.32"),
        Decimal("117.3"),
    )
    bands = {band: (n, out) for band, n, out in _table(report, "risks_by_band").rows}
    assert bands["High"] == (1, 1) and bands["Low"] == (1, 0) and bands["Extreme"] == (0, 0)
    (outside,) = _table(report, "risks_outside_appetite").rows
    assert outside[3] == 9
    drain = _table(report, "capacity_drain").rows
    assert drain == (("Medical and dental", 1, Decimal("0.50"), Decimal("0.50")),)
    (due,) = _table(report, "reviews_due").rows
    assert due[-1] == "Yes"
    changes = {what: added for what, added, _, _ in _table(report, "changes").rows}
    # Everything above was made "today", after the week: nothing changed in the week.
    assert changes["Commitments"] == 0 and changes["Deliveries"] == 0


def test_what_changed_counts_the_history_of_the_week(world, figures, frozen):
    import time_machine

    from tests.commitments.factories import DeliveryFactory

    with time_machine.travel("2026-06-04 12:00Z", tick=False):
        DeliveryFactory(commitment=world.partnership.commitments.get(), quantity=Decimal("1"))
    report = build.build(_weekly(world), frozen)
    changes = {what: added for what, added, _, _ in _table(report, "changes").rows}
    assert changes["Deliveries"] == 1


def test_system_report_counts_partnerships_by_region_and_value_for_money(world, figures, frozen):
    request = services.report_request(by=world.regulator, kind=ReportKind.SYSTEM_MONTHLY)
    assert (request.period_start.isoformat(), request.period_end.isoformat()) == (
        "2026-05-01",
        "2026-05-31",
    )
    report = build.build(request, frozen)
    region_rows = _table(report, "partnerships_by_region").rows
    assert region_rows[-1][0] == "All regions" and region_rows[-1][-1] == 1
    planned = _table(report, "value_for_money").rows[0]
    assert planned[1:] == (Decimal("50000.00"), Decimal("120000.00"), Decimal("70000.00"))
    charts = [chart for section in report.sections for chart in section.charts]
    (hours,) = [c for c in charts if c.key == "delivery-hours"]
    # April 7.5, May 10 (the chart ends with the period, May 2026).
    assert [p.value for p in hours.result.points] == [7.5, 10.0]
    assert hours.result.target == pytest.approx(100 * (30 + 31) / 365 / 2, abs=0.01)


def test_the_files_hold_the_figures(world, figures, frozen):
    request = _weekly(world)
    done = services.report_build(report_id=request.pk, task_id="t1", today=frozen)
    assert done.status == ReportStatus.DONE
    text = "".join(page.extract_text() for page in PdfReader(done.pdf_file.open("rb")).pages)
    assert "Weekly partnership summary" in text
    assert "22.5" in text and "19.2" in text
    assert "Page 1 of" in text
    workbook = load_workbook(io.BytesIO(done.xlsx_file.open("rb").read()))
    sheet = workbook["Planned against delivered"]
    assert [c.value for c in sheet[1]][:6] == [
        "Committing organisation",
        "Unit",
        "Commitments",
        "Planned",
        "Expected to date",
        "Delivered to date",
    ]
    assert sheet["D2"].value == 100 and sheet["E2"].value == pytest.approx(19.18)
    assert sheet["F2"].value == pytest.approx(22.5) and sheet["G2"].value == 5
    assert "<svg" in done.html_file.open("rb").read().decode()
    assert b"Planned against delivered" in done.csv_file.open("rb").read()


def test_spreadsheet_and_csv_cells_cannot_be_formulas(world, figures, frozen):
    world.partnership.parties.filter(organisation=world.buddy).update(sponsor_name="=HYPERLINK(1)")
    report = build.build(_weekly(world), frozen)
    workbook = load_workbook(io.BytesIO(render.xlsx(report)))
    values = [c.value for row in workbook["Parties"].iter_rows() for c in row]
    assert "'=HYPERLINK(1)" in values
    assert b"'=HYPERLINK(1)" in render.csv_bytes(report)


def test_a_rebuild_overwrites_the_files(world, figures, frozen):
    request = _weekly(world)
    first = services.report_build(report_id=request.pk, task_id="t1", today=frozen)
    ReportRequest.objects.filter(pk=request.pk).update(status=ReportStatus.QUEUED)
    second = services.report_build(report_id=request.pk, task_id="t2", today=frozen)
    assert second.pdf_file.name == first.pdf_file.name == f"reports/{request.pk}/report.pdf"
    assert second.attempts == 2
