# State-only: Person and PersonDistinctId moved here from `ingestion`; their tables keep their names.

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("ingestion", "0001_initial"),
        ("insights_server", "0001_initial"),
    ]

    state_operations = [
        migrations.CreateModel(
            name="Person",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("properties", models.JSONField(default=dict)),
                ("is_identified", models.BooleanField(default=False)),
                ("version", models.BigIntegerField(default=0)),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="insights_server.team"
                    ),
                ),
            ],
            options={
                "db_table": "ingestion_person",
                "indexes": [models.Index(fields=["team", "-created_at", "-id"], name="person_team_created")],
            },
        ),
        migrations.CreateModel(
            name="PersonDistinctId",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("distinct_id", models.CharField(max_length=400)),
                ("version", models.BigIntegerField(default=0)),
                (
                    "person",
                    models.ForeignKey(
                        db_column="person_uuid",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="distinct_id_rows",
                        to="persons.person",
                        to_field="uuid",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="insights_server.team"
                    ),
                ),
            ],
            options={
                "db_table": "ingestion_persondistinctid",
                "constraints": [
                    models.UniqueConstraint(fields=("team", "distinct_id"), name="unique_team_distinct_id")
                ],
            },
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
