"""No input ever causes a 500: junk sent to every write endpoint and filter of the API."""

import json

import pytest

from tests.test_every_route import (
    ROUTES,
    objects,  # noqa: F401 (the fixture the table builds URLs from)
)

JUNK = [
    None,
    [],
    {},
    "x",
    123,
    [1, 2],
    {"a": None},
    [{}],
    [None],
    {"to": None},
    {"to": ["closed"]},
    {"title": {"x": 1}},
    {"planned_quantity": "1e999"},
    {"planned_quantity": "NaN"},
    {"quantity": "Infinity"},
    {"date": "2026-02-30"},
    {"date": "99999-01-01"},
    {"start_date": "2026-01-01", "end_date": "2025-01-01"},
    {"partnership": "not-a-uuid"},
    {"partnership": 5},
    {"organisation": ["RAL"]},
    {"current_likelihood": 1e30},
    {"current_likelihood": "5.5"},
    {"tolerance": -1},
    {"buddy": "RAL", "supported": "RAL", "title": "x"},
    {"title": "\x00"},
    {"description": "a" * 100000},
    [{"date": "2026-05-01", "quantity": "1"}] * 3,
]


def _writes(made, method: str) -> list[str]:
    """Every API route taking ``method``, from the one table of routes (tests/test_every_route.py):
    a write endpoint added there is fuzzed here too."""
    return [
        route.url(made)
        for route in ROUTES.values()
        if method in route.answers and route.url(made).startswith("/api/")
    ]


@pytest.mark.django_db
def test_junk_input_never_causes_a_server_error(world, api_as, objects):  # noqa: F811
    c = objects.commitment
    client = api_as(world.buddy_exec)
    posts = _writes(objects, "POST")
    patches = _writes(objects, "PATCH")
    assert f"/api/v1/commitments/{c.pk}/deliveries/" in posts and len(patches) >= 4
    bad = []
    for url in posts:
        for j in JUNK:
            resp = client.post(url, json.dumps(j), content_type="application/json")
            if resp.status_code >= 500:
                bad.append(("POST", url, j, resp.status_code))
        resp = client.post(url, b"\xff\xfe{", content_type="application/json")
        if resp.status_code >= 500:
            bad.append(("POST", url, "bytes", resp.status_code))
        resp = client.post(url, "a=1&b", content_type="application/x-www-form-urlencoded")
        if resp.status_code >= 500:
            bad.append(("POST", url, "form", resp.status_code))
    for url in patches:
        for j in JUNK:
            resp = client.patch(url, json.dumps(j), content_type="application/json")
            if resp.status_code >= 500:
                bad.append(("PATCH", url, j, resp.status_code))
    gets = [
        "/api/v1/partnerships/?updated_since=garbage",
        "/api/v1/partnerships/?page=-1",
        "/api/v1/partnerships/?page_size=abc",
        "/api/v1/commitments/?rag=purple",
        "/api/v1/risks/?band=huge&sort=;drop",
        "/api/v1/risks/?outside_appetite=maybe",
        "/api/v1/organisations/?segment=abc",
        "/api/v1/partnerships/?format=xml",
        "/api/v1/commitments/?format=csv&partnership=nope",
        f"/api/v1/commitments/{c.pk}/deliveries/?format=csv&page=x",
        "/api/v1/risk-appetite-comparisons/not-a-uuid/",
        "/api/v1/organisations/%00/",
        "/api/v1/partnerships/?organisation=%00",
        "/api/v1/risks/?partnership=%00",
    ]
    for url in gets:
        resp = client.get(url)
        if resp.status_code >= 500:
            bad.append(("GET", url, resp.status_code))
    assert not bad, bad
