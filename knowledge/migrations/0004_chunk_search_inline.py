"""Full text reads narrow rows: the `search` tsvector stays in the row (MAIN: compressed in
place, out of line only as a last resort) and the embedding goes out of line (EXTERNAL; 1.5 KB
of float32 that does not compress). Under forced row-level security PostgreSQL cannot use the
GIN index for `@@` (not leakproof), so full text scans the tenant's rows; with the tsvector
fetched from TOAST for each row that scan was most of a 100k-chunk query. The vectors are read
once per document-set version into the per-process cache (knowledge.retrieval), where the
extra fetch does not count. PostgreSQL applies a column's storage to rows written from now on;
rows already stored keep their layout until they are written again (a new version)."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE knowledge_chunk ALTER COLUMN search SET STORAGE MAIN",
    "ALTER TABLE knowledge_chunk ALTER COLUMN embedding SET STORAGE EXTERNAL",
]
BACKWARD = [
    "ALTER TABLE knowledge_chunk ALTER COLUMN search SET STORAGE EXTENDED",
    "ALTER TABLE knowledge_chunk ALTER COLUMN embedding SET STORAGE EXTENDED",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_version_heartbeat")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
