# Written by hand on 2026-12-05 (the state operations are what makemigrations generates).

import django.db.models.deletion
from django.db import migrations, models

# What every imported line paid for and nothing read (docs/performance.md, "Import"):
# - the index on the sale date alone (reads by date across companies use the daily rollup) and
#   on the rollup month alone (every rollup read names its companies);
# - on PostgreSQL, the `varchar_pattern_ops` twin of the unique line key (nothing searches keys
#   by prefix);
# - the foreign-key constraints of the lines and both rollups. Only sales/services.py writes
#   these rows, for companies it has just resolved; Django's on_delete still deletes them with
#   their company. On PostgreSQL the per-row check was a third of a 1,000,000-line COPY.
#   SQLite cannot drop a constraint without copying the whole table, so there the constraint
#   stays in the table's definition (its check is one primary-key lookup per row, in C) until
#   a later migration rebuilds the table from the model.
TABLES = {"sales_sale": "sales", "sales_monthlysales": "monthly_sales", "sales_dailysales": "daily_sales"}


def _postgres_foreign_keys(cur, table):
    cur.execute(
        """
        SELECT c.conname FROM pg_constraint c
        WHERE c.conrelid = %s::regclass AND c.contype = 'f'
          AND c.confrelid = 'companies_company'::regclass
        """,
        [table],
    )
    return [r[0] for r in cur.fetchall()]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        for table in TABLES:
            for name in _postgres_foreign_keys(cur, table):
                cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        cur.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = 'sales_sale' AND indexdef LIKE '%%varchar_pattern_ops%%'"
        )
        for (name,) in cur.fetchall():
            cur.execute(f'DROP INDEX "{name}"')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        for table in TABLES:
            if _postgres_foreign_keys(cur, table):
                continue
            cur.execute(
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_company_id_fk" FOREIGN KEY (company_id) '
                "REFERENCES companies_company (id) DEFERRABLE INITIALLY DEFERRED"
            )
        cur.execute('CREATE INDEX IF NOT EXISTS "sales_sale_key_like" ON "sales_sale" (key varchar_pattern_ops)')


class Migration(migrations.Migration):

    dependencies = [
        ('companies', '0002_profiles_dossiers'),
        ('sales', '0005_drop_company_only_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='monthlysales',
            name='sales_month_month_5ad541_idx',
        ),
        migrations.RemoveIndex(
            model_name='sale',
            name='sales_sale_date_ca4177_idx',
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='dailysales',
                    name='company',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='daily_sales', to='companies.company', verbose_name='компания'),
                ),
                migrations.AlterField(
                    model_name='monthlysales',
                    name='company',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='monthly_sales', to='companies.company', verbose_name='компания'),
                ),
                migrations.AlterField(
                    model_name='sale',
                    name='company',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='sales', to='companies.company', verbose_name='компания'),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
