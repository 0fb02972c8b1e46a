"""Capture's definition recording: type inference rules (pure) and the cache that keeps known events write-free."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from definitions.inference import clean_name, detect_property_type
from definitions.models import EventDefinition, EventProperty, PropertyDefinition
from definitions.recording import forget_known_definitions, record_captured_events

NOW = 1_750_000_000.0


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("plan", "pro", "String"),
        ("count", "10", "String"),
        ("count", 10, "Numeric"),
        ("price", 9.99, "Numeric"),
        ("paid", True, "Boolean"),
        ("paid", "true", "Boolean"),
        ("paid", " FALSE ", "Boolean"),
        ("paid", "True", "String"),
        ("day", "2024-01-15", "DateTime"),
        ("day", "15/01/2024", "DateTime"),
        ("seen", "2024-01-15T10:00:00Z", "DateTime"),
        ("seen", "Mon, 15 Jan 2024 10:00:00 +0000", "DateTime"),
        ("created_at", int(NOW) - 60, "DateTime"),
        ("created_at", 1_000_000, "Numeric"),
        ("count", int(NOW), "Numeric"),
        ("utm_campaign", 5, "String"),
        ("$feature/beta", True, "String"),
        ("$feature_flag_response", True, "String"),
        ("$survey_response_1", 4, "String"),
        ("nested", {"a": 1}, None),
        ("list", [1], None),
        ("nothing", None, None),
    ],
)
def test_detect_property_type(key, value, expected):
    assert detect_property_type(key, value, now=NOW) == expected


def test_clean_name():
    assert clean_name("a\x00b") == "a\ufffdb"
    assert clean_name("x" * 200) == "x" * 200
    assert clean_name("x" * 201) is None
    assert clean_name("é" * 101) is None  # 202 bytes


def events(team_id: int, properties: list[dict], name: str = "purchase") -> list[dict]:
    return [{"event": name, "team_id": team_id, "properties": p} for p in properties]


def test_known_events_cost_no_database_query(world):
    forget_known_definitions()
    batch = events(world.team.id, [{"amount": 1, "plan": "pro", "$set": {"email": "a@b.c"}}] * 50)
    now = datetime(2024, 5, 1, 10, 5, tzinfo=UTC)
    record_captured_events(world.team.id, batch, now=now)
    with CaptureQueriesContext(connection) as captured:
        assert not record_captured_events(world.team.id, batch, now=now.replace(minute=55))
    assert len(captured) == 0
    # The next hour refreshes last_seen_at (one update), without touching properties.
    seen = record_captured_events(world.team.id, batch, now=now.replace(hour=11))
    assert seen.events == {"purchase"} and not seen.properties and not seen.event_properties


def test_untyped_property_takes_the_first_type_seen_later(world):
    forget_known_definitions()
    record_captured_events(world.team.id, events(world.team.id, [{"x": None}]))
    assert PropertyDefinition.objects.get(team=world.team, name="x").property_type is None
    record_captured_events(world.team.id, events(world.team.id, [{"x": 5}, {"x": "five"}]))
    definition = PropertyDefinition.objects.get(team=world.team, name="x")
    assert definition.property_type == "Numeric" and definition.is_numerical is True
    record_captured_events(world.team.id, events(world.team.id, [{"x": "five"}]))
    forget_known_definitions()  # another process, with an empty cache, sees a string
    record_captured_events(world.team.id, events(world.team.id, [{"x": "five"}]))
    assert PropertyDefinition.objects.get(team=world.team, name="x").property_type == "Numeric"


def test_skipped_events_and_names(world):
    forget_known_definitions()
    long_key = "k" * 201
    batch = events(world.team.id, [{"a": 1}], name="$$plugin_metrics")
    batch += events(world.team.id, [{long_key: 1, "$groups": {"company": "x"}, "$unset": ["y"], "ok": 1}])
    record_captured_events(world.team.id, batch)
    assert list(EventDefinition.objects.filter(team=world.team).values_list("name", flat=True)) == ["purchase"]
    names = set(PropertyDefinition.objects.filter(team=world.team).values_list("name", flat=True))
    assert names == {"ok"}
    assert list(EventProperty.objects.filter(team=world.team).values_list("event", "property")) == [("purchase", "ok")]
