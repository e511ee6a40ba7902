"""A partnership's highest open risks read in order: the appetite comparison's 25 (a top-N sort of
every open risk outside an appetite, 15 ms for the largest partnership, becomes an index walk
stopped at 25, 0.1 ms) and the risks section's top five. Built concurrently (100,000 risks)."""

from django.db import migrations, models

from buddying.common.indexes import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run in a transaction.
    atomic = False

    dependencies = [
        ("risks", "0007_riskaction_partnership"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="risk",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["partnership", "-current_score", "number"],
                name="risk_open_by_score",
            ),
        ),
    ]
