"""Helpers for capture tests: send a payload, drain the spool, read back what ClickHouse stored."""

import json

from ingestion.spool import get_spool
from queries.clickhouse import client


def flush() -> int:
    return get_spool().flush()


def stored_events(team_id: int) -> list[dict]:
    """Every stored event of the team, oldest first, with parsed properties."""
    flush()
    result = client.query(
        "SELECT toString(uuid), event, distinct_id, properties, timestamp, toString(person_id), person_properties, "
        "elements_chain FROM events WHERE team_id = {t:Int64} ORDER BY timestamp, event",
        parameters={"t": team_id},
    )
    keys = [
        "uuid",
        "event",
        "distinct_id",
        "properties",
        "timestamp",
        "person_id",
        "person_properties",
        "elements_chain",
    ]
    rows = [dict(zip(keys, row, strict=True)) for row in result.result_rows]
    for row in rows:
        row["properties"] = json.loads(row["properties"])
        row["person_properties"] = json.loads(row["person_properties"]) if row["person_properties"] else {}
    return rows


def post_json(http_client, path: str, payload, **extra):
    return http_client.post(path, data=json.dumps(payload), content_type="application/json", **extra)
