"""Engine settings per statement: date-ranged insight runners skip weighing the implicit minmax_count projection
(it can never answer their bucketed statements); HogQL and the earliest-event lookup keep the engine's default,
where that projection answers `count()`/`min()` from part metadata."""

import pytest

from queries.hogql.execute import BUCKETED_QUERY_SETTINGS, recorded_statements
from tests.query_helpers import capture_events, hogql, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")
SKIPPED = "optimize_use_implicit_projections"


def test_trend_statements_skip_the_implicit_projection_and_the_earliest_lookup_keeps_it(owner_client, world):
    capture_events(owner_client, world.team, [("$pageview", "a", {}, "2024-01-02T10:00:00Z")])
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "dateRange": {"date_from": "all", "date_to": "2024-01-03"},
    }
    with recorded_statements() as statements:
        response = run_query(
            owner_client, world.team.id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking"
        )
    assert response.status_code == 200, response.json()
    assert response.json()["results"][0]["data"] == [1, 0]
    earliest, series = statements
    assert "min(" in earliest.sql and SKIPPED not in earliest.settings
    assert series.settings[SKIPPED] == BUCKETED_QUERY_SETTINGS[SKIPPED] == 0


@pytest.mark.parametrize(
    ("kind", "source"),
    [
        ("FunnelsQuery", {"series": [{"kind": "EventsNode", "event": "$pageview"}] * 2}),
        ("LifecycleQuery", {"series": [{"kind": "EventsNode", "event": "$pageview"}]}),
        ("StickinessQuery", {"series": [{"kind": "EventsNode", "event": "$pageview"}]}),
        ("RetentionQuery", {"retentionFilter": {}}),
        ("PathsQuery", {"pathsFilter": {}}),
    ],
)
def test_every_date_ranged_insight_skips_it(owner_client, world, kind, source):
    capture_events(owner_client, world.team, [("$pageview", "a", {}, "2024-01-02T10:00:00Z")])
    query = {"kind": "InsightVizNode", "source": {"kind": kind, **source, "dateRange": {"date_from": "2024-01-01"}}}
    with recorded_statements() as statements:
        response = run_query(owner_client, world.team.id, query, refresh="force_blocking")
    assert response.status_code == 200, response.json()
    assert statements and all(statement.settings.get(SKIPPED) == 0 for statement in statements)


def test_hogql_keeps_the_engine_default(owner_client, world):
    capture_events(owner_client, world.team, [("$pageview", "a", {}, "2024-01-02T10:00:00Z")])
    with recorded_statements() as statements:
        response = hogql(owner_client, world.team.id, "SELECT count() FROM events", refresh="force_blocking")
    assert response.json()["results"] == [[1]]
    [statement] = statements
    assert SKIPPED not in statement.settings
