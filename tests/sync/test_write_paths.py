"""Every write a mirror relies on, including those that bypass ``save()``: ``updated_at`` moves so
``updated_since`` finds the row, deletions reach ``deleted/``, and ``history/`` has each change a
person made — bulk paths in one insert for the whole batch, not one per row."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from buddying.notifications.models import Reminder
from buddying.sync.models import Change
from partnerships import services as partnership_services
from partnerships.choices import PartnershipStatus, PartyRole
from partnerships.commitments import services as commitment_services
from partnerships.commitments.models import Commitment
from partnerships.models import Objective, Organisation
from partnerships.reviews.models import OutcomeReview
from risks import services as risk_services
from risks.choices import RiskCategory
from tests.commitments.factories import CommitmentFactory
from tests.factories import OrganisationFactory
from tests.risks.factories import RiskActionFactory, RiskFactory

HISTORY = "/api/v1/history/"
DELETED = "/api/v1/deleted/"
START = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
LATER = START + dt.timedelta(hours=3)
SINCE = (START + dt.timedelta(hours=1)).isoformat()

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    """The morning's writes (the world's too) at 09:00, the change under test at 12:00 and
    ``updated_since`` 10:00. Autouse, so the clock is set before the world is made."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _changed_since(client, url) -> set[str]:
    body = client.get(url, {"updated_since": SINCE, "page_size": 500}).json()
    return {str(row.get("id", row.get("ods_code"))) for row in body["results"]}


def _sync_inserts(context) -> int:
    return sum('INSERT INTO "sync_change"' in query["sql"] for query in context.captured_queries)


# --- Deliveries in bulk (the API's list, the upload) ---------------------------------------------


def _upload(world, commitment, rows: int):
    lines = [(line, {"commitment reference": commitment.reference, "date": "2026-04-02",
                     "quantity": "1"}) for line in range(2, rows + 2)]  # fmt: skip
    with CaptureQueriesContext(connection) as context:
        commitment_services.deliveries_upload(
            partnership=world.partnership, by=world.buddy_pm, rows=lines, file_name="d.csv"
        )
    return context


@pytest.mark.parametrize("rows", [3, 60])
def test_an_upload_records_each_delivery_in_the_history_in_one_insert(world, api_as, clock, rows):
    commitment = CommitmentFactory(
        partnership=world.partnership, organisation=world.buddy, planned_quantity=1000
    )
    clock.move_to(LATER)

    context = _upload(world, commitment, rows)

    assert _sync_inserts(context) == 1
    client = api_as(world.regulator)
    history = client.get(HISTORY, {"type": "delivery", "page_size": 500}).json()["results"]
    assert len(history) == rows
    assert {(e["action"], e["who"]["username"]) for e in history} == {
        ("created", world.buddy_pm.username)
    }
    assert history[0]["changes"]["quantity"] == {"old": None, "new": "1.00"}
    # The commitment shows the new total: a mirror syncing commitments finds it.
    assert _changed_since(client, "/api/v1/commitments/") == {str(commitment.pk)}
    commitment.refresh_from_db()
    assert commitment.delivered_total == rows


# --- Stored totals put right by the command -------------------------------------------------------


def test_totals_put_right_by_the_command_reach_a_mirror(world, api_as, clock):
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    commitment_services.delivery_log(
        commitment=commitment, by=world.buddy_pm, date=dt.date(2026, 4, 2), quantity=Decimal(2)
    )
    Commitment.objects.filter(pk=commitment.pk).update(delivered_total=Decimal(9))  # drifted
    untouched = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    clock.move_to(LATER)

    call_command("recompute_commitment_totals", "--fix", stdout=open("/dev/null", "w"))  # noqa: SIM115

    changed = _changed_since(api_as(world.regulator), "/api/v1/commitments/")
    assert changed == {str(commitment.pk)}
    assert str(untouched.pk) not in changed
    commitment.refresh_from_db()
    assert commitment.delivered_total == 2


# --- Risks: actions change what the risk shows; appetites its flag ---------------------------


def test_a_risks_new_or_changed_action_moves_the_risk(world, api_as, clock):
    risk = RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    action = RiskActionFactory(risk=risk, owner=world.buddy_pm, due_date=dt.date(2026, 4, 20))
    other = RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    clock.move_to(LATER)
    client = api_as(world.regulator)

    risk_services.action_update(action=action, by=world.buddy_pm, status="done")

    assert _changed_since(client, "/api/v1/risks/") == {str(risk.pk)}
    row = client.get(f"/api/v1/risks/{risk.pk}/").json()
    assert row["overdue_actions"] == 0
    clock.move_to(LATER + dt.timedelta(hours=1))
    risk_services.action_create(
        risk=other,
        by=world.buddy_pm,
        description="Cover rota",
        owner=world.buddy_pm,
        due_date=dt.date(2026, 6, 1),
    )
    assert _changed_since(client, "/api/v1/risks/") == {str(risk.pk), str(other.pk)}
    assert [e["action"] for e in client.get(HISTORY, {"type": "riskaction"}).json()["results"]][
        -2:
    ] == ["changed", "created"]


def test_an_appetite_set_moves_the_risks_it_judges(world, api_as, clock):
    risk = RiskFactory(
        partnership=world.partnership, owner=world.buddy_pm, category=RiskCategory.QUALITY_SAFETY
    )
    clock.move_to(LATER)

    risk_services.risk_appetite_set(
        organisation=world.buddy, category=RiskCategory.QUALITY_SAFETY, by=world.buddy_exec, level="minimal",
        tolerance=1,
    )  # fmt: skip

    client = api_as(world.regulator)
    assert _changed_since(client, "/api/v1/risks/") == {str(risk.pk)}
    (entry,) = client.get(HISTORY, {"type": "riskappetite"}).json()["results"]
    assert entry["who"]["username"] == world.buddy_exec.username


# --- A partnership's parties, objectives and approvals -------------------------------------------


def test_parties_objectives_and_approvals_move_the_partnership(world, api_as, clock):
    broker = OrganisationFactory(ods_code="RXX")
    client = api_as(world.regulator)
    partnership = world.partnership

    def moved(change) -> bool:
        clock.move_to(timezone.now() + dt.timedelta(hours=3))
        since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
        change()
        ids = client.get("/api/v1/partnerships/", {"updated_since": since}).json()["results"]
        return [row["id"] for row in ids] == [str(partnership.pk)]

    party = None

    def add():
        nonlocal party
        party = partnership_services.party_add(
            partnership=partnership, by=world.buddy_pm, organisation=broker, role=PartyRole.BROKER
        )

    assert moved(add)
    assert moved(lambda: partnership_services.party_update(
        party=party, by=world.buddy_pm, sponsor_name="A. Broker"))  # fmt: skip
    assert moved(lambda: partnership_services.party_remove(party=party, by=world.buddy_pm))
    objective = None

    def add_objective():
        nonlocal objective
        objective = partnership_services.objective_save(
            partnership=partnership, by=world.buddy_pm, title="Cut waits", measure="Weeks"
        )

    assert moved(add_objective)
    assert moved(lambda: partnership_services.objective_save(
        partnership=partnership, by=world.buddy_pm, objective=objective, title="Cut the waits"))  # fmt: skip
    assert moved(
        lambda: partnership_services.objective_delete(objective=objective, by=world.buddy_pm)
    )
    assert partnership.status == PartnershipStatus.PROPOSED
    assert moved(
        lambda: partnership_services.partnership_approve(
            partnership=partnership, by=world.buddy_exec
        )
    )

    deleted = client.get(DELETED).json()["results"]
    assert {(d["type"], d["object_id"], d["deleted_by"]["username"]) for d in deleted} == {
        ("party", str(party.pk), world.buddy_pm.username),
        ("objective", str(objective.pk), world.buddy_pm.username),
    }
    assert not Objective.objects.filter(pk=objective.pk).exists()


# --- Reviews rescheduled when the partnership's dates change -----------------------------------


def test_rescheduled_reviews_are_in_the_history_and_dropped_ones_in_deleted(world, api_as, clock):
    partnership = world.partnership
    partnership.planned_start = dt.date(2026, 4, 1)
    partnership.planned_end = dt.date(2027, 3, 31)
    partnership.status = PartnershipStatus.AGREED
    partnership.save()
    partnership_services.partnership_transition(
        partnership=partnership, to="active", by=world.buddy_pm
    )
    before = set(OutcomeReview.objects.values_list("pk", flat=True))
    clock.move_to(LATER)

    partnership_services.partnership_update(
        partnership=partnership, by=world.buddy_exec, planned_end=dt.date(2026, 9, 15)
    )

    client = api_as(world.regulator)
    kept = set(OutcomeReview.objects.values_list("pk", flat=True))
    dropped = {str(pk) for pk in before - kept}
    assert dropped
    deleted = client.get(DELETED, {"type": "outcomereview", "updated_since": SINCE}).json()
    assert {d["object_id"] for d in deleted["results"]} == dropped
    assert {d["deleted_by"]["username"] for d in deleted["results"]} == {world.buddy_exec.username}
    history = client.get(
        HISTORY, {"type": "outcomereview", "action": "changed", "updated_since": SINCE}
    ).json()["results"]
    final = OutcomeReview.objects.get(partnership=partnership, kind="final")
    (entry,) = [e for e in history if e["object_id"] == str(final.pk)]
    assert entry["changes"]["period_end"] == {"old": "2027-03-31", "new": "2026-09-15"}
    assert entry["who"]["username"] == world.buddy_exec.username
    assert str(final.pk) in _changed_since(client, "/api/v1/reviews/")


# --- Organisations imported in bulk --------------------------------------------------------------


def test_organisations_changed_by_a_bulk_update_are_in_the_history_in_one_insert(clock):
    from simple_history.utils import bulk_update_with_history

    trusts = [OrganisationFactory(ods_code=f"RZ{n}", name=f"TRUST {n}") for n in range(5)]
    clock.move_to(LATER)
    for trust in trusts:
        trust.name = f"{trust.name} RENAMED"
        trust.updated_at = timezone.now()

    with CaptureQueriesContext(connection) as context:
        bulk_update_with_history(trusts, Organisation, ["name", "updated_at"], default_user=None)

    assert _sync_inserts(context) == 1
    changes = Change.objects.filter(object_type="organisation", action="changed")
    assert sorted(c.changes["name"]["new"] for c in changes) == [
        f"TRUST {n} RENAMED" for n in range(5)
    ]
    assert {c.changes["name"]["old"] for c in changes} == {f"TRUST {n}" for n in range(5)}


# --- What is no part of a mirror -----------------------------------------------------------------


def test_a_persons_reminders_leave_nothing_in_the_feeds(world, api_as):
    reminder = Reminder.objects.create(
        rule="risk-review-due",
        item_type="risks.risk",
        item_id=world.partnership.pk,
        due_date=dt.date(2026, 5, 1),
        user=world.buddy_pm,
        partnership=world.partnership,
        text="A risk is due for review",
        url="/",
        raised_on=dt.date(2026, 5, 1),
        run=world.partnership.pk,
    )
    reminder.delete()

    assert not Change.objects.filter(object_type="reminder").exists()
    assert api_as(world.regulator).get(DELETED).json()["results"] == []
