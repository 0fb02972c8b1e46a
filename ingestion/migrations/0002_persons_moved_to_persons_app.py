# State-only: Person and PersonDistinctId now belong to the `persons` app (same tables, nothing to migrate).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ingestion", "0001_initial"),
        ("persons", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="PersonDistinctId"),
                migrations.DeleteModel(name="Person"),
            ]
        )
    ]
