"""The snapshot rows keep no foreign-key constraint (see CompanyAnalysis: derived rows,
rewritten whole by each recompute; the ORM still cascades deletes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('companies', '0002_profiles_dossiers'),
        ('portfolio', '0005_snapshot_lean_rows'),
    ]

    operations = [
        migrations.AlterField(
            model_name='companyanalysis',
            name='company',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='analyses', to='companies.company'),
        ),
        migrations.AlterField(
            model_name='companyanalysis',
            name='snapshot',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='companies', to='portfolio.snapshot'),
        ),
    ]
