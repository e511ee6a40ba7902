"""Every CSV export neutralises cells a spreadsheet would run as a formula (OWASP)."""

import csv
import io

import pytest

from buddying.common.api import CSVRenderer
from buddying.common.exports import csv_line, safe_cell
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.risks.factories import RiskFactory


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example","Click")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "-",
        "+",
        "=",
        "-1-1",
        "- 12",
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_prefixed_with_a_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-12.5", "+3", "-0", "-1e3", "-.5", "12", "0.25"])
def test_a_plain_number_stays_a_number(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), (-12.5, "-12.5"), ("Basildon recovery", "Basildon recovery"), ("a=b", "a=b")],
)
def test_ordinary_cells_are_unchanged(value, expected):
    assert safe_cell(value) == expected


def test_every_csv_line_goes_through_the_one_function():
    line = csv_line(["=1+1", "-12.5", "note"])

    assert next(csv.reader(io.StringIO(line))) == ["'=1+1", "-12.5", "note"]


def test_the_csv_renderer_neutralises_its_cells():
    body = CSVRenderer().render({"title": "@SUM(A1)", "variance": "-3.5"}).decode()

    assert list(csv.reader(io.StringIO(body))) == [["title", "'@SUM(A1)"], ["variance", "-3.5"]]


def _rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_the_delivery_export_neutralises_a_formula_in_a_note(world, api_as):
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    DeliveryFactory(commitment=commitment, note='=HYPERLINK("http://evil.example","Click")')

    response = api_as(world.regulator).get(
        f"/api/v1/commitments/{commitment.pk}/deliveries/?format=csv"
    )

    assert response.status_code == 200
    [row] = _rows(response)
    assert row["note"] == '\'=HYPERLINK("http://evil.example","Click")'


@pytest.mark.django_db
def test_the_risk_export_neutralises_formulas_and_keeps_numbers(world, api_as):
    RiskFactory(partnership=world.partnership, title="+cmd|' /C calc'!A0", controls="@SUM(1)")

    response = api_as(world.regulator).get("/api/v1/risks/?format=csv")

    assert response.status_code == 200
    [row] = _rows(response)
    assert row["title"] == "'+cmd|' /C calc'!A0"
    assert row["controls"] == "'@SUM(1)"
    assert row["current_score"].isdigit()


@pytest.mark.django_db
def test_a_negative_variance_stays_a_number_in_the_commitment_export(world, api_as):
    CommitmentFactory(partnership=world.partnership, organisation=world.buddy)

    response = api_as(world.regulator).get("/api/v1/commitments/?format=csv")

    [row] = _rows(response)
    assert not row["variance"].startswith("'")
    float(row["variance"])
