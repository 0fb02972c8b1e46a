"""Definitions of demo data: demo events go to ClickHouse by INSERT ... SELECT, past capture, so the event and
property definitions capture would have recorded are derived from what was written."""

import orjson

from definitions.inference import SKIPPED_EVENT_PROPERTIES, detect_property_type
from definitions.models import PropertyDefinition
from definitions.recording import SeenDefinitions, record_seen
from ingestion.demo.expansion import StagedUser
from queries.clickhouse import client

# One sample value per (event, property): enough to type it, as capture types a property by its first value.
EVENT_PROPERTIES_SQL = """
SELECT event, kv.1 AS key, any(kv.2) AS sample
FROM events
ARRAY JOIN JSONExtractKeysAndValuesRaw(properties) AS kv
WHERE team_id = {team_id:Int64}
GROUP BY event, key
ORDER BY event, key
"""
EVENT = PropertyDefinition.Type.EVENT.value
PERSON = PropertyDefinition.Type.PERSON.value


def _sample(raw: str):
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def demo_definitions(team_id: int, users: list[StagedUser]) -> SeenDefinitions:
    """The events, event properties (from ClickHouse) and person properties (from the staged users) of a project."""
    seen = SeenDefinitions()
    rows = client.query(EVENT_PROPERTIES_SQL, parameters={"team_id": team_id}).result_rows
    for event, key, raw in rows:
        seen.events.add(event)
        if key in SKIPPED_EVENT_PROPERTIES:
            continue
        seen.event_properties.add((event, key))
        if seen.properties.get((EVENT, key)) is None:
            seen.properties[(EVENT, key)] = detect_property_type(key, _sample(raw))
    events = client.query("SELECT DISTINCT event FROM events WHERE team_id = {team_id:Int64}", {"team_id": team_id})
    seen.events.update(row[0] for row in events.result_rows)
    for user in users:
        for key, value in user.properties.items():
            if seen.properties.get((PERSON, key)) is None:
                seen.properties[(PERSON, key)] = detect_property_type(key, value)
    return seen


def record_demo_definitions(team_id: int, users: list[StagedUser]) -> None:
    record_seen(team_id, demo_definitions(team_id, users))
