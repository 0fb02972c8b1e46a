"""A trend asked again is not printed again (queries/execution/statements.py), and every input its SQL depends on
beyond the cache key still reaches the statement: the clock's range, a merge, the data behind histogram bins."""

import pytest
from freezegun import freeze_time

import queries.runners.trends.runner as trends_runner
from queries.execution.statements import MAX_STATEMENTS, STATEMENT_SECONDS, forget_statements, remembered_statement
from queries.hogql.execute import PrintedSelect
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")


@pytest.fixture
def statements_built(monkeypatch) -> list[int]:
    """Counts the trend statements built (the real builder runs)."""
    calls: list[int] = []
    real = trends_runner.one_statement

    def counting(builders):
        calls.append(1)
        return real(builders)

    monkeypatch.setattr(trends_runner, "one_statement", counting)
    return calls


def trend(client, team_id: int, source: dict) -> dict:
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == 200, response.json()
    return response.json()


PAGEVIEWS = {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}]}


def test_a_repeated_trend_is_printed_once_and_answers_alike(owner_client, world, statements_built):
    capture_events(owner_client, world.team, [("$pageview", "a", {}, "2024-01-02T10:00:00Z")])
    source = {**PAGEVIEWS, "dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-03"}}
    first = trend(owner_client, world.team.id, source)
    second = trend(owner_client, world.team.id, source)
    assert len(statements_built) == 1
    assert second["results"] == first["results"] and second["results"][0]["data"] == [0, 1, 0]
    assert second["hogql"] == first["hogql"] and "2024-01-03" in second["hogql"]
    printing = [[timing["t"] for timing in body["timings"] if timing["k"] == "./print"] for body in (first, second)]
    assert printing[0][0] > 0 and printing[1] == [0.0]
    capture_events(owner_client, world.team, [("$pageview", "b", {}, "2024-01-03T10:00:00Z")])
    assert trend(owner_client, world.team.id, source)["results"][0]["data"] == [0, 1, 1]
    # Another query is another statement.
    trend(owner_client, world.team.id, {**source, "interval": "hour"})
    assert len(statements_built) == 2


def test_a_relative_range_is_printed_again_when_the_day_changes(owner_client, world, statements_built):
    events = [("$pageview", "a", {}, "2024-01-02T10:00:00Z"), ("$pageview", "b", {}, "2024-01-04T00:00:30Z")]
    capture_events(owner_client, world.team, events)
    source = {**PAGEVIEWS, "dateRange": {"date_from": "-2d"}}
    # Three minutes apart, across midnight (the project's zone is UTC): well within a statement's life.
    with freeze_time("2024-01-03T23:58:00Z"):
        assert trend(owner_client, world.team.id, source)["results"][0]["data"] == [0, 1, 0]
    with freeze_time("2024-01-04T00:01:00Z"):
        body = trend(owner_client, world.team.id, source)
    assert body["results"][0]["days"] == ["2024-01-02", "2024-01-03", "2024-01-04"]
    assert body["results"][0]["data"] == [1, 0, 1]
    assert len(statements_built) == 2


def test_a_merge_between_two_runs_reaches_the_statement(owner_client, world):
    capture_events(
        owner_client,
        world.team,
        [("$pageview", "anon", {}, "2024-01-01T10:00:00Z"), ("$pageview", "user", {}, "2024-01-02T10:00:00Z")],
    )
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}],
        "dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-04"},
        "trendsFilter": {"display": "BoldNumber"},
    }
    assert trend(owner_client, world.team.id, source)["results"][0]["aggregated_value"] == 2
    capture_events(
        owner_client, world.team, [("$identify", "user", {"$anon_distinct_id": "anon"}, "2024-01-02T12:00:00Z")]
    )
    # Same cache key, but person_id now follows the merge: the overrides join must be printed.
    assert trend(owner_client, world.team.id, source)["results"][0]["aggregated_value"] == 1


def test_histogram_bins_read_from_new_data_reach_the_statement(owner_client, world, statements_built):
    def amounts(*values):
        events = [("$pageview", f"u{v}", {"amount": v}, "2024-01-02T10:00:00Z") for v in values]
        capture_events(owner_client, world.team, events)

    amounts(1, 2, 3)
    source = {
        **PAGEVIEWS,
        "dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-03"},
        "breakdownFilter": {"breakdown": "amount", "breakdown_type": "event", "breakdown_histogram_bin_count": 2},
        "trendsFilter": {"display": "ActionsTable"},
    }
    first = {r["breakdown_value"] for r in trend(owner_client, world.team.id, source)["results"]}
    amounts(9)
    second = {
        r["breakdown_value"]: r["aggregated_value"] for r in trend(owner_client, world.team.id, source)["results"]
    }
    assert first == {"[1,2]", "[2,3.01]"}
    assert second == {"[1,5]": 3, "[5,9.01]": 1}
    assert len(statements_built) == 2


def test_the_memory_is_bounded_in_entries_and_age():
    forget_statements()

    def make(value):
        return lambda: PrintedSelect(str(value), {}, "", 0.0)

    with freeze_time("2024-01-01T00:00:00Z") as clock:
        for number in range(MAX_STATEMENTS + 1):
            remembered_statement(number, make(number))
        assert remembered_statement(MAX_STATEMENTS, make(-1)).sql == str(MAX_STATEMENTS)  # the newest is kept
        assert remembered_statement(0, make(-2)).sql == "-2"  # the oldest went
        clock.tick(STATEMENT_SECONDS + 1)
        assert remembered_statement(MAX_STATEMENTS, make(-3)).sql == "-3"  # too old
    forget_statements()
