"""A GIN index for the search box's full-text search of risks, on PostgreSQL only (other
databases search with a plain "contains"). The expression is exactly the one
``buddying.dashboard.search`` generates for risks, so ``@@`` uses the index."""

from django.db import migrations

INDEX = "risks_risk_search"
EXPRESSION = (
    "(((setweight(to_tsvector('english'::regconfig, COALESCE(\"risks_risk\".\"reference\", '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(\"risks_risk\".\"title\", '')), 'A')) || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(\"risks_risk\".\"description\", '')), 'B')) || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(\"risks_risk\".\"controls\", '')), 'C'))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON risks_risk USING gin ({EXPRESSION})"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("risks", "0005_open_action_index")]

    operations = [migrations.RunPython(create_index, drop_index)]
