"""No accepted change is ever silently lost: versions, ETags, If-Match, stale forms and real
concurrent writers on PostgreSQL (issue "Nothing lost, nobody in")."""

import threading
from datetime import date

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from partnerships import services
from partnerships.choices import PartnershipStatus
from partnerships.models import Partnership
from tests.factories import PartnershipFactory


def _url(partnership) -> str:
    return f"/api/v1/partnerships/{partnership.pk}/"


# --- API: ETag, If-None-Match, If-Match ---------------------------------------------------------


def test_detail_carries_its_version_as_etag_and_if_none_match_answers_304(world, api_as):
    client = api_as(world.regulator)
    response = client.get(_url(world.partnership))
    assert response.status_code == 200
    assert response["ETag"] == f'"{response.json()["version"]}"'
    again = client.get(_url(world.partnership), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == response["ETag"]


def test_a_write_with_the_current_if_match_succeeds_and_moves_the_etag_on(world, api_as):
    client = api_as(world.buddy_pm)
    etag = client.get(_url(world.partnership))["ETag"]
    response = client.patch(_url(world.partnership), {"title": "New title"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["version"] == int(etag.strip('"')) + 1


def test_a_write_with_a_stale_if_match_answers_412_and_changes_nothing(world, api_as):
    client = api_as(world.buddy_pm)
    etag = client.get(_url(world.partnership))["ETag"]
    services.partnership_update(partnership=world.partnership, by=world.supported_pm, title="B")
    response = client.patch(_url(world.partnership), {"title": "A"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert "since you opened it" in response.json()["detail"]
    assert Partnership.objects.get(pk=world.partnership.pk).title == "B"


def test_a_malformed_if_match_is_refused_after_the_access_checks(world, api_as):
    url = _url(world.partnership)
    assert (
        api_as(world.regulator).patch(url, {"title": "A"}, HTTP_IF_MATCH="nonsense").status_code
        == 403
    )
    assert (
        api_as(world.outsider).patch(url, {"title": "A"}, HTTP_IF_MATCH="nonsense").status_code
        == 404
    )
    assert (
        api_as(world.buddy_pm).patch(url, {"title": "A"}, HTTP_IF_MATCH="nonsense").status_code
        == 412
    )


def test_an_edit_writes_only_the_fields_it_changes_and_none_when_nothing_changes(world):
    partnership = world.partnership
    version = Partnership.objects.get(pk=partnership.pk).version
    services.partnership_update(partnership=partnership, by=world.buddy_pm, title=partnership.title)
    assert Partnership.objects.get(pk=partnership.pk).version == version  # nothing changed
    # Someone else's change to another field survives a change made from an old copy.
    services.partnership_update(partnership=partnership, by=world.supported_pm, scope_areas="ED")
    services.partnership_update(partnership=partnership, by=world.buddy_pm, title="Renamed")
    saved = Partnership.objects.get(pk=partnership.pk)
    assert (saved.title, saved.scope_areas, saved.version) == ("Renamed", "ED", version + 2)


# --- Browser: the stale form ---------------------------------------------------------------------


def test_a_stale_form_comes_back_with_who_changed_it_and_both_values(world, as_user):
    url = reverse("partnerships:update", args=[world.partnership.pk])
    client = as_user(world.buddy_pm)
    page = client.get(url)
    assert 'name="version"' in page.content.decode()
    opened_at = Partnership.objects.get(pk=world.partnership.pk).version
    services.partnership_update(
        partnership=world.partnership, by=world.supported_pm, title="Their title"
    )
    response = client.post(
        url,
        {
            "version": opened_at,
            "title": "My title",
            "kind": "buddying",
            "scope_areas": "",
            "shared_intent": "Sustained improvement in the quality of care.",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    name = world.supported_pm.get_full_name()
    assert f"This partnership was changed by {name}" in text
    assert "since you opened it" in text
    assert "Saved meanwhile: Their title" in text
    assert 'value="My title"' in text  # the person's own value is kept in the form
    assert Partnership.objects.get(pk=world.partnership.pk).title == "Their title"


# --- Real concurrent writers on PostgreSQL -------------------------------------------------------

concurrent = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs on it)"
)


def _in_threads(*targets):
    errors = []

    def run(target):
        try:
            target()
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@concurrent
@pytest.mark.django_db(transaction=True)
def test_ten_writers_changing_different_fields_lose_nothing(world):
    fields = ["title", "scope_areas", "shared_intent"]
    rounds = 10

    def writer(field, number):
        def write():
            for round_ in range(rounds):
                partnership = Partnership.objects.get(pk=world.partnership.pk)  # an old copy
                services.partnership_update(
                    partnership=partnership,
                    by=world.buddy_pm,
                    **{field: f"{field}-{number}-{round_}"},
                )

        return write

    errors = _in_threads(*(writer(fields[n % 3], n) for n in range(10)))
    assert errors == []
    saved = Partnership.objects.get(pk=world.partnership.pk)
    history = Partnership.history.filter(id=saved.pk)
    # Every accepted change is in the row's history, and the version counted each one.
    assert saved.version == 1 + 10 * rounds
    assert history.count() == 1 + 10 * rounds
    records = list(history.order_by("history_date", "history_id"))
    for field in fields:
        # A lost update shows as a field going back to a value already replaced.
        values = [getattr(record, field) for record in records]
        changes = [value for i, value in enumerate(values) if i == 0 or value != values[i - 1]]
        assert len(changes) == len(set(changes)), f"{field} went back to an older value"
        assert getattr(saved, field) == values[-1]


@concurrent
@pytest.mark.django_db(transaction=True)
def test_a_title_change_racing_a_close_never_undoes_the_close(world):
    for attempt in range(5):
        partnership = PartnershipFactory(
            buddy=world.buddy, supported=world.supported, status=PartnershipStatus.ACTIVE
        )
        stale = Partnership.objects.get(pk=partnership.pk)

        def close(partnership=partnership):
            services.partnership_transition(
                partnership=partnership,
                to="closed",
                by=world.buddy_pm,
                outcome="completed",
                reason="Done",
                actual_end=date(2026, 11, 1),
            )

        def rename(stale=stale, attempt=attempt):
            services.partnership_update(
                partnership=stale, by=world.supported_pm, title=f"T{attempt}"
            )

        errors = _in_threads(close, rename)
        saved = Partnership.objects.get(pk=partnership.pk)
        assert saved.status == PartnershipStatus.CLOSED
        assert saved.closure_reason == "Done"
        assert saved.actual_end == date(2026, 11, 1)
        # The rename either went first or was refused because the partnership had closed.
        assert saved.title == f"T{attempt}" or [type(e).__name__ for e in errors] == [
            "StateConflict"
        ]


@concurrent
@pytest.mark.django_db(transaction=True)
def test_a_title_change_racing_the_last_approval_never_undoes_agreed(world):
    partnership = world.partnership
    services.partnership_approve(partnership=partnership, by=world.buddy_exec)
    stale = Partnership.objects.get(pk=partnership.pk)

    def approve():
        services.partnership_approve(partnership=partnership, by=world.supported_exec)

    def rename():
        services.partnership_update(partnership=stale, by=world.buddy_pm, title="Renamed")

    errors = _in_threads(approve, rename)
    saved = Partnership.objects.get(pk=partnership.pk)
    if saved.status == PartnershipStatus.AGREED:
        # Approval came last (or the rename, after it, kept the status it did not write).
        assert saved.approvals.count() == 2
    else:
        # The rename came first and withdrew the first approval, so the last one did not agree it.
        assert saved.status == PartnershipStatus.PROPOSED and saved.title == "Renamed"
    assert all(type(e).__name__ in {"StateConflict"} for e in errors)
