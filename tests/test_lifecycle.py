"""POST /query/ with an InsightVizNode-wrapped LifecycleQuery: statuses checked against a computation in Python."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queries.hogql.execute import print_select
from queries.runners.lifecycle import LifecycleQueryRunner
from queries.schema.insights import LifecycleQuery
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

UTC = ZoneInfo("UTC")
STATUSES = ["new", "returning", "resurrecting", "dormant"]
EVENTS = [
    # alice: created on the 1st (the day before the range), active 1, 2, 3 and 5.
    ("$pageview", "alice", {}, "2024-01-01T10:00:00Z"),
    ("$pageview", "alice", {}, "2024-01-02T10:00:00Z"),
    ("$pageview", "alice", {}, "2024-01-02T11:00:00Z"),
    ("$pageview", "alice", {}, "2024-01-03T10:00:00Z"),
    ("$pageview", "alice", {}, "2024-01-05T10:00:00Z"),
    # bob: created in December by another event, first pageview on the 3rd is therefore resurrecting.
    ("signup", "bob", {}, "2023-12-20T10:00:00Z"),
    ("$pageview", "bob", {}, "2024-01-03T09:00:00Z"),
    # carol: new on the 4th and active until the end of the range.
    ("$pageview", "carol", {}, "2024-01-04T10:00:00Z"),
    ("$pageview", "carol", {}, "2024-01-05T23:59:00Z"),
    ("$pageview", "carol", {}, "2024-01-06T00:00:00Z"),
    # anon-1 and user-1 become one person on the 2nd.
    ("$pageview", "anon-1", {}, "2024-01-02T08:00:00Z"),
    ("$identify", "user-1", {"$anon_distinct_id": "anon-1"}, "2024-01-02T09:00:00Z"),
    ("$pageview", "user-1", {}, "2024-01-02T10:00:00Z"),
    ("$pageview", "user-1", {}, "2024-01-03T10:00:00Z"),
    # dave never views a page; erin's events have no person profile.
    ("purchase", "dave", {}, "2024-01-03T10:00:00Z"),
    ("$pageview", "erin", {"$process_person_profile": False}, "2024-01-05T10:00:00Z"),
]
MERGED = {"anon-1": "user-1"}
DAYS = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06"]


def lifecycle(client, team_id, **fields):
    source = {"kind": "LifecycleQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}], **fields}
    source.setdefault("dateRange", {"date_from": "2024-01-02", "date_to": "2024-01-06"})
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == 200, response.json()
    return response.json()


def period_start(moment: datetime, interval: str) -> datetime:
    day = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if interval == "week":
        return day - timedelta(days=day.isoweekday() % 7)
    if interval == "month":
        return day.replace(day=1)
    return day


def next_period(moment: datetime, interval: str) -> datetime:
    if interval == "month":
        return moment.replace(year=moment.year + moment.month // 12, month=moment.month % 12 + 1)
    return moment + timedelta(days=7 if interval == "week" else 1)


def expected_lifecycle(events, event_name, periods, interval="day"):
    """{status: counts per period} computed directly from the definition in spec §3.11 (dormant negative)."""
    moments = {}
    for name, distinct_id, props, ts in events:
        person = MERGED.get(distinct_id, distinct_id)
        moment = datetime.fromisoformat(ts)
        created, active = moments.setdefault(person, [moment, set()])
        moments[person][0] = min(created, moment)
        if name == event_name and props.get("$process_person_profile") is not False:
            active.add(period_start(moment, interval))
    counts = {status: {p: 0 for p in periods} for status in STATUSES}
    for created, active in moments.values():
        for position, period in enumerate(sorted(active)):
            previous = period_start(created, interval) if position == 0 else sorted(active)[position - 1]
            if previous == period:
                status = "new"
            elif position > 0 and next_period(previous, interval) == period:
                status = "returning"
            else:
                status = "resurrecting"
            if period in counts[status]:
                counts[status][period] += 1
            following = next_period(period, interval)
            if following not in active and following in counts["dormant"]:
                counts["dormant"][following] -= 1
    return {status: [float(counts[status][p]) for p in periods] for status in STATUSES}


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, EVENTS)
    capture_events(client, world.other_team, [("$pageview", "mallory", {}, "2024-01-03T10:00:00Z")] * 3)


def test_lifecycle_day_statuses_match_python(owner_client, world, data):
    body = lifecycle(owner_client, world.team.id)
    periods = [datetime.fromisoformat(day).replace(tzinfo=UTC) for day in DAYS]
    expected = expected_lifecycle(EVENTS, "$pageview", periods)
    assert expected == {
        "new": [1.0, 0.0, 1.0, 0.0, 0.0],
        "returning": [1.0, 2.0, 0.0, 1.0, 1.0],
        "resurrecting": [0.0, 1.0, 0.0, 1.0, 0.0],
        "dormant": [0.0, 0.0, -3.0, 0.0, -1.0],
    }
    assert [result["status"] for result in body["results"]] == STATUSES
    for result in body["results"]:
        status = result["status"]
        assert result["data"] == expected[status]
        assert result["count"] == sum(expected[status])
        assert result["days"] == DAYS
        assert result["labels"] == ["2-Jan-2024", "3-Jan-2024", "4-Jan-2024", "5-Jan-2024", "6-Jan-2024"]
        assert result["label"] == f"$pageview - {status}"
        action = {"id": "$pageview", "name": "$pageview", "type": "events", "order": 0, "math": "total"}
        assert result["action"] == action


def test_lifecycle_merged_person_counted_once_and_other_projects_excluded(owner_client, world, data):
    results = {r["status"]: r["data"] for r in lifecycle(owner_client, world.team.id)["results"]}
    # On the 2nd: user-1 (with anon-1's pageview merged in) is the only new person, alice the only returning one.
    assert results["new"][0] == 1.0
    assert results["returning"][0] == 1.0
    # On the 3rd mallory's three pageviews in the other project add nobody: alice and user-1 return, bob resurrects.
    assert results["returning"][1] == 2.0 and results["resurrecting"][1] == 1.0 and results["new"][1] == 0.0


def test_lifecycle_week_interval(owner_client, world, client):
    events = [
        ("$pageview", "a", {}, "2024-01-01T10:00:00Z"),  # week of Dec 31: new
        ("$pageview", "a", {}, "2024-01-08T10:00:00Z"),  # week of Jan 7: returning
        ("$pageview", "a", {}, "2024-01-22T10:00:00Z"),  # week of Jan 21: resurrecting (dormant in week of Jan 14)
        ("$pageview", "b", {}, "2024-01-09T10:00:00Z"),  # new in week of Jan 7, dormant in week of Jan 14
        ("$pageview", "c", {}, "2024-01-16T10:00:00Z"),  # new in week of Jan 14, dormant in week of Jan 21
    ]
    capture_events(client, world.team, events)
    body = lifecycle(
        owner_client, world.team.id, interval="week", dateRange={"date_from": "2024-01-01", "date_to": "2024-01-27"}
    )
    days = ["2023-12-31", "2024-01-07", "2024-01-14", "2024-01-21"]
    periods = [datetime.fromisoformat(day).replace(tzinfo=UTC) for day in days]
    expected = expected_lifecycle(events, "$pageview", periods, interval="week")
    assert expected == {
        "new": [1.0, 1.0, 1.0, 0.0],
        "returning": [0.0, 1.0, 0.0, 0.0],
        "resurrecting": [0.0, 0.0, 0.0, 1.0],
        "dormant": [0.0, 0.0, -2.0, -1.0],
    }
    for result in body["results"]:
        assert result["days"] == days
        assert result["data"] == expected[result["status"]]
    assert body["results"][0]["labels"] == ["1–6 Jan", "7–13 Jan", "14–20 Jan", "21–27 Jan"]


def test_lifecycle_month_interval_and_all_events_label(owner_client, world, data):
    body = lifecycle(
        owner_client,
        world.team.id,
        series=[{"kind": "EventsNode", "event": None}],
        interval="month",
        dateRange={"date_from": "2024-01-01", "date_to": "2024-02-15"},
    )
    results = {r["status"]: r for r in body["results"]}
    assert results["new"]["label"] == "All events - new"
    assert results["new"]["labels"] == ["Jan 2024", "Feb 2024"]
    assert results["new"]["days"] == ["2024-01-01", "2024-02-01"]
    # January: alice, carol, user-1 and dave are new; bob returns, as his December signup is activity for "All
    # events". erin has no person profile. February: all five are dormant.
    assert results["new"]["data"] == [4.0, 0.0]
    assert results["returning"]["data"] == [1.0, 0.0]
    assert results["resurrecting"]["data"] == [0.0, 0.0]
    assert results["dormant"]["data"] == [0.0, -5.0]


def test_lifecycle_printed_sql_is_guarded_by_team(world):
    query = LifecycleQuery(
        series=[{"kind": "EventsNode", "event": "$pageview"}],
        dateRange={"date_from": "2024-01-02", "date_to": "2024-01-06"},
    )
    runner = LifecycleQueryRunner(query, world.team)
    context = runner.print_context(values={"timezone": "UTC"})
    sql = print_select(runner.build(runner.query_date_range()), context)
    assert f"equals(__t1.team_id, {world.team.id})" in sql or f"team_id, {world.team.id})" in sql
    assert "$pageview" not in sql  # the event name travels as a parameter
    assert "$pageview" in context.parameters.values()
