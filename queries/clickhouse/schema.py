"""DDL of the ClickHouse tables: events and persons, single node or replicated/sharded on a cluster.

Tables follow PostHog's physical schema (spec/query-engine.md §4.6): events carry person_id and a
person_properties snapshot (persons on events); merged persons are resolved at query time through
`person_distinct_id_overrides` (distinct_id -> the person it was merged into).
"""

from dataclasses import dataclass

# Properties read often enough to deserve their own column (`mat_<name>`), filled at insert time.
MATERIALIZED_PROPERTIES = (
    "$current_url",
    "$pathname",
    "$host",
    "$browser",
    "$os",
    "$device_type",
    "$referring_domain",
    "$screen_name",
)
# Top-level virtual columns PostHog exposes on events, computed from properties.
PROPERTY_COLUMNS = ("$session_id", "$window_id", "$group_0", "$group_1", "$group_2", "$group_3", "$group_4")


def trimmed_property(name: str, column: str = "properties") -> str:
    """PostHog's property read: the raw JSON value with surrounding quotes removed ('' when absent)."""
    escaped = name.replace("\\", "\\\\").replace("'", "\\'")
    return f"replaceRegexpAll(JSONExtractRaw({column}, '{escaped}'), '^\"|\"$', '')"


def materialized_column_name(name: str) -> str:
    return f"mat_{name}"


@dataclass(frozen=True)
class Layout:
    """Where tables go: a single server (cluster empty) or a named cluster."""

    cluster: str = ""

    @property
    def on_cluster(self) -> str:
        return f" ON CLUSTER '{self.cluster}'" if self.cluster else ""

    def engine(self, kind: str, table: str, version: str, sharded: bool) -> str:
        if not self.cluster:
            return f"{kind}({version})"
        shard = "{shard}" if sharded else "noshard"
        return f"Replicated{kind}('/clickhouse/tables/{shard}/insights/{table}', '{{replica}}', {version})"


EVENT_COLUMNS = """
    uuid UUID,
    event String,
    properties String CODEC(ZSTD(3)),
    timestamp DateTime64(6, 'UTC'),
    team_id Int64,
    distinct_id String,
    elements_chain String CODEC(ZSTD(3)),
    created_at DateTime64(6, 'UTC'),
    person_id UUID,
    person_created_at DateTime64(3, 'UTC'),
    person_properties String CODEC(ZSTD(3)),
    inserted_at DateTime64(6, 'UTC') DEFAULT now64(6)"""


def event_columns() -> str:
    derived = [f"    `{name}` String MATERIALIZED {trimmed_property(name)}" for name in PROPERTY_COLUMNS]
    derived += [
        f"    `{materialized_column_name(name)}` String MATERIALIZED {trimmed_property(name)}"
        for name in MATERIALIZED_PROPERTIES
    ]
    return EVENT_COLUMNS + ",\n" + ",\n".join(derived)


def events_ddl(layout: Layout) -> list[str]:
    """The events table; on a cluster, replicated shards behind a Distributed `events` table."""
    local = "sharded_events" if layout.cluster else "events"
    statements = [
        f"""CREATE TABLE IF NOT EXISTS {local}{layout.on_cluster} ({event_columns()}
) ENGINE = {layout.engine("ReplacingMergeTree", local, "inserted_at", sharded=True)}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (team_id, toDate(timestamp), event, cityHash64(distinct_id), cityHash64(uuid))
SAMPLE BY cityHash64(distinct_id)"""
    ]
    if layout.cluster:
        statements.append(
            f"CREATE TABLE IF NOT EXISTS events{layout.on_cluster} AS sharded_events "
            f"ENGINE = Distributed('{layout.cluster}', currentDatabase(), 'sharded_events', sipHash64(distinct_id))"
        )
    return statements


def distinct_id_table_ddl(table: str, layout: Layout) -> str:
    """distinct_id -> person_id by version: the mappings, and (same shape) the overrides of merged ids."""
    return f"""CREATE TABLE IF NOT EXISTS {table}{layout.on_cluster} (
    team_id Int64,
    distinct_id String,
    person_id UUID,
    is_deleted Int8 DEFAULT 0,
    version Int64
) ENGINE = {layout.engine("ReplacingMergeTree", table, "version", sharded=False)}
ORDER BY (team_id, distinct_id)"""


def persons_ddl(layout: Layout) -> list[str]:
    """Persons and distinct-id mappings: ReplacingMergeTree by version, read with argMax(..., version)."""
    return [
        f"""CREATE TABLE IF NOT EXISTS person{layout.on_cluster} (
    id UUID,
    created_at DateTime64(3, 'UTC'),
    team_id Int64,
    properties String CODEC(ZSTD(3)),
    is_identified Int8,
    is_deleted Int8 DEFAULT 0,
    version UInt64
) ENGINE = {layout.engine("ReplacingMergeTree", "person", "version", sharded=False)}
ORDER BY (team_id, id)""",
        distinct_id_table_ddl("person_distinct_id2", layout),
        distinct_id_table_ddl("person_distinct_id_overrides", layout),
    ]


def cohorts_ddl(layout: Layout) -> list[str]:
    """Cohort membership (spec actors-cohorts §3.1): dynamic members by calculation version, collapsing on `sign`
    (a new version inserts its members and cancels the older rows); static members, one row per addition."""
    return [
        f"""CREATE TABLE IF NOT EXISTS cohortpeople{layout.on_cluster} (
    person_id UUID,
    cohort_id Int64,
    team_id Int64,
    sign Int8,
    version UInt64
) ENGINE = {layout.engine("CollapsingMergeTree", "cohortpeople", "sign", sharded=False)}
ORDER BY (team_id, cohort_id, person_id, version)""",
        f"""CREATE TABLE IF NOT EXISTS person_static_cohort{layout.on_cluster} (
    id UUID,
    person_id UUID,
    cohort_id Int64,
    team_id Int64,
    _timestamp DateTime DEFAULT now(),
    _offset UInt64 DEFAULT 0
) ENGINE = {layout.engine("ReplacingMergeTree", "person_static_cohort", "_timestamp", sharded=False)}
ORDER BY (team_id, cohort_id, person_id, id)""",
    ]
