"""Store each commitment's delivered total and latest delivery date (issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0003_delivery_upload"),
    ]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="delivered_total",
            field=models.DecimalField(decimal_places=2, default=0, editable=False, max_digits=16),
        ),
        migrations.AddField(
            model_name="commitment",
            name="last_delivery_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        # The totals of the deliveries already logged (plain SQL: PostgreSQL and SQLite alike).
        migrations.RunSQL(
            """
            UPDATE partnerships_commitment SET
                delivered_total = COALESCE((SELECT SUM(d.quantity) FROM partnerships_delivery d
                                            WHERE d.commitment_id = partnerships_commitment.id), 0),
                last_delivery_on = (SELECT MAX(d.date) FROM partnerships_delivery d
                                    WHERE d.commitment_id = partnerships_commitment.id)
            """,
            migrations.RunSQL.noop,
        ),
    ]
