"""A shared project for actors tests: persons with known events (one merged from two distinct ids), a look-alike
in another project, and an independent Python model of who did what when."""

from collections import defaultdict
from dataclasses import dataclass, field

from tests.query_helpers import capture_events, run_query

RANGE = {"date_from": "2024-01-01", "date_to": "2024-01-05"}
DAYS = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]

# (event, distinct_id, properties, timestamp) before the merge of `anon` into `user`.
EVENTS = [
    ("$pageview", "alice", {"$browser": "Chrome", "$set": {"email": "alice@x.io"}}, "2024-01-01T09:00:00Z"),
    ("signup", "alice", {}, "2024-01-01T09:05:00Z"),
    ("$pageview", "alice", {"$browser": "Chrome"}, "2024-01-02T09:00:00Z"),
    ("purchase", "alice", {}, "2024-01-02T09:10:00Z"),
    ("$pageview", "alice", {"$browser": "Chrome"}, "2024-01-03T09:00:00Z"),
    ("$pageview", "alice", {"$browser": "Chrome"}, "2024-01-04T09:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox", "$set": {"email": "bob@y.io"}}, "2024-01-01T10:00:00Z"),
    ("signup", "bob", {}, "2024-01-02T10:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox"}, "2024-01-03T10:00:00Z"),
    ("$pageview", "anon", {"$browser": "Safari"}, "2024-01-01T11:00:00Z"),
    ("signup", "anon", {}, "2024-01-01T11:05:00Z"),
    ("purchase", "user", {}, "2024-01-01T11:30:00Z"),
    ("$pageview", "user", {"$browser": "Safari", "$set": {"email": "merged@z.io"}}, "2024-01-02T11:00:00Z"),
    ("$pageview", "carol", {"$set": {"email": "carol@x.io"}}, "2024-01-02T12:00:00Z"),
    ("signup", "carol", {}, "2024-01-02T12:05:00Z"),
    ("purchase", "carol", {}, "2024-01-04T12:05:00Z"),
    ("$pageview", "carol", {}, "2024-01-05T12:00:00Z"),
]
IDENTIFY = ("$identify", "user", {"$anon_distinct_id": "anon"}, "2024-01-02T12:30:00Z")
PERSON_OF = {"alice": "alice", "bob": "bob", "anon": "user", "user": "user", "carol": "carol"}


@dataclass
class Model:
    """Who did which event on which day, by person (merged distinct ids share one person)."""

    events: list = field(default_factory=list)

    def persons(self, event: str | None = None, day: str | None = None, browser: str | None = None) -> set[str]:
        return {
            person
            for name, person, props, when in self.events
            if (event is None or name == event)
            and (day is None or when.startswith(day))
            and (browser is None or props.get("$browser") == browser)
        }

    def days_of(self, event: str) -> dict[str, set[str]]:
        days = defaultdict(set)
        for name, person, _, when in self.events:
            if name == event:
                days[person].add(when[:10])
        return days


def capture_world(client, world) -> Model:
    capture_events(client, world.team, EVENTS)
    capture_events(client, world.team, [IDENTIFY])
    # A look-alike project with the same distinct ids and events: never part of any answer.
    capture_events(client, world.other_team, EVENTS)
    model = Model()
    for name, distinct_id, props, when in [*EVENTS, IDENTIFY]:
        model.events.append((name, PERSON_OF[distinct_id], props, when))
    return model


def actors(api_client, team_id: int, source: dict, select=None, **fields) -> dict:
    query = {"kind": "ActorsQuery", "source": source, "select": select or ["person"], "limit": 1000}
    query.update(fields)
    response = run_query(api_client, team_id, query, refresh="force_blocking")
    assert response.status_code == 200, response.json()
    return response.json()


def name_of(actor: dict) -> str:
    """A person named as PERSON_OF names it: the merged person is `user`, the others their one distinct id."""
    distinct_ids = set(actor["distinct_ids"])
    return "user" if "user" in distinct_ids else next(iter(distinct_ids))


def actor_names(result: dict, column: int = 0) -> set[str]:
    return {name_of(row[column]) for row in result["results"]}


def insight(api_client, team_id: int, source: dict) -> dict:
    response = run_query(api_client, team_id, source, refresh="force_blocking")
    assert response.status_code == 200, response.json()
    return response.json()
