"""The migration that stores each action's partnership fills it for the actions already there."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("risks", "0006_risk_search_index")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_actions_get_their_risks_partnership():
    old = _migrate(BEFORE)
    try:
        Organisation = old.get_model("partnerships", "Organisation")
        Partnership = old.get_model("partnerships", "Partnership")
        Risk = old.get_model("risks", "Risk")
        RiskAction = old.get_model("risks", "RiskAction")
        User = old.get_model("auth", "User")
        owner = User.objects.create(username="owner")
        buddy = Organisation.objects.create(ods_code="RAL", name="ROYAL FREE", kind="acute")
        actions = {}
        for n in (1, 2):
            partnership = Partnership.objects.create(reference=f"BP-2026-000{n}", title="Recovery")
            risk = Risk.objects.create(
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
            action = RiskAction.objects.create(
                risk=risk, description="Recruit", owner=owner, due_date=dt.date(2026, 4, 1)
            )
            actions[action.pk] = partnership.pk
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())

    from risks.models import RiskAction as NewRiskAction

    assert dict(NewRiskAction.objects.values_list("pk", "partnership_id")) == actions
