"""The `performed_event_regularly` behaviour through the cohorts API, checked against an independent Python count:
"`operator_value` times per `time_value` days, in at least `min_periods` of the last `total_periods` periods"
(periods counted back from the end of yesterday, today excluded, as PostHog's stickiness-based definition)."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from tests.query_helpers import capture_events

pytestmark = pytest.mark.usefixtures("clickhouse")

NOW = datetime(2026, 3, 15, 12, 30, tzinfo=UTC)
PERSONS = [f"p{i}" for i in range(14)]
OPERATORS = {
    "gte": lambda a, b: a >= b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "lt": lambda a, b: a < b,
    "exact": lambda a, b: a == b,
}


def random_events() -> list[tuple[str, str, datetime]]:
    """Pageviews and signups of 14 persons over the last 40 days (today included, which never counts)."""
    rng = random.Random(16)
    events = []
    for person in PERSONS:
        activity = rng.choice([0.05, 0.2, 0.5, 0.9])
        for day in range(0, 40):
            for _ in range(rng.choice([1, 1, 2, 3])):
                if rng.random() < activity:
                    moment = NOW - timedelta(days=day, hours=rng.uniform(-11, 12))
                    events.append((rng.choice(["$pageview", "$pageview", "signup"]), person, min(moment, NOW)))
    return events


def expected_members(events, event: str, time_value: int, total: int, minimum: int, operator: str, count: int):
    """Independent of the engine: day buckets of `time_value` days counted back from yesterday."""
    yesterday = (NOW - timedelta(days=1)).date()
    per_period: Counter = Counter()
    for name, person, moment in events:
        days_back = (yesterday - moment.date()).days
        if name == event and 0 <= days_back < time_value * total:
            per_period[(person, days_back // time_value)] += 1
    periods: Counter = Counter()
    for (person, _period), events_in_period in per_period.items():
        if OPERATORS[operator](events_in_period, count):
            periods[person] += 1
    return {person for person, passed in periods.items() if passed >= minimum}


def regularly(event: str, time_value: int, total: int, minimum: int, operator: str, count: int) -> dict:
    return {
        "properties": {
            "type": "AND",
            "values": [
                {"type": "behavioral", "key": event, "event_type": "events", "value": "performed_event_regularly",
                 "time_value": time_value, "time_interval": "day", "total_periods": total, "min_periods": minimum,
                 "operator": operator, "operator_value": count}
            ],
        }
    }  # fmt: skip


CASES = [
    ("$pageview", 1, 7, 3, "gte", 1),
    ("$pageview", 2, 5, 2, "gte", 2),
    ("$pageview", 3, 4, 4, "gte", 1),
    ("$pageview", 1, 10, 2, "exact", 1),
    ("$pageview", 2, 6, 3, "lte", 2),
    ("signup", 5, 3, 1, "gt", 2),
    ("signup", 1, 14, 2, "lt", 2),
]


def test_performed_event_regularly_matches_an_independent_count(client, owner_client, world):
    with freeze_time(NOW):
        events = random_events()
        capture_events(
            client,
            world.team,
            [
                (name, person, {"$set": {"email": f"{person}@x.io"}}, moment.isoformat())
                for name, person, moment in events
            ],
        )
        capture_events(client, world.other_team, [("$pageview", "p0", {}, (NOW - timedelta(days=d)).isoformat())
                                                  for d in range(1, 15)])  # fmt: skip
        checked = 0
        for case in CASES:
            response = owner_client.post(
                f"/api/projects/{world.team.id}/cohorts/",
                {"name": str(case), "filters": regularly(*case)},
                format="json",
            )
            assert response.status_code == 201, response.json()
            cohort = response.json()
            assert cohort["errors_calculating"] == 0, case
            assert cohort["cohort_type"] == "analytical"
            persons = owner_client.get(f"/api/projects/{world.team.id}/cohorts/{cohort['id']}/persons/?limit=100")
            got = {row["properties"]["email"].split("@")[0] for row in persons.json()["results"]}
            expected = expected_members(events, *case)
            assert got == expected, case
            assert cohort["count"] == len(expected)
            checked += bool(expected) and len(expected) < len(PERSONS)
        assert checked >= 4  # the cases separate persons, not all or nothing


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"min_periods": 5, "total_periods": 3}, "min_periods (5) cannot be greater than total_periods (3)"),
        ({"total_periods": None}, "total_periods must be an integer, got None"),
        ({"operator_value": 0}, "operator_value must be greater than 0, got 0"),
        ({"min_periods": "2"}, "min_periods must be an integer, got 2"),
        ({"operator": "between"}, "count_operator must be gt(e), lt(e), exact, or None"),
        ({"time_interval": "minute"}, "performed_event_regularly counts periods of days, weeks, months or years"),
    ],
)
def test_performed_event_regularly_refuses_bad_numbers(owner_client, world, change, message):
    filters = regularly("$pageview", 1, 4, 2, "gte", 1)
    filters["properties"]["values"][0].update(change)
    response = owner_client.post(f"/api/projects/{world.team.id}/cohorts/", {"name": "x", "filters": filters},
                                 format="json")  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["detail"] == message


def test_performed_event_regularly_by_week_and_year_units_calculates(client, owner_client, world):
    """Weeks and years (12 months per PostHog) calculate without error; a person active every day qualifies."""
    with freeze_time(NOW):
        capture_events(client, world.team, [("$pageview", "daily", {"$set": {"email": "daily@x.io"}},
                                             (NOW - timedelta(days=d)).isoformat()) for d in range(1, 70)])  # fmt: skip
        for interval, total in (("week", 4), ("month", 2), ("year", 1)):
            filters = regularly("$pageview", 1, total, 1, "gte", 1)
            filters["properties"]["values"][0]["time_interval"] = interval
            response = owner_client.post(f"/api/projects/{world.team.id}/cohorts/",
                                         {"name": interval, "filters": filters}, format="json")  # fmt: skip
            assert response.status_code == 201, response.json()
            assert (response.json()["count"], response.json()["errors_calculating"]) == (1, 0), interval
