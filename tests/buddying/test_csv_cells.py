"""Cells PostgreSQL writes (``SqlCell``) are the text the Python formatters write, byte for byte.

Exports on PostgreSQL read finished cells from the database; on SQLite (and for any column the
database cannot write) the Python formatters write them. A file must not depend on which did.
"""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    F,
    IntegerField,
    TextField,
    UUIDField,
    Value,
)
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from buddying.common import api
from buddying.common.exports import SqlCell, safe_cell
from tests.commitments.factories import CommitmentFactory, DeliveryFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SqlCell is PostgreSQL's (CI runs on it)"
    ),
]

TEXTS = [
    '=HYPERLINK("http://evil.example","Click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "-",
    "+",
    "- 12",
    "-1-1",
    "-12.5",
    "+3",
    "-1e3",
    "-.5",
    "-٣",  # not an ASCII digit: not a number to a spreadsheet, so neutralised
    "١٢",
    "a=b",
    "'already quoted",
    'a,b"c\nd',
    "",
    None,
    "Basildon recovery",
]


def written_by_postgresql(kind: str, value, field, zone: str | None = None) -> str:
    return (
        # Cast: a column of that type, also when the value is NULL.
        ContentType.objects.annotate(value=Cast(Value(value, output_field=field), field))
        .annotate(cell=SqlCell(kind, F("value"), zone=zone))
        .values_list("cell", flat=True)
        .first()
    )


@pytest.mark.parametrize("value", TEXTS)
def test_a_text_cell_is_neutralised_as_safe_cell_does(value):
    assert written_by_postgresql("text", value, TextField()) == safe_cell(value)


@pytest.mark.parametrize(
    ("value", "field", "serializer_field"),
    [
        (uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e"), UUIDField(), serializers.UUIDField()),
        (None, UUIDField(), serializers.UUIDField()),
        (-5, IntegerField(), serializers.IntegerField()),
        (0, IntegerField(), serializers.IntegerField()),
        (
            Decimal("-12.50"),
            DecimalField(max_digits=12, decimal_places=2),
            serializers.DecimalField(max_digits=12, decimal_places=2),
        ),
        (
            Decimal("0.00"),
            DecimalField(max_digits=12, decimal_places=2),
            serializers.DecimalField(max_digits=12, decimal_places=2),
        ),
    ],
)
def test_ids_numbers_and_decimals_are_their_text(value, field, serializer_field):
    assert written_by_postgresql("plain", value, field) == api._formatter(serializer_field)(value)


@pytest.mark.parametrize("value", [date(2026, 3, 29), date(1, 1, 1), date(9999, 12, 31), None])
def test_a_date_is_iso_8601(value):
    expected = api._formatter(serializers.DateField())(value)

    assert written_by_postgresql("date", value, DateField()) == expected


@pytest.mark.parametrize("value", [True, False, None])
def test_a_boolean_is_written_as_drf_writes_it(value):
    expected = api._formatter(serializers.BooleanField())(value)

    assert written_by_postgresql("bool", value, BooleanField()) == expected


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 1, 15, 12, 0, tzinfo=UTC),  # GMT: Z
        datetime(2026, 7, 1, 12, 0, 0, 123456, tzinfo=UTC),  # BST, with microseconds
        datetime(2026, 7, 1, 12, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),  # the last instant of GMT
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # the first of BST
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 01:30 GMT, an hour later
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
        None,
    ],
)
@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Asia/Kolkata", "UTC"])
def test_a_time_is_written_in_the_zone_as_drf_writes_it(value, zone):
    field = serializers.DateTimeField(default_timezone=ZoneInfo(zone))
    expected = api._formatter(field)(value)

    assert written_by_postgresql("datetime", value, DateTimeField(), zone=zone) == expected
    assert api._sql_kind(field) == f"datetime:{zone}"


def test_a_zone_that_is_not_a_name_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        SqlCell("datetime", F("created_at"), zone="UTC'; DROP TABLE x; --")


def test_the_national_delivery_export_is_the_same_file_written_by_python(
    world, api_as, monkeypatch
):
    """End to end: awkward notes and times, exported once with PostgreSQL writing every cell and
    once with Python writing every cell, give the same bytes."""
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    for index, note in enumerate(text for text in TEXTS if text is not None):
        delivery = DeliveryFactory(commitment=commitment, note=note)
        moment = datetime(2026, 3 + index % 9, 1 + index, 0, 30, 0, index * 37_000, tzinfo=UTC)
        type(delivery).objects.filter(pk=delivery.pk).update(created_at=moment, updated_at=moment)
    client = api_as(world.regulator)

    by_postgresql = b"".join(client.get("/api/v1/deliveries/?format=csv").streaming_content)
    monkeypatch.setattr(api, "_sql_cell", lambda *args: None)
    by_python = b"".join(client.get("/api/v1/deliveries/?format=csv").streaming_content)

    assert by_postgresql.count(b"\n") > len(TEXTS)
    assert by_postgresql == by_python


@pytest.mark.parametrize("path", ["/api/v1/deliveries/", "/api/v1/risk-actions/"])
def test_the_largest_exports_are_written_whole_by_postgresql(world, api_as, path):
    """A million deliveries take seconds because Python formats nothing: the export's query
    reads one column, each row's whole line, its cells joined by PostgreSQL."""
    client = api_as(world.regulator)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{path}?format=csv")
        header = next(iter(response.streaming_content)).decode().splitlines()[0].split(",")

    [export] = [query["sql"] for query in queries if '"_csv_line"' in query["sql"]]
    assert export.count(" || ',' || ") == len(header) - 1
    assert export.split(" FROM ")[0].count(" AS ") == 1
