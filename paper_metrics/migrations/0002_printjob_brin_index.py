"""Print jobs: a BRIN index on (batch_id, month) instead of two B-trees (bulk imports of millions of rows).

Rows are appended in contiguous batches in time order, so block-range summaries find a batch (the admin's raw
rows, re-mapping, cascade deletes) or a period cheaply, and COPY no longer maintains two B-trees per row.
BRIN is PostgreSQL's; SQLite gets a plain index on batch_id. On PostgreSQL the id sequence also hands out
ids to each session in blocks of 1,000 (CACHE), instead of one locked, logged step per COPYed row.
"""

from django.db import migrations, models

INDEX = "paper_printjob_batch_month_brin"


def create(apps, schema_editor):
    table = schema_editor.quote_name("paper_metrics_printjob")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {INDEX} ON {table} USING brin (batch_id, month)")
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET CACHE 1000")
    else:
        schema_editor.execute(f"CREATE INDEX {INDEX} ON {table} (batch_id)")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name("paper_metrics_printjob")
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET CACHE 1")


class Migration(migrations.Migration):

    dependencies = [
        ("paper_metrics", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="printjob", name="paper_metri_month_7fe7db_idx"),
        migrations.AlterField(
            model_name="printjob",
            name="batch",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=models.deletion.CASCADE,
                                    related_name="jobs", to="paper_metrics.importbatch"),
        ),
        migrations.RunPython(create, drop),
    ]
