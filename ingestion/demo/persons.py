"""Writes demo persons and their distinct ids to the app DB quickly (hundreds of thousands of rows).

`bulk_create` spends most of its time building model instances (200k persons and 266k distinct ids took
over 30 s). Here each value is prepared by its model field (`get_db_prep_save`, so UUIDs, JSON and datetimes
are stored exactly as the ORM stores them on SQLite and PostgreSQL alike) and rows go through `executemany`
in one transaction, as `ingestion.persons.PersonTableWriter` does for capture.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from uuid import UUID

from django.db import connections, router, transaction
from django.db.models import Max, Model

from ingestion.demo.expansion import StagedUser
from ingestion.models import Person, PersonDistinctId
from insights_server.models import Team

BATCH = 5000


class DemoDataExists(Exception):
    """The project already holds the demo persons of this seed (distinct ids are unique per project)."""


def _insert(model: type[Model], connection, field_names: Sequence[str], rows: Iterable[Sequence]) -> None:
    fields = [model._meta.get_field(name) for name in field_names]
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


def _person_keys(alias: str, team: Team, highest_before: int) -> Callable[[UUID], object]:
    """Person uuid -> the value PersonDistinctId.person stores (the uuid itself, or the id read back)."""
    target = PersonDistinctId._meta.get_field("person").target_field.attname
    if target == "uuid":
        return lambda person_uuid: person_uuid
    # Only our rows and concurrently created ones are above the previous maximum; the uuid picks ours.
    rows = Person.objects.using(alias).filter(team=team, id__gt=highest_before).values_list("uuid", target)
    return dict(rows.iterator()).__getitem__


def write_persons(team: Team, seed: int, staged: list[StagedUser]) -> int:
    """Inserts a Person per staged user and a PersonDistinctId per distinct id; returns the distinct id count.

    Raises DemoDataExists (before writing anything) when the first user's anonymous id is already taken.
    """
    alias = router.db_for_write(Person)
    connection = connections[alias]
    if PersonDistinctId.objects.using(alias).filter(team=team, distinct_id=staged[0].anon_id).exists():
        raise DemoDataExists(f"Project {team.id} already has the demo persons of seed {seed}: pass another seed.")
    with transaction.atomic(using=alias):
        highest_before = Person.objects.using(alias).aggregate(highest=Max("id"))["highest"] or 0
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
        keys = _person_keys(alias, team, highest_before)
        mappings = [
            (team.id, distinct_id, keys(user.person_id), 0)
            for user in staged
            for distinct_id in (user.anon_id, user.ident_id)
            if distinct_id
        ]
        _insert(PersonDistinctId, connection, ("team", "distinct_id", "person", "version"), mappings)
    return len(mappings)
