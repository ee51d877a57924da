"""A leaner snapshot row: no single-column indexes on snapshot and category (the composite
indexes and the unique key cover every lookup), and the reason inputs as typed columns instead
of JSON keys in `details` (docs/performance.md, "Analysis end to end"). The stored rows' figures
are copied into the new columns; the next recompute writes the lean `details`."""

import django.db.models.deletion
from django.db import migrations, models

_FROM_DETAILS = {
    "revenue_3m": "bigint",
    "revenue_3m_prev_year": "bigint",
    "drop_z": "double precision",
    "potential_source": "varchar",
    "lookalike_same_industry": "integer",
    "lookalike_same_region": "integer",
    "lookalike_size_min": "double precision",
    "lookalike_size_max": "double precision",
    "a_problem": "boolean",
    "cadence_days": "integer",
    "contact_channel": "varchar",
    "cadence_code": "varchar",
}


def details_to_columns(apps, schema_editor):
    """The stored snapshot's figures move from `details` into the new columns (one UPDATE).
    SQL of each engine's own JSON functions: json_extract gives SQL NULL for a JSON null (the ORM's
    key transform on SQLite gives the text 'null', which casts to 0)."""
    table = apps.get_model("portfolio", "CompanyAnalysis")._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        sets = [f"{name} = (details ->> '{name}')::{kind}" for name, kind in _FROM_DETAILS.items()]
    else:
        sets = [f"{name} = json_extract(details, '$.{name}')" for name in _FROM_DETAILS]
    schema_editor.execute(f"UPDATE {table} SET {', '.join(sets)}")  # noqa: S608 - fixed names


class Migration(migrations.Migration):

    dependencies = [
        ('portfolio', '0004_my_day_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='companyanalysis',
            name='category',
            field=models.CharField(max_length=1),
        ),
        migrations.AlterField(
            model_name='companyanalysis',
            name='snapshot',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='companies', to='portfolio.snapshot'),
        ),
            migrations.AddField(
            model_name='companyanalysis',
            name='a_problem',
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='companyanalysis',
            name='cadence_code',
            field=models.CharField(blank=True, max_length=24, null=True),
        ),
        migrations.AddField(
            model_name='companyanalysis',
            name='cadence_days',
            field=models.IntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='companyanalysis',
            name='contact_channel',
            field=models.CharField(blank=True, max_length=24, null=True),
        ),
        migrations.AddField(
            model_name='companyanalysis',
            name='drop_z',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='companyanalysis',
            name='lookalike_same_industry',
            field=models.IntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='companyanalysis',
            name='lookalike_same_region',
            field=models.IntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='companyanalysis',
            name='lookalike_size_max',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='companyanalysis',
            name='lookalike_size_min',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='companyanalysis',
            name='potential_source',
            field=models.CharField(blank=True, max_length=24, null=True),
        ),
        migrations.AddField(
            model_name='companyanalysis',
            name='revenue_3m',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='companyanalysis',
            name='revenue_3m_prev_year',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(details_to_columns, migrations.RunPython.noop),
    ]
