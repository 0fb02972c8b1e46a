"""The tables HogQL can read, their fields, and how each prints in ClickHouse.

Every table that holds project data is guarded by the project's team_id: `events` in the WHERE (or in a
wrapping subquery when joined), persons and distinct ids inside the deduplicating subquery that defines them.
"""

from dataclasses import dataclass, field

from queries.clickhouse.schema import MATERIALIZED_PROPERTIES, PROPERTY_COLUMNS, materialized_column_name


@dataclass(frozen=True)
class Table:
    name: str
    # Plain fields: HogQL name -> ClickHouse column of the table (or of its defining subquery).
    fields: dict[str, str]
    # Fields holding JSON text whose keys can be read with `field.key` or `field['key']`.
    json_fields: frozenset[str] = frozenset()
    # What `*` expands to.
    star: tuple[str, ...] = ()
    # Physical table guarded in the WHERE; or a subquery template with `{team_id}` that guards itself.
    physical: str | None = None
    subquery: str | None = None
    materialized: dict[str, str] = field(default_factory=dict)


EVENT_FIELDS = {
    "uuid": "uuid",
    "event": "event",
    "properties": "properties",
    "timestamp": "timestamp",
    "team_id": "team_id",
    "distinct_id": "distinct_id",
    "elements_chain": "elements_chain",
    "created_at": "created_at",
    **{name: name for name in PROPERTY_COLUMNS},
}

EVENTS = Table(
    name="events",
    fields=EVENT_FIELDS,
    json_fields=frozenset({"properties"}),
    star=("uuid", "event", "properties", "timestamp", "team_id", "distinct_id", "elements_chain", "created_at"),
    physical="events",
    materialized={name: materialized_column_name(name) for name in MATERIALIZED_PROPERTIES},
)

# Latest version of each person, deleted ones dropped.
PERSONS = Table(
    name="persons",
    fields={"id": "id", "created_at": "created_at", "properties": "properties", "is_identified": "is_identified"},
    json_fields=frozenset({"properties"}),
    star=("id", "created_at", "properties", "is_identified"),
    subquery=(
        "(SELECT id, argMax(created_at, version) AS created_at, argMax(properties, version) AS properties, "
        "argMax(is_identified, version) AS is_identified FROM person WHERE equals(team_id, {team_id}) "
        "GROUP BY id HAVING equals(argMax(is_deleted, version), 0))"
    ),
)

PERSON_DISTINCT_IDS = Table(
    name="person_distinct_ids",
    fields={"distinct_id": "distinct_id", "person_id": "person_id"},
    star=("distinct_id", "person_id"),
    subquery=(
        "(SELECT distinct_id, argMax(person_id, version) AS person_id FROM person_distinct_id2 "
        "WHERE equals(team_id, {team_id}) GROUP BY distinct_id HAVING equals(argMax(is_deleted, version), 0))"
    ),
)

TABLES = {table.name: table for table in (EVENTS, PERSONS, PERSON_DISTINCT_IDS)}
# Table functions that read no project data.
TABLE_FUNCTIONS = {"numbers": (1, 2)}
# Arguments of table functions are row counts and offsets: bounded, and refused (not clamped) past the bound.
MAX_TABLE_FUNCTION_ROWS = 10_000_000
TABLE_FUNCTION_TOO_LARGE = "Table function '{name}' takes whole numbers from 0 to {limit:,}; got {value:,}."

# Merged persons: events keep the person_id they were written with; the override names the survivor.
OVERRIDES_SUBQUERY = (
    "(SELECT distinct_id, argMax(person_id, version) AS person_id FROM person_distinct_id_overrides "
    "WHERE equals(team_id, {team_id}) GROUP BY distinct_id HAVING equals(argMax(is_deleted, version), 0))"
)
