"""A GIN index for the learning library's full-text search, on PostgreSQL only (the embedded
SQLite run searches with a plain "contains"). The expression is exactly the one
``selectors.search_vector()`` generates, so ``@@`` uses the index."""

from django.db import migrations

INDEX = "reviews_learning_search"
EXPRESSION = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(\"title\", '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(\"description\", '')), 'B'))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON reviews_learningitem USING gin ({EXPRESSION})"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
