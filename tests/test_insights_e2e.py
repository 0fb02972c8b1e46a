"""End to end: events captured through /batch/, an insight created with a TrendsQuery, retrieved with
`refresh=blocking`; its result equals counts computed in Python over the same events.
"""

import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from tests.query_helpers import capture_events

pytestmark = pytest.mark.usefixtures("clickhouse")

DAYS = [(date(2024, 3, 1) + timedelta(days=offset)).isoformat() for offset in range(7)]


def generated_events(seed: int = 8) -> list[tuple]:
    rng = random.Random(seed)
    events = []
    for _ in range(120):
        day = rng.choice(DAYS + ["2024-02-28", "2024-03-09"])  # some outside the range
        moment = f"{day}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
        name = rng.choice(["$pageview", "$pageview", "signup", "purchase"])
        browser = rng.choice(["Chrome", "Firefox", "Safari"])
        events.append((name, f"user-{rng.randrange(15)}", {"$browser": browser}, moment))
    return events


def counted(events, name: str, browser: str | None = None, unique: bool = False) -> list[int]:
    per_day: dict[str, set | Counter] = {}
    for event, distinct_id, properties, moment in events:
        if event != name or (browser and properties["$browser"] != browser):
            continue
        day = datetime.fromisoformat(moment).date().isoformat()
        if unique:
            per_day.setdefault(day, set()).add(distinct_id)
        else:
            per_day[day] = per_day.get(day, 0) + 1
    return [len(per_day.get(day, ())) if unique else per_day.get(day, 0) for day in DAYS]


def test_trends_insight_result_equals_python_counts(owner_client, client, world):
    events = generated_events()
    capture_events(client, world.team, events)
    capture_events(
        client, world.other_team, [("$pageview", "intruder", {"$browser": "Chrome"}, "2024-03-02T10:00:00Z")]
    )
    query = {
        "kind": "TrendsQuery",
        "series": [
            {"kind": "EventsNode", "event": "$pageview", "custom_name": "Views"},
            {"kind": "EventsNode", "event": "signup", "math": "dau"},
            {
                "kind": "EventsNode",
                "event": "purchase",
                "properties": [{"type": "event", "key": "$browser", "operator": "exact", "value": "Chrome"}],
            },
        ],
        "interval": "day",
        "dateRange": {"date_from": DAYS[0], "date_to": DAYS[-1]},
    }
    created = owner_client.post(
        f"/api/projects/{world.team.id}/insights/", {"name": "E2E", "query": query}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["result"] is None

    response = owner_client.get(
        f"/api/projects/{world.team.id}/insights/{created.json()['short_id']}/?refresh=blocking"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [series["data"] for series in body["result"]] == [
        counted(events, "$pageview"),
        counted(events, "signup", unique=True),
        counted(events, "purchase", browser="Chrome"),
    ]
    assert body["result"][0]["days"] == DAYS
    assert body["result"][0]["count"] == sum(counted(events, "$pageview"))
    assert body["is_cached"] is False and body["timezone"] == "UTC"

    again = owner_client.get(f"/api/projects/{world.team.id}/insights/{body['id']}/").json()
    assert again["is_cached"] is True and again["result"] == body["result"]
