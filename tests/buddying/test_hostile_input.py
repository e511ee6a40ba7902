"""Hostile input answers 4xx with JSON, never a 500 or a file cut short (issue 8).

Every list, every endpoint reading a body, every error under /api/. The schemathesis run
(``test_schemathesis.py``) fuzzes every operation; these pin the cases the testers found.
"""

import json

import pytest
from django.test import override_settings
from django.urls import path

from buddying.common.parsers import MAX_DEPTH
from buddying.urls import urlpatterns as project_urlpatterns
from partnerships.models import Partnership
from tests.commitments.factories import CommitmentFactory
from tests.risks.factories import RiskActionFactory, RiskFactory

LISTS = [
    "/api/v1/organisations/",
    "/api/v1/partnerships/",
    "/api/v1/commitments/",
    "/api/v1/risks/",
    "/api/v1/risk-actions/",
    "/api/v1/risk-appetites/",
]
BAD_UPDATED_SINCE = [
    "2026-01-01T00:00:00+16:00",
    "2026-01-01T00:00:00-15:30",
    "2026-01-01T00:00:00+24:00",
    "2026-01-01T00:00:00+99:99",
    "garbage",
    "2026-02-30T00:00:00Z",
    "99999-01-01T00:00:00Z",
    "\x00",
]


@pytest.fixture
def objects(world):
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    risk = RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    action = RiskActionFactory(risk=risk, owner=world.buddy_pm)
    return {"commitment": commitment, "risk": risk, "action": action}


def _lists(objects) -> list[str]:
    return [*LISTS, f"/api/v1/commitments/{objects['commitment'].pk}/deliveries/"]


def _body_endpoints(world, objects) -> list[tuple[str, str]]:
    commitment, risk, action = objects["commitment"], objects["risk"], objects["action"]
    partnership = world.partnership.pk
    return [
        ("post", "/api/v1/partnerships/"),
        ("patch", f"/api/v1/partnerships/{partnership}/"),
        ("post", f"/api/v1/partnerships/{partnership}/transition/"),
        ("post", "/api/v1/commitments/"),
        ("patch", f"/api/v1/commitments/{commitment.pk}/"),
        ("post", f"/api/v1/commitments/{commitment.pk}/deliveries/"),
        ("post", "/api/v1/risks/"),
        ("patch", f"/api/v1/risks/{risk.pk}/"),
        ("post", "/api/v1/risk-actions/"),
        ("patch", f"/api/v1/risk-actions/{action.pk}/"),
        ("post", "/api/v1/risk-appetites/"),
    ]


# --- Filters -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("value", BAD_UPDATED_SINCE)
@pytest.mark.parametrize("csv", [False, True], ids=["json", "csv"])
def test_a_bad_updated_since_is_a_400_naming_it_on_every_list(world, objects, api_as, value, csv):
    client = api_as(world.regulator)
    params = {"updated_since": value, **({"format": "csv"} if csv else {})}
    for url in _lists(objects):
        response = client.get(url, params)

        assert response.status_code == 400, (url, response.status_code)
        assert response["Content-Type"] == "application/json"
        assert list(response.json()) == ["updated_since"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["2026-01-01T00:00:00+14:00", "2026-01-01T00:00:00-12:00", "2026-01-01T09:30:00Z"]
)
def test_a_real_utc_offset_is_accepted(world, objects, api_as, value):
    response = api_as(world.regulator).get("/api/v1/partnerships/", {"updated_since": value})

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/partnerships/?status=purple", "status"),
        ("/api/v1/organisations/?segment=abc", "segment"),
        ("/api/v1/organisations/?segment=1e999", "segment"),
        ("/api/v1/commitments/?partnership=nope", "partnership"),
        ("/api/v1/commitments/?rag=purple", "rag"),
        ("/api/v1/risks/?band=huge", "band"),
        ("/api/v1/risks/?outside_appetite=maybe", "outside_appetite"),
        ("/api/v1/risks/?sort=;drop", "sort"),
        ("/api/v1/risk-actions/?overdue=2", "overdue"),
        ("/api/v1/partnerships/?organisation=%00", "organisation"),
    ],
)
@pytest.mark.parametrize("csv", [False, True], ids=["json", "csv"])
def test_every_bad_filter_is_a_400_naming_it(world, api_as, url, parameter, csv):
    response = api_as(world.regulator).get(url + ("&format=csv" if csv else ""))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert parameter in response.json()


@pytest.mark.django_db
def test_a_delivery_export_with_a_bad_date_filter_is_a_400_not_a_short_file(world, objects, api_as):
    url = f"/api/v1/commitments/{objects['commitment'].pk}/deliveries/"

    response = api_as(world.regulator).get(url, {"format": "csv", "date_from": "2026-02-30"})

    assert response.status_code == 400
    assert list(response.json()) == ["date_from"]


@pytest.mark.django_db
def test_a_csv_export_runs_its_first_query_before_it_answers(world, objects, api_as, monkeypatch):
    """A failure in the first rows is an error response, not a 200 cut off after the header."""
    from buddying.common import api

    export = api.CSVExportMixin.csv_export

    def broken(self, queryset):  # every row passes through the export's row function
        header, source, _row = export(self, queryset)

        def row(item):
            raise RuntimeError("boom")

        return header, source, row

    monkeypatch.setattr(api.CSVExportMixin, "csv_export", broken)
    client = api_as(world.regulator)
    client.raise_request_exception = False

    response = client.get("/api/v1/commitments/?format=csv")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"


# --- Bodies ------------------------------------------------------------------------------------


def _send(client, method, url, body: bytes | str):
    return getattr(client, method)(url, body, content_type="application/json")


HOSTILE_BODIES = {
    "lone surrogate": '{"title": "\\ud800", "category": "\\udfff", "kind": "\\ud800"}',
    "surrogate in a key": '{"\\ud800": 1}',
    "nul": '{"title": "a\\u0000b"}',
    "control character": '{"title": "a\\u0007b", "description": "\\u001b[31m"}',
    "deep": "[" * 50_000 + "]" * 50_000,
    "just too deep": "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    "deep object": '{"a":' * 5_000 + "1" + "}" * 5_000,
    "NaN": '{"planned_quantity": NaN}',
    "not utf-8": b'{"title": "\xff\xfe"}',
    "not json": "{not json",
}


@pytest.mark.django_db
@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_a_hostile_body_is_a_400_on_every_endpoint_reading_one(world, objects, api_as, body):
    client = api_as(world.buddy_exec)
    for method, url in _body_endpoints(world, objects):
        response = _send(client, method, url, body)

        assert response.status_code == 400, (method, url, response.status_code)
        assert response["Content-Type"] == "application/json"
        assert "\\ud800" not in response.content.decode()


@pytest.mark.django_db
def test_a_control_character_is_reported_against_its_field(world, api_as):
    response = _send(
        api_as(world.buddy_pm),
        "post",
        "/api/v1/partnerships/",
        json.dumps({"title": "ok", "objectives": [{"title": "a"}, {"title": "b\x01"}]}),
    )

    assert response.status_code == 400
    assert response.json() == {"objectives.1.title": ["This value contains a control character."]}


@pytest.mark.django_db
def test_tabs_and_new_lines_are_ordinary_text(world, objects, api_as):
    risk = objects["risk"]

    response = _send(
        api_as(world.buddy_exec),
        "patch",
        f"/api/v1/risks/{risk.pk}/",
        json.dumps({"controls": "Weekly review\n\tBoard report\r\n"}),
    )

    assert response.status_code == 200, response.json()


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_an_over_large_body_is_a_400(world, api_as):
    body = json.dumps({"title": "x" * 20_000})

    response = _send(api_as(world.buddy_pm), "post", "/api/v1/partnerships/", body)

    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is too large."}
    assert not Partnership.objects.filter(title__startswith="xxx").exists()


@pytest.mark.django_db
def test_a_choice_holding_a_surrogate_in_a_query_is_a_400(world, api_as):
    response = api_as(world.regulator).get("/api/v1/risks/?category=%ED%A0%80")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_an_error_message_repeating_a_surrogate_still_renders():
    from rest_framework.exceptions import ValidationError

    from buddying.common.api import exception_handler

    response = exception_handler(ValidationError({"kind": ['"\ud800" is not a valid choice.']}), {})
    response.accepted_renderer = __import__("rest_framework.renderers").renderers.JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {}

    assert b"is not a valid choice" in response.render().content


# --- Every error under /api/ is JSON -----------------------------------------------------------


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/v1/boom/", _boom), path("boom/", _boom), *project_urlpatterns]
handler500 = "buddying.views.server_error"
handler404 = "buddying.views.not_found"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_under_the_api_is_json(client):
    client.raise_request_exception = False

    response = client.get("/api/v1/boom/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "problem with the service" in response.json()["detail"]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_on_a_page_is_the_nhs_page(client):
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "headers", "status"),
    [
        ("get", "/api/v1/no-such-thing/", {}, 404),
        ("get", "/api/v1/partnerships/00000000-0000-0000-0000-000000000000/", {}, 404),
        ("get", "/api/v1/partnerships/not-a-uuid/", {}, 404),
        ("delete", "/api/v1/partnerships/", {}, 405),
        ("put", "/api/v1/risks/", {}, 405),
        ("get", "/api/v1/partnerships/", {"HTTP_ACCEPT": "application/xml"}, 406),
        ("get", "/api/v1/partnerships/?format=xml", {}, 404),
    ],
)
def test_every_api_error_is_json(world, api_as, method, url, headers, status):
    response = getattr(api_as(world.buddy_exec), method)(url, **headers)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.django_db
def test_an_anonymous_api_request_is_a_json_401(client):
    response = client.get("/api/v1/partnerships/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_a_form_body_is_held_to_the_same_character_rules(world, api_as):
    response = api_as(world.buddy_pm).post(
        "/api/v1/partnerships/",
        {"title": "a\x00b", "buddy": "RAL", "supported": "RDD"},
        format="multipart",
    )

    assert response.status_code == 400
    assert "title" in response.json()
