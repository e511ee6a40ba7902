"""The move to one app per capability keeps every table and row: a database as the old layout
left it (commitments inside ``partnerships``) is migrated forward and every row is still there."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The layout on main before the move: commitments were models of the partnerships app.
OLD_LAYOUT = [
    ("partnerships", "0003_approval_history"),
    ("risks", "0001_initial"),
    ("commitments", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_old_layout_keeps_every_row_after_migrating_forward():
    old = _migrate(OLD_LAYOUT)
    try:
        Organisation = old.get_model("partnerships", "Organisation")
        Partnership = old.get_model("partnerships", "Partnership")
        Party = old.get_model("partnerships", "Party")
        Commitment = old.get_model("partnerships", "Commitment")
        Delivery = old.get_model("partnerships", "Delivery")
        Risk = old.get_model("risks", "Risk")
        User = old.get_model("auth", "User")
        owner = User.objects.create(username="owner")
        buddy = Organisation.objects.create(ods_code="RAL", name="ROYAL FREE", kind="acute")
        supported = Organisation.objects.create(ods_code="RDD", name="BASILDON", kind="acute")
        partnership = Partnership.objects.create(reference="BP-2026-0001", title="Recovery")
        Party.objects.create(partnership=partnership, organisation=buddy, role="buddy")
        Party.objects.create(partnership=partnership, organisation=supported, role="supported")
        commitment = Commitment.objects.create(
            reference="C-0001",
            partnership=partnership,
            organisation=buddy,
            category="clinical_time",
            description="Consultant sessions",
            unit="hours",
            planned_quantity=Decimal("100"),
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2026, 12, 31),
            owner="Dr A",
        )
        for day in range(1, 4):
            Delivery.objects.create(
                commitment=commitment, date=dt.date(2026, 2, day), quantity=Decimal("7.5")
            )
        Risk.objects.create(
            partnership=partnership,
            number=1,
            reference="R-001",
            title="Gaps at home",
            category="workforce_capacity",
            owner_organisation=buddy,
            inherent_likelihood=4,
            inherent_consequence=4,
            current_likelihood=3,
            current_consequence=3,
            target_likelihood=2,
            target_consequence=2,
            next_review_date=dt.date(2026, 3, 1),
            owner=owner,
        )
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())

    from partnerships.commitments.models import Commitment as NewCommitment
    from partnerships.commitments.models import Delivery as NewDelivery
    from partnerships.models import Partnership as NewPartnership
    from risks.models import Risk as NewRisk

    moved = NewCommitment.objects.get(reference="C-0001")
    assert moved.partnership.reference == "BP-2026-0001"
    assert moved.version == 1
    assert NewDelivery.objects.filter(commitment=moved).count() == 3
    assert NewPartnership.objects.get().parties.count() == 2
    assert NewRisk.objects.get().current_score == 9
    assert NewCommitment._meta.db_table == "partnerships_commitment"
