"""ClickHouse migrations: idempotent on the embedded engine; replicated/distributed DDL on a cluster."""

from io import StringIO

from django.core.management import call_command

from queries.clickhouse import client
from queries.clickhouse.migrations import migrate
from queries.clickhouse.schema import Layout, events_ddl, persons_ddl


def test_migrations_are_idempotent(clickhouse):
    assert migrate() == []
    out = StringIO()
    call_command("migrate_clickhouse", stdout=out)
    assert "up to date" in out.getvalue()
    tables = {row[0] for row in client.query("SHOW TABLES").result_rows}
    assert {"events", "person", "person_distinct_id2", "person_distinct_id_overrides"} <= tables


def test_events_table_materializes_hot_properties(clickhouse):
    client.command(
        "INSERT INTO events (uuid, event, properties, timestamp, team_id, distinct_id) VALUES "
        '(generateUUIDv4(), \'e\', \'{"$session_id": "s1", "$browser": "Firefox", "$group_0": 7}\', now64(), 1, \'d\')'
    )
    row = client.query("SELECT `$session_id`, `mat_$browser`, `$group_0` FROM events").result_rows[0]
    assert row == ("s1", "Firefox", "7")


def test_events_are_ordered_for_team_and_date_pruning(clickhouse):
    key = client.query("SELECT sorting_key FROM system.tables WHERE name = 'events' AND database = currentDatabase()")
    assert key.result_rows[0][0] == "team_id, toDate(timestamp), event, cityHash64(distinct_id), cityHash64(uuid)"


def test_cluster_layout_creates_replicated_shards_behind_a_distributed_table():
    statements = events_ddl(Layout(cluster="analytics"))
    assert statements[0].startswith("CREATE TABLE IF NOT EXISTS sharded_events ON CLUSTER 'analytics' (")
    assert (
        "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/insights/sharded_events', '{replica}', inserted_at)"
        in statements[0]
    )
    assert statements[1] == (
        "CREATE TABLE IF NOT EXISTS events ON CLUSTER 'analytics' AS sharded_events "
        "ENGINE = Distributed('analytics', currentDatabase(), 'sharded_events', sipHash64(distinct_id))"
    )
    person = persons_ddl(Layout(cluster="analytics"))[0]
    assert "ReplicatedReplacingMergeTree('/clickhouse/tables/noshard/insights/person', '{replica}', version)" in person


def test_single_node_layout_has_no_cluster_clauses():
    sql = "\n".join(events_ddl(Layout()) + persons_ddl(Layout()))
    assert "ON CLUSTER" not in sql and "Replicated" not in sql and "Distributed" not in sql


def test_print_sql_for_a_cluster(db):
    out = StringIO()
    call_command("migrate_clickhouse", "--print-sql", "--cluster", "c1", stdout=out)
    assert "ON CLUSTER 'c1'" in out.getvalue()
