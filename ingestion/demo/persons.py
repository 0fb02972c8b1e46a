"""Writes demo persons and their distinct ids to the app DB quickly (hundreds of thousands of rows).

`bulk_create` spends most of its time building model instances (200k persons and 266k distinct ids took
over 30 s). Here each value is prepared by its model field (`get_db_prep_save`, so UUIDs, JSON and datetimes
are stored exactly as the ORM stores them on SQLite and PostgreSQL alike) and rows go through `executemany`
in one transaction, as `ingestion.persons.PersonTableWriter` does for capture.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from django.db import connections, router, transaction
from django.db.models import Field, Model

from ingestion.demo.expansion import StagedUser
from insights_server.models import Team
from persons.models import Person, PersonDistinctId

BATCH = 5000


class DemoDataExists(Exception):
    """The project already holds the demo persons of this seed (distinct ids are unique per project)."""


def _column(model: type[Model], name: str) -> Field:
    """The model field called `name`; a reverse relation or a generic foreign key has no column to insert."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _insert(model: type[Model], connection, field_names: Sequence[str], rows: Iterable[Sequence]) -> None:
    fields = [_column(model, name) for name in field_names]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    prepared = [
        [field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True)] for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), BATCH):
            cursor.executemany(sql, prepared[start : start + BATCH])


def write_persons(team: Team, seed: int, staged: list[StagedUser]) -> int:
    """Inserts a Person per staged user and a PersonDistinctId per distinct id; returns the distinct id count.

    Raises DemoDataExists (before writing anything) when the first user's anonymous id is already taken.
    """
    alias = router.db_for_write(Person)
    connection = connections[alias]
    if PersonDistinctId.objects.using(alias).filter(team=team, distinct_id=staged[0].anon_id).exists():
        raise DemoDataExists(f"Project {team.id} already has the demo persons of seed {seed}: pass another seed.")
    with transaction.atomic(using=alias):
        _insert(
            Person,
            connection,
            ("uuid", "team", "created_at", "properties", "is_identified", "version"),
            (
                (user.person_id, team.id, datetime.fromtimestamp(user.created_ms / 1000, UTC), user.properties,
                 user.is_identified, 0)
                for user in staged
            ),
        )  # fmt: skip
        mappings = [
            (team.id, distinct_id, user.person_id, 0)  # PersonDistinctId.person is keyed by uuid
            for user in staged
            for distinct_id in (user.anon_id, user.ident_id)
            if distinct_id
        ]
        _insert(PersonDistinctId, connection, ("team", "distinct_id", "person", "version"), mappings)
    return len(mappings)
