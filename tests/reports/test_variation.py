"""The system-wide report's table of each partnership's monthly delivery read as SPC (Making Data
Count's variation and assurance), against hand-computed figures, in every format; and its
monthly aggregation is one query for all partnerships.

On Wednesday 10 June 2026 the system-wide report is for May 2026. Two partnerships, each with one
commitment in hours from 1 June 2025 to 31 May 2027 (730 days) and one delivery a month from
June 2025 to May 2026 (12 months):

- "steady" (the world's): 10, 12, 10, 12 … 12. Mean 11, every moving range 2, limits
  11 ± 2.66 × 2 = 5.68 to 16.32: common cause. Planned 730 hours, one a day: its average monthly
  plan over those 12 months is 365 / 12 = 30.42, above the upper limit: consistently fails.
- "falling": 20, 22 … 20 (11 months), then 2. Mean 232 / 12 = 19.33; moving ranges ten of 2
  and one of 18, whose mean 3.45 × 3.267 = 11.29 screens the 18 out, so the mean moving range is
  2 and the limits 19.33 ± 5.32 = 14.01 to 24.65. May's 2 is below the lower limit: special cause,
  concerning (lower). Planned 73 hours: 36.5 / 12 = 3.04 a month, below the lower limit:
  consistently passes.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from buddying.common import reports
from buddying.reports import build, render, services
from buddying.reports.choices import ReportKind, ReportStatus
from partnerships.choices import PartnershipStatus
from partnerships.models import Organisation
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.factories import OrganisationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

MONTHS = [dt.date(2025 + (5 + i) // 12, (5 + i) % 12 + 1, 15) for i in range(12)]  # Jun 25–May 26


def _delivering(partnership, organisation, planned: str, values: list[int]):
    commitment = CommitmentFactory(
        partnership=partnership,
        organisation=organisation,
        planned_quantity=Decimal(planned),
        start_date=dt.date(2025, 6, 1),
        end_date=dt.date(2027, 5, 31),
    )
    for day, value in zip(MONTHS, values, strict=True):
        DeliveryFactory(commitment=commitment, date=day, quantity=Decimal(value))


@pytest.fixture
def two(world, frozen):
    steady = world.partnership
    falling = PartnershipFactory(
        title="Falling delivery", status=PartnershipStatus.ACTIVE, buddy=OrganisationFactory()
    )
    _delivering(steady, world.buddy, "730", [10, 12] * 6)
    _delivering(falling, falling.parties.first().organisation, "73", [20, 22] * 5 + [20, 2])
    return steady, falling


def _variation(report) -> build.VariationTable:
    (variation,) = [v for section in report.sections for v in section.variations]
    return variation


def test_each_partnership_is_read_as_spc_against_hand_computed_figures(world, two, frozen):
    steady, falling = two
    request = services.report_request(by=world.regulator, kind=ReportKind.SYSTEM_MONTHLY)
    variation = _variation(build.build(request, frozen))

    assert variation.table.rows == (
        (
            f"{falling.reference} Falling delivery",
            "Hours",
            12,
            "May 2026",
            2.0,
            19.33,
            14.01,
            24.65,
            3.04,
            "Special cause variation: concerning (lower)",
            "Consistently passes the target",
            "outside the limits",
        ),
        (
            f"{steady.reference} Basildon recovery",
            "Hours",
            12,
            "May 2026",
            12.0,
            11.0,
            5.68,
            16.32,
            30.42,
            "Common cause variation",
            "Consistently fails the target",
            "None",
        ),
    )
    # Counted by icon: variation down the side, assurance across.
    assert variation.summary.rows == (
        ("Common cause variation", 0, 0, 1, 0, 1),
        ("Special cause variation: concerning (lower)", 1, 0, 0, 0, 1),
    )


def test_the_table_is_in_every_format(world, two, frozen):
    steady, falling = two
    request = services.report_request(by=world.regulator, kind=ReportKind.SYSTEM_MONTHLY)
    done = services.report_build(report_id=request.pk, task_id="t1", today=frozen)
    assert done.status == ReportStatus.DONE

    html = done.html_file.open("rb").read().decode()
    assert "Each partnership&#39;s monthly delivery: variation and assurance" in html
    assert 'app-spc-icon app-spc-icon--concern" aria-hidden="true">L</span>' in html
    assert html.index(falling.reference) < html.index(f"{steady.reference} Basildon")

    text = " ".join(page.extract_text() for page in PdfReader(done.pdf_file.open("rb")).pages)
    text = " ".join(text.split())
    assert f"{falling.reference} Falling delivery" in text
    assert "Special cause variation: concerning (lower)" in text
    # As a board reads them (the precise figures are in the XLSX and CSV).
    assert "Hours May 2026: 2 19.3 14.0 to 24.7 3.04" in text
    assert "Hours May 2026: 12 11 5.68 to 16.3 30.4 Common cause variation" in text

    workbook = load_workbook(io.BytesIO(done.xlsx_file.open("rb").read()))
    sheet = workbook["Delivery SPC by partnership"]
    assert sheet["A1"].value == "Partnership"
    assert sheet["A2"].value == f"{falling.reference} Falling delivery"
    assert sheet["F2"].value == pytest.approx(19.33)
    assert sheet["J2"].value == "Special cause variation: concerning (lower)"
    assert sheet["K3"].value == "Consistently fails the target"
    counted = workbook["Delivery SPC counted"]
    assert [c.value for c in counted[3]] == [
        "Special cause variation: concerning (lower)",
        1,
        0,
        0,
        0,
        1,
    ]

    csv = done.csv_file.open("rb").read().decode()
    assert "Each partnership's monthly delivery: variation and assurance" in csv
    assert f"{steady.reference} Basildon recovery,Hours,12,May 2026,12.0,11.0,5.68,16.32" in csv


def test_no_cell_of_the_system_report_is_a_formula(world, two, frozen):
    """Whatever people typed or was imported (a title, a region's name), no XLSX cell is a
    formula and no CSV cell starts with a formula character."""
    steady, _falling = two
    steady.title = "=HYPERLINK(1)"
    steady.save()
    Organisation.objects.filter(pk=world.supported.pk).update(region_name="=cmd|' /C calc'!A0")
    request = services.report_request(by=world.regulator, kind=ReportKind.SYSTEM_MONTHLY)
    report = build.build(request, frozen)
    workbook = load_workbook(io.BytesIO(render.xlsx(report)))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t and t[0] in "=+-@\t\r"]
    assert f"{steady.reference} =HYPERLINK(1)" in texts
    assert "'=cmd|' /C calc'!A0" in texts  # the region, quoted
    rows = csv.reader(io.StringIO(render.csv_bytes(report).decode()))
    assert not [
        cell
        for row in rows
        for cell in row
        if cell and cell[0] in "=+-@\t\r" and not _number(cell)  # -47.40 is a number
    ]


def _number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def test_the_monthly_aggregation_is_one_query_for_all_partnerships(world, two, frozen):
    request = services.report_request(by=world.regulator, kind=ReportKind.SYSTEM_MONTHLY)
    (section,) = [s for s in reports.sections_for(request.kind) if s.name == "commitments"]
    context = build.context_for(request, frozen)
    with CaptureQueriesContext(connection) as two_partnerships:
        section.build(context)
    for n in range(3):
        more = PartnershipFactory(status=PartnershipStatus.ACTIVE, buddy=OrganisationFactory())
        _delivering(more, more.parties.first().organisation, "100", [5 + n, 6] * 6)
    with CaptureQueriesContext(connection) as five_partnerships:
        content = section.build(context)
    assert len(five_partnerships) == len(two_partnerships) == 4
    (variation,) = content.variations
    assert len(variation.series) == 5


def test_a_long_table_lists_its_special_causes_on_the_page(world, two, frozen, monkeypatch):
    """Past ``PAGE_ROWS`` rows (the whole system) the page and the PDF list the special causes
    and say where the rest are; the XLSX and CSV keep every row."""
    _steady, falling = two
    monkeypatch.setattr(build, "PAGE_ROWS", 1)
    request = services.report_request(by=world.regulator, kind=ReportKind.SYSTEM_MONTHLY)
    report = build.build(request, frozen)
    variation = _variation(report)
    assert [row.label for row in variation.shown] == [f"{falling.reference} Falling delivery"]
    body = render.body_html(report)
    assert "1 more rows, 1 of them showing common cause variation only" in body
    assert len(variation.table.rows) == 2


def test_an_organisations_portfolio_reads_only_its_own_partnerships(world, two, frozen):
    """The buddy's monthly portfolio: its one partnership, charted and in the variation table;
    the other partnership (of trusts it is not part of) is in neither."""
    steady, falling = two
    request = services.report_request(
        by=world.buddy_exec, kind=ReportKind.ORGANISATION_MONTHLY, organisation=world.buddy
    )
    report = build.build(request, frozen)
    variation = _variation(report)
    assert [row[0] for row in variation.table.rows] == [f"{steady.reference} Basildon recovery"]
    charts = {c.key: c for section in report.sections for c in section.charts}
    own = charts[f"delivery-{steady.reference}-hours"]
    assert [p.value for p in own.result.points] == [10, 12] * 6
    assert own.result.upper_limit == pytest.approx(11 + 2.66 * 2)
    assert not [key for key in charts if falling.reference in key]
    # The portfolio's own chart is the buddy's delivery alone.
    assert [p.value for p in charts["delivery-hours"].result.points] == [10, 12] * 6
    assert falling.reference not in render.csv_bytes(report).decode()


def test_a_partnership_whose_commitments_ended_is_read_up_to_their_end(world, two, frozen):
    """Months after the last commitment ended are not counted as nothing delivered (which would
    read as special cause, concerning)."""
    ended = PartnershipFactory(
        title="Finished early", status=PartnershipStatus.ACTIVE, buddy=OrganisationFactory()
    )
    commitment = CommitmentFactory(
        partnership=ended,
        organisation=ended.parties.first().organisation,
        start_date=dt.date(2025, 6, 1),
        end_date=dt.date(2026, 2, 28),
    )
    for day, value in zip(MONTHS[:9], [5, 6, 5, 6, 5, 6, 5, 6, 5], strict=True):
        DeliveryFactory(commitment=commitment, date=day, quantity=Decimal(value))
    request = services.report_request(by=world.regulator, kind=ReportKind.SYSTEM_MONTHLY)
    variation = _variation(build.build(request, frozen))
    (row,) = [row for row in variation.table.rows if row[0].startswith(ended.reference)]
    assert row[2:4] == (9, "Feb 2026")  # June 2025 to February 2026, not to May 2026
    assert row[9] == "Common cause variation"
