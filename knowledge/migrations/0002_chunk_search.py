"""Full text on PostgreSQL: a generated tsvector over each chunk's section and text, with a
GIN index. Not a model field, so SQLite (the embedded default) has no such column and
retrieval scores full text in Python there (knowledge.retrieval)."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE knowledge_chunk ADD COLUMN search tsvector GENERATED ALWAYS AS "
    "(setweight(to_tsvector('english', coalesce(section, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(text, '')), 'B')) STORED",
    "CREATE INDEX knowledge_chunk_search_gin ON knowledge_chunk USING GIN (search)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS knowledge_chunk_search_gin",
    "ALTER TABLE knowledge_chunk DROP COLUMN IF EXISTS search",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
