"""Property columns computed at capture are byte-identical to what ClickHouse's MATERIALIZED expressions compute."""

import random

import pytest

from ingestion.property_columns import COLUMN_NAMES, COLUMN_PROPERTIES, column_value, property_columns
from queries.clickhouse import client
from queries.clickhouse.schema import trimmed_property
from tests.capture_helpers import flush, post_json

pytestmark = pytest.mark.usefixtures("clickhouse")

AWKWARD_VALUES = [
    "Chrome",
    "",
    "https://example.com/a/b?c=d&e=f#g",
    'say "hi"',
    '"',
    'ends with "',
    "back\\slash\\",
    "ünïcödé €, 日本語, emoji 🎉",
    "</script><b>",
    "tab\there",
    "new\nline",
    "\u2028\u2029",
    "\x00\x1f\x7f",
    0,
    -17,
    2**63 - 1,
    -(2**63),
    2**64 - 1,
    True,
    False,
    None,
    1.5,
    1.0,
    1e20,
    -0.0,
    [],
    ["a", 1],
    {"nested": {"x": "y/z"}},
]


def event(index: int, value) -> dict:
    properties = {name: value for name in COLUMN_PROPERTIES[index % 3 :: 3]}
    properties["other"] = index
    return {"event": "e", "distinct_id": f"d-{index}", "properties": properties}


def mismatches(team_id: int) -> list[tuple]:
    checks = ", ".join(
        f"`{column}` != {trimmed_property(name)}" for column, name in zip(COLUMN_NAMES, COLUMN_PROPERTIES, strict=True)
    )
    result = client.query(
        f"SELECT properties, {checks} FROM events WHERE team_id = {{t:Int64}}", parameters={"t": team_id}
    )
    return [row for row in result.result_rows if any(row[1:])]


def test_columns_written_at_capture_equal_those_clickhouse_computes(client, world):
    random.seed(7)
    events = [event(index, value) for index, value in enumerate(AWKWARD_VALUES)]
    events += [event(index, random.choice(AWKWARD_VALUES)) for index in range(len(events), 300)]
    response = post_json(client, "/batch/", {"api_key": world.team.api_token, "batch": events})
    assert response.status_code == 200
    flush()

    stored = client_count(world.team.id)
    assert stored == 300
    assert mismatches(world.team.id) == []


def client_count(team_id: int) -> int:
    result = client.query("SELECT count() FROM events WHERE team_id = {t:Int64}", parameters={"t": team_id})
    return result.result_rows[0][0]


def test_only_values_with_certain_text_are_computed_in_python():
    assert column_value('a "b" \\ c / ü') == 'a \\"b\\" \\\\ c / ü'
    assert [column_value(v) for v in (None, True, False, -3)] == ["null", "true", "false", "-3"]
    assert [column_value(v) for v in (1.5, [], {}, "\n", "\u2028", 2**64)] == [None] * 6
    assert property_columns({"$browser": "Chrome", "$session_id": "s"})[:2] == ["s", ""]
    assert property_columns({"$browser": 1.5}) is None
    assert property_columns({"not a column": 1.5}) == [""] * len(COLUMN_NAMES)
