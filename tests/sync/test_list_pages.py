"""The lists answer the same with the quick reading of pages: the page's ids are chosen first
(``buddying.common.pagination.page_of``) and rows are written by ``ReadFast`` — byte for byte
what DRF's slicing and serializers answer, in the same single query per page."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.test import APIClient

from buddying.common.pagination import page_of
from buddying.common.serializers import ReadFast, Serializer
from partnerships import access
from partnerships.commitments.models import Delivery
from partnerships.models import Partnership
from risks.models import Risk, RiskAction
from tests.factories import OrganisationFactory, PartnershipFactory
from tests.risks.factories import RiskActionFactory, RiskFactory
from tests.sync.test_mirror import LISTS, _morning, _the_day

URLS = [
    *(url for url, _ in LISTS.values()),
    "/api/v1/deliveries/",
    "/api/v1/risks/?sort=-score",
    "/api/v1/risk-actions/?overdue=false",
]


def _drf_reads(monkeypatch):
    """Every serializer reads rows as DRF's own ``Serializer.to_representation`` does."""
    monkeypatch.setattr(
        ReadFast,
        "to_representation",
        lambda self, instance: serializers.Serializer.to_representation(self, instance),
    )


def _slice(queryset, start, stop):
    return list(queryset[start:stop])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["regulator", "buddy_viewer"])
def test_every_list_answers_byte_for_byte_what_drf_and_plain_slicing_answer(
    world, persona, monkeypatch
):
    had = _morning(world)
    _the_day(world, had)
    client = APIClient()
    client.force_authenticate(world.user(persona))
    pages = [f"{url}{'&' if '?' in url else '?'}page_size=2&page=2" for url in URLS]
    quick = {url: client.get(url).content for url in [*URLS, *pages]}
    assert all(b'"results":[{' in body for body in quick.values() if b"count" in body)
    _drf_reads(monkeypatch)
    monkeypatch.setattr("buddying.common.pagination.page_of", _slice)
    plain = {url: client.get(url).content for url in [*URLS, *pages]}
    assert quick == plain


@pytest.mark.django_db
def test_a_page_is_the_same_rows_in_the_same_order_as_a_slice(world):
    for number in range(7):
        risk = RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
        RiskActionFactory(risk=risk, owner=world.buddy_pm, due_date=date(2026, 5, number % 3 + 1))
    actions = access.visible(RiskAction, world.buddy_viewer).order_by("due_date", "created_at")
    for start in range(0, 8, 3):
        assert list(page_of(actions, start, start + 3)) == list(actions[start : start + 3])


@pytest.mark.django_db
def test_a_filter_across_a_to_many_relation_keeps_its_rows_once(world):
    """A filter through parties joins one row per matching party: the outer query keeps it, so a
    partnership with both organisations is not answered twice (or with other parties' rows)."""
    other = OrganisationFactory(ods_code="RXX", name="OTHER TRUST")
    PartnershipFactory(buddy=other, supported=world.supported)
    PartnershipFactory(buddy=world.buddy, supported=other)
    both = Partnership.objects.filter(
        parties__organisation__in=[world.buddy, world.supported]
    ).order_by("reference", "pk")
    assert list(page_of(both, 0, 10)) == list(both[0:10])
    assert len(list(page_of(both, 0, 10))) == both.count() == 4  # world's twice, one each


@pytest.mark.django_db
def test_the_page_query_reads_the_visible_rows_once(world, api_as):
    """The access filter and the list's filters run in the subquery that picks the page's ids;
    the outer query only joins those ids (one EXISTS in the page's SQL, not two)."""
    risk = RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    RiskActionFactory(risk=risk, owner=world.buddy_pm)
    with CaptureQueriesContext(connection) as queries:
        response = api_as(world.buddy_viewer).get(
            "/api/v1/risk-actions/", {"owner": world.buddy_pm.username}
        )
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    (page,) = [q["sql"] for q in queries if "IN (SELECT" in q["sql"]]
    assert page.count("EXISTS") == 1
    # The filter too (through the owner's join), inside the subquery only.
    assert page.count(f"'{world.buddy_pm.username}'") == 1


class _LoggedSerializer(Serializer):
    username = serializers.CharField(source="logged_by.get_username", read_only=True)
    commitment = serializers.PrimaryKeyRelatedField(read_only=True)
    note = serializers.SerializerMethodField()

    def get_note(self, delivery) -> str:
        return delivery.note.upper()


class _OwnerSerializer(Serializer):
    username = serializers.CharField(source="owner.get_username", read_only=True)
    title = serializers.CharField(read_only=True)


@pytest.mark.django_db
def test_read_fast_leaves_unusual_rows_to_drf(world, monkeypatch):
    """Rows DRF reads in its own way are left to it: ``None`` half-way along a dotted source (a
    read-only field is then left out), a related object that does not exist (``null``); a
    related field keeps its own reading; a method field is called."""
    had = _morning(world)
    logged, anonymous = had["delivery"], had["doomed_delivery"]
    logged.logged_by = world.buddy_pm
    anonymous.logged_by = None
    unowned = Risk(title="Draft", partnership=world.partnership)
    unowned.owner = None  # a required owner not set yet: "does not exist"

    deliveries = _LoggedSerializer([logged, anonymous], many=True).data
    risks = _OwnerSerializer([had["risk"], unowned], many=True).data
    assert deliveries == [
        {
            "username": world.buddy_pm.username,
            "commitment": had["commitment"].pk,
            "note": logged.note.upper(),
        },
        {"commitment": had["commitment"].pk, "note": anonymous.note.upper()},
    ]
    assert risks == [
        {"username": world.buddy_pm.username, "title": had["risk"].title},
        {"username": None, "title": "Draft"},
    ]
    _drf_reads(monkeypatch)
    assert _LoggedSerializer([logged, anonymous], many=True).data == deliveries
    assert _OwnerSerializer([had["risk"], unowned], many=True).data == risks


@pytest.mark.django_db
def test_deliveries_page_as_drf(world, monkeypatch, api_as):
    had = _morning(world)
    assert Delivery.objects.filter(commitment=had["commitment"]).exists()
    client = api_as(world.regulator)
    url = f"/api/v1/commitments/{had['commitment'].pk}/deliveries/"
    quick = client.get(url).content
    _drf_reads(monkeypatch)
    monkeypatch.setattr("buddying.common.pagination.page_of", _slice)
    assert client.get(url).content == quick
