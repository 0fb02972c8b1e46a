"""Cohorts inside queries: cohort property filters and breakdowns in Trends, Funnels, Retention and EventsQuery, `IN
COHORT` in HogQL (never reaching another project's cohort), test account filters naming a cohort, and the cohort's
version in the cache key. Each number is checked against the Python model of tests/actors_helpers.py."""

import pytest

from cohorts.models import Cohort
from cohorts.services import cohort_enqueue_calculation
from tests.actors_helpers import DAYS, RANGE, actor_names, actors, capture_world, insight
from tests.query_helpers import capture_events, hogql, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")
X_MEMBERS = {"alice", "carol"}  # emails at x.io
Y_MEMBERS = {"bob", "user"}  # static, from distinct ids


@pytest.fixture
def setup(client, owner_client, world):
    model = capture_world(client, world)
    x = owner_client.post(
        f"/api/projects/{world.team.id}/cohorts/",
        {"name": "x.io", "filters": {"properties": {"type": "AND", "values": [
            {"type": "person", "key": "email", "value": "x.io", "operator": "icontains"}]}}},
        format="json",
    ).json()  # fmt: skip
    picked = "SELECT person_id FROM person_distinct_ids WHERE distinct_id IN ('bob', 'anon')"
    y = owner_client.post(
        f"/api/projects/{world.team.id}/cohorts/",
        {"name": "picked", "is_static": True, "query": {"kind": "HogQLQuery", "query": picked}},
        format="json",
    ).json()
    assert (x["count"], y["count"]) == (2, 2)
    return model, x["id"], y["id"]


def pageview_trend(**fields) -> dict:
    return {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}],
            "dateRange": RANGE, **fields}  # fmt: skip


def cohort_filter(cohort_id: int, operator: str = "in") -> dict:
    return {"type": "cohort", "key": "id", "value": cohort_id, "operator": operator}


def test_trends_cohort_filters_in_and_not_in(owner_client, world, setup):
    model, x, _ = setup
    for operator, keep in (("in", lambda p: p in X_MEMBERS), ("not_in", lambda p: p not in X_MEMBERS)):
        data = insight(owner_client, world.team.id, pageview_trend(properties=[cohort_filter(x, operator)]))
        expected = [len({p for p in model.persons("$pageview", day) if keep(p)}) for day in DAYS]
        assert data["results"][0]["data"] == expected


def test_trends_cohort_breakdown_one_value_per_cohort_and_all_users(owner_client, world, setup):
    model, x, y = setup
    source = pageview_trend(breakdownFilter={"breakdown_type": "cohort", "breakdown": [x, y, "all"]})
    results = {row["breakdown_value"]: row["data"] for row in insight(owner_client, world.team.id, source)["results"]}
    members = {str(x): X_MEMBERS, str(y): Y_MEMBERS, "0": None}
    assert set(results) == set(members)
    for value, people in members.items():
        expected = [len({p for p in model.persons("$pageview", d) if people is None or p in people}) for d in DAYS]
        assert results[value] == expected, value
        point = {"kind": "InsightActorsQuery", "source": source, "day": DAYS[1], "breakdown": value}
        who = actor_names(actors(owner_client, world.team.id, point))
        assert who == {p for p in model.persons("$pageview", DAYS[1]) if people is None or p in people}


def test_trends_cohort_breakdown_is_one_statement_per_series_and_period(owner_client, world, setup):
    """Every cohort of the breakdown in one ClickHouse statement (UNION ALL), also with two series, a compare and a
    total display; the numbers are those of the same trend filtered to each cohort."""
    model, x, y = setup
    series = [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}, {"kind": "EventsNode", "event": "signup"}]
    for extra in ({}, {"compareFilter": {"compare": True}}, {"trendsFilter": {"display": "ActionsTable"}}):
        source = pageview_trend(series=series, breakdownFilter={"breakdown_type": "cohort", "breakdown": [x, y, "all"]},
                                **extra)  # fmt: skip
        data = insight(owner_client, world.team.id, source)
        periods = 2 if extra.get("compareFilter") else 1
        statements = data["hogql"].split("\n\n")
        assert len(statements) == len(series) * periods
        assert all(statement.count("UNION ALL") == 2 for statement in statements)
        for value, cohort in ((str(x), x), (str(y), y), ("0", None)):
            alone = pageview_trend(series=series, properties=[cohort_filter(cohort)] if cohort else [], **extra)
            expected = insight(owner_client, world.team.id, alone)["results"]
            got = [row for row in data["results"] if row["breakdown_value"] == value]
            # A breakdown lists no row for a value without events (the previous period here): nor do we compare one.
            expected = [row for row in expected if row["count"] or row.get("aggregated_value")]
            assert sorted(map(numbers, got)) == sorted(map(numbers, expected)), (extra, value)
    plain = pageview_trend(series=series, breakdownFilter={"breakdown_type": "cohort", "breakdown": [x]})
    signups = next(row for row in insight(owner_client, world.team.id, plain)["results"] if row["order"] == 1)
    assert signups["data"] == [len({p for p in model.persons("signup", day) if p in X_MEMBERS}) for day in DAYS]


def numbers(row: dict) -> tuple:
    return row["order"], row.get("compare_label") or "", row["data"], row["count"], row.get("aggregated_value") or 0


def test_test_account_filters_naming_a_cohort(owner_client, world, setup):
    model, x, _ = setup
    world.team.test_account_filters = [cohort_filter(x, "not_in")]
    world.team.save()
    data = insight(owner_client, world.team.id, pageview_trend(filterTestAccounts=True))["results"][0]["data"]
    assert data == [len(model.persons("$pageview", day) - X_MEMBERS) for day in DAYS]


FUNNEL = {"kind": "FunnelsQuery", "dateRange": RANGE,
          "series": [{"kind": "EventsNode", "event": e} for e in ("$pageview", "signup", "purchase")]}  # fmt: skip


def test_funnels_cohort_filter_and_breakdown(owner_client, world, setup):
    from tests.test_actors_insights import steps_reached

    model, x, y = setup
    reached = steps_reached(model)

    def counts(people) -> list[int]:
        return [
            len([p for p, n in reached.items() if n >= step and (people is None or p in people)]) for step in (1, 2, 3)
        ]

    filtered = insight(owner_client, world.team.id, {**FUNNEL, "properties": [cohort_filter(y)]})["results"]
    assert [step["count"] for step in filtered] == counts(Y_MEMBERS)
    source = {**FUNNEL, "breakdownFilter": {"breakdown_type": "cohort", "breakdown": [x, y, "all"]}}
    results = insight(owner_client, world.team.id, source)["results"]
    by_value = {steps[0]["breakdown_value"]: [step["count"] for step in steps] for steps in results}
    assert by_value == {x: counts(X_MEMBERS), y: counts(Y_MEMBERS), 0: counts(None)}
    node = {"kind": "FunnelsActorsQuery", "source": source, "funnelStep": 3, "funnelStepBreakdown": x}
    assert actor_names(actors(owner_client, world.team.id, node)) == {p for p in X_MEMBERS if reached.get(p) == 3}


def test_retention_cohort_breakdown(owner_client, world, setup):
    model, x, _ = setup
    source = {"kind": "RetentionQuery", "dateRange": RANGE, "retentionFilter": {"period": "Day", "totalIntervals": 5},
              "breakdownFilter": {"breakdown_type": "cohort", "breakdown": [x, "all"]}}  # fmt: skip
    rows = insight(owner_client, world.team.id, source)["results"]
    first_day = {row["breakdown_value"]: row["values"][0]["count"] for row in rows if row["label"] == "Day 0"}
    assert first_day == {str(x): len(model.persons("$pageview", DAYS[0]) & X_MEMBERS),
                         "0": len(model.persons("$pageview", DAYS[0]))}  # fmt: skip
    point = {"kind": "InsightActorsQuery", "source": source, "interval": 0, "breakdown": str(x)}
    assert actor_names(actors(owner_client, world.team.id, point)) == model.persons("$pageview", DAYS[0]) & X_MEMBERS


def test_events_query_and_hogql_in_cohort(owner_client, world, setup):
    model, x, y = setup
    query = {"kind": "EventsQuery", "select": ["count()"], "after": "all", "properties": [cohort_filter(y)]}
    response = run_query(owner_client, world.team.id, query)
    assert response.json()["results"] == [[len([e for e in model.events if e[1] in Y_MEMBERS])]]
    by_id = hogql(owner_client, world.team.id, f"SELECT count() FROM events WHERE person_id IN COHORT {x}")
    assert by_id.json()["results"] == [[len([e for e in model.events if e[1] in X_MEMBERS])]]
    by_name = hogql(owner_client, world.team.id, "SELECT count() FROM events WHERE person_id NOT IN COHORT 'x.io'")
    assert by_name.json()["results"] == [[len([e for e in model.events if e[1] not in X_MEMBERS])]]
    missing = hogql(owner_client, world.team.id, "SELECT 1 FROM events WHERE person_id IN COHORT 'nope'")
    assert missing.status_code == 400
    assert missing.json()["detail"] == "Could not find a cohort with the name 'nope'"


def test_in_cohort_cannot_reach_another_projects_cohort(outsider_client, owner_client, world, setup):
    _, x, y = setup
    for cohort_id in (x, y):
        response = hogql(
            outsider_client, world.other_team.id, f"SELECT count() FROM events WHERE person_id IN COHORT {cohort_id}"
        )
        assert response.status_code == 400
        assert response.json()["detail"] == f"Could not find cohort with ID {cohort_id}"
    response = hogql(outsider_client, world.other_team.id, "SELECT 1 FROM events WHERE person_id IN COHORT 'x.io'")
    assert response.json()["detail"] == "Could not find a cohort with the name 'x.io'"
    query = {"kind": "EventsQuery", "select": ["count()"], "after": "all", "properties": [cohort_filter(x)]}
    assert run_query(outsider_client, world.other_team.id, query).status_code == 400
    printed = hogql(owner_client, world.team.id, f"SELECT count() FROM events WHERE person_id IN COHORT {x}").json()
    assert f"equals(team_id, {world.team.id}), equals(cohort_id, {x})" in printed["clickhouse"]


def test_recalculation_changes_the_cached_answer(client, owner_client, world, setup):
    model, _, _ = setup
    buyers = owner_client.post(
        f"/api/projects/{world.team.id}/cohorts/",
        {"name": "buyers", "filters": {"properties": {"type": "AND", "values": [
            {"type": "behavioral", "key": "purchase", "event_type": "events", "value": "performed_event",
             "explicit_datetime": "2024-01-01"}]}}},
        format="json",
    ).json()  # fmt: skip
    assert buyers["count"] == 3
    source = pageview_trend(properties=[cohort_filter(buyers["id"])], trendsFilter={"display": "BoldNumber"})
    first = run_query(owner_client, world.team.id, source, refresh="blocking").json()
    assert first["results"][0]["aggregated_value"] == 3
    capture_events(client, world.team, [("purchase", "bob", {}, "2024-01-03T15:00:00Z")])
    cohort_enqueue_calculation(Cohort.objects.get(pk=buyers["id"]))
    second = run_query(owner_client, world.team.id, source, refresh="blocking").json()
    assert second["cache_key"] != first["cache_key"]
    assert second["results"][0]["aggregated_value"] == 4
