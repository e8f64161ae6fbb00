# A product leaving the catalog no longer deletes its feedback channels (nor refuses what
# still arrives through them): they become organisation-wide and their feedback waits in triage.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_product_search"),
        ("loop", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="feedbackchannel",
            name="product",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="feedback_channels",
                to="catalog.product",
            ),
        ),
    ]
