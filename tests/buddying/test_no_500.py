"""No input ever causes a 500: junk sent to every write endpoint and filter of the API."""

import json

import pytest

from tests.commitments.factories import CommitmentFactory
from tests.risks.factories import RiskActionFactory, RiskFactory

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


@pytest.mark.django_db
def test_junk_input_never_causes_a_server_error(world, api_as):
    c = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    r = RiskFactory(partnership=world.partnership)
    a = RiskActionFactory(risk=r)
    client = api_as(world.buddy_exec)
    posts = [
        "/api/v1/partnerships/",
        f"/api/v1/partnerships/{world.partnership.pk}/transition/",
        f"/api/v1/partnerships/{world.partnership.pk}/approve/",
        "/api/v1/commitments/",
        f"/api/v1/commitments/{c.pk}/deliveries/",
        "/api/v1/risks/",
        "/api/v1/risk-actions/",
        "/api/v1/risk-appetites/",
    ]
    patches = [
        f"/api/v1/partnerships/{world.partnership.pk}/",
        f"/api/v1/commitments/{c.pk}/",
        f"/api/v1/risks/{r.pk}/",
        f"/api/v1/risk-actions/{a.pk}/",
    ]
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
