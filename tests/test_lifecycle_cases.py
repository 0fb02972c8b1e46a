"""Lifecycle correctness matrix over the generated trends data set (New York time), recomputed in plain Python."""

from collections import defaultdict

import pytest

from tests.test_trends_cases import (  # noqa: F401 - `data` is a fixture
    EVENTS,
    buckets,
    data,
    day_text,
    local,
    person_of,
    run_insight,
    setup_week_start,
    start_of,
    step,
)

pytestmark = pytest.mark.usefixtures("clickhouse", "data")

STATUSES = ["new", "returning", "resurrecting", "dormant"]


def expected_lifecycle(event, date_from, date_to, interval, week_start=0, keep=lambda props: True) -> dict:
    """Spec §3.11 over each person's whole history: statuses of the periods in the range, dormant negative."""
    created, active = {}, defaultdict(set)
    for name, distinct_id, props, ts in EVENTS:
        person, moment = person_of(distinct_id), local(ts)
        created[person] = min(created.get(person, moment), moment)
        if (event is None or name == event) and keep(props):
            active[person].add(start_of(moment, interval, week_start))
    periods = buckets(date_from, date_to, interval, week_start)
    counts = {status: dict.fromkeys(periods, 0) for status in STATUSES}
    for person, person_periods in active.items():
        ordered = sorted(person_periods)
        for position, period in enumerate(ordered):
            if position == 0:
                status = "new" if start_of(created[person], interval, week_start) == period else "resurrecting"
            elif step(ordered[position - 1], interval) == period:
                status = "returning"
            else:
                status = "resurrecting"
            if period in counts[status]:
                counts[status][period] += 1
            following = step(period, interval)
            if following not in person_periods and following in counts["dormant"]:
                counts["dormant"][following] -= 1
    return {status: [float(counts[status][p]) for p in periods] for status in STATUSES}


CASES = {
    "day": ("$pageview", "2024-01-03", "2024-01-24", "day", 0, None),
    "week-sunday": ("$pageview", "2023-12-20", "2024-02-05", "week", 0, None),
    "week-monday": ("$pageview", "2023-12-20", "2024-02-05", "week", 1, None),
    "month": ("$pageview", "2023-12-01", "2024-03-15", "month", 0, None),
    "hour": (None, "2024-01-09 00:00:00", "2024-01-11 23:59:59", "hour", 0, None),
    "day-all-events": (None, "2024-01-03", "2024-01-24", "day", 0, None),
    "day-purchase": ("purchase", "2023-12-10", "2024-01-24", "day", 0, None),
    "week-chrome-only": ("$pageview", "2023-12-20", "2024-02-05", "week", 1, "Chrome"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_lifecycle_statuses_match_python(owner_client, world, case):
    event, date_from, date_to, interval, week_start, browser = CASES[case]
    setup_week_start(world, week_start)
    series = {"kind": "EventsNode", "event": event}
    keep = (lambda props: True) if browser is None else (lambda props: props.get("$browser") == browser)
    if browser is not None:
        series["properties"] = [{"key": "$browser", "value": browser, "operator": "exact", "type": "event"}]
    source = {
        "kind": "LifecycleQuery",
        "series": [series],
        "interval": interval,
        "dateRange": {"date_from": date_from, "date_to": date_to},
    }
    body = run_insight(owner_client, world.team.id, source)
    expected = expected_lifecycle(event, date_from, date_to, interval, week_start, keep)
    assert [r["status"] for r in body["results"]] == STATUSES
    assert {r["status"]: r["data"] for r in body["results"]} == expected
    days = [day_text(b, interval) for b in buckets(date_from, date_to, interval, week_start)]
    assert all(r["days"] == days for r in body["results"])
    assert sum(1 for values in expected.values() if any(values)) >= 3, "the case must exercise the statuses"
    assert body["resolved_date_range"]["date_from"].startswith(date_from.replace(" ", "T"))
