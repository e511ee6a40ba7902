"""Each risk action keeps its risk's partnership (issue 15: ``risk-actions/?partnership=`` walked
the due-date index through 45,160 actions; the access filter and the overdue counts per
partnership joined the risks).

On 200,000 actions: the column is added empty (no rewrite), filled by one ``UPDATE … FROM`` the
risks, made NOT NULL, then indexed concurrently. Not atomic, as ``CREATE INDEX CONCURRENTLY``
needs; each step is safe to run again.
"""

import django.db.models.deletion
from django.db import migrations, models

from buddying.common.indexes import AddIndexConcurrentlyOnPostgres

BACKFILL = """
UPDATE risks_riskaction
SET partnership_id = risks_risk.partnership_id
FROM risks_risk
WHERE risks_risk.id = risks_riskaction.risk_id AND risks_riskaction.partnership_id IS NULL
"""


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("partnerships", "0008_objective_measurement"),
        ("risks", "0006_risk_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="riskaction",
            name="partnership",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="risk_actions",
                to="partnerships.partnership",
            ),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="riskaction",
            name="partnership",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="risk_actions",
                to="partnerships.partnership",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="riskaction",
            index=models.Index(
                fields=["partnership", "due_date", "created_at", "id"],
                name="riskaction_partnership_due",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="riskaction",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["partnership", "due_date"],
                name="riskaction_open_partnership",
            ),
        ),
    ]
