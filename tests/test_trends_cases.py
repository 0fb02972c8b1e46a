"""Trends correctness matrix: every case is recomputed in plain Python over the same captured events.

One generated data set (New York project timezone, events close to local midnight and to week boundaries, a merged
person, missing and empty property values) is captured for each case; the cases vary math, interval, week start,
breakdown limits, compare, formulas and displays. The lifecycle and stickiness matrices reuse this data set.
"""

import itertools
import math
import random
import statistics
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queries.runners.trends.query_builder import BREAKDOWN_NULL_STRING_LABEL, BREAKDOWN_OTHER_STRING_LABEL
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

ZONE = "America/New_York"
TZ = ZoneInfo(ZONE)
MERGED = {"anon-7": "p7"}
BROWSERS = ["Chrome", "Chrome", "Chrome", "Firefox", "Firefox", "Safari", "Edge", "Opera", None, ""]


def generate_events(seed: int = 7) -> list[tuple]:
    """About 300 events from Dec 1 to Feb 10 (UTC), in time order, many of them within two hours of local midnight."""
    rng = random.Random(seed)
    start = datetime(2023, 12, 1, 5, 0, tzinfo=ZoneInfo("UTC"))
    events = []
    for _ in range(300):
        day = rng.randrange(0, 72)
        # Local midnight in New York is 05:00 UTC in winter: cluster events around it.
        minutes = rng.choice([rng.randrange(-120, 120), rng.randrange(0, 24 * 60)])
        moment = start + timedelta(days=day, minutes=minutes, seconds=rng.randrange(1, 59))
        person = f"p{rng.randrange(0, 14)}"
        if int(person[1:]) >= 10 and day < 30 + 6 * (int(person[1:]) - 10):
            person = f"p{int(person[1:]) - 10}"  # p10-p13 appear from early January on, one every 6 days
        if person == "p7" and moment < datetime(2024, 1, 8, tzinfo=TZ):
            person = "anon-7"
        name = rng.choice(["$pageview", "$pageview", "$pageview", "purchase"])
        props: dict = {"$session_id": f"s-{person}-{day}-{minutes // 90}"}
        browser = rng.choice(BROWSERS)
        if browser is not None:
            props["$browser"] = browser
        if rng.random() < 0.8:
            props["amount"] = rng.randrange(1, 100)
        events.append((name, person, props, moment))
    # p7's anonymous history becomes p7's on Jan 8.
    events.append(("$identify", "p7", {"$anon_distinct_id": "anon-7"}, datetime(2024, 1, 8, 12, 0, 1, tzinfo=TZ)))
    events.sort(key=lambda event: event[3])
    return [(name, person, props, moment.isoformat()) for name, person, props, moment in events]


EVENTS = generate_events()


# ---- the reference: spec §3.2-3.7 written directly in Python -------------------------------------------------------


def local(ts: str) -> datetime:
    return datetime.fromisoformat(ts).astimezone(TZ)


def person_of(distinct_id: str) -> str:
    return MERGED.get(distinct_id, distinct_id)


def start_of(moment: datetime, interval: str, week_start: int = 0) -> datetime:
    if interval == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "week":
        return day - timedelta(days=day.weekday() if week_start == 1 else (day.weekday() + 1) % 7)
    if interval == "month":
        return day.replace(day=1)
    return day


def step(moment: datetime, interval: str) -> datetime:
    if interval == "month":
        return moment.replace(year=moment.year + moment.month // 12, month=moment.month % 12 + 1)
    naive = moment.replace(tzinfo=None) + {"hour": timedelta(hours=1), "day": timedelta(days=1)}.get(
        interval, timedelta(days=7)
    )
    return naive.replace(tzinfo=TZ)


def bounds(date_from: str, date_to: str, interval: str, week_start: int = 0) -> tuple[datetime, datetime]:
    """The SQL range: date_from aligned to its interval (weeks: to the day), date_to at the end of its day."""
    low = datetime.fromisoformat(date_from).replace(tzinfo=TZ)
    high = datetime.fromisoformat(date_to).replace(tzinfo=TZ)
    if interval != "hour":
        high = high.replace(hour=23, minute=59, second=59, microsecond=999999)
    low = start_of(low, "day" if interval == "week" else interval, week_start)
    return low, high


def buckets(date_from: str, date_to: str, interval: str, week_start: int = 0) -> list[datetime]:
    low, high = bounds(date_from, date_to, interval, week_start)
    current, values = start_of(low, interval, week_start), []
    while current <= high:
        values.append(current)
        current = step(current, interval)
    return values


def day_text(moment: datetime, interval: str) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S" if interval == "hour" else "%Y-%m-%d")


def quantile(values: list, level: float) -> float:
    """ClickHouse `quantile` on small samples: linear interpolation between order statistics."""
    ordered = sorted(values)
    position = level * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def aggregate(math_name: str, events: list) -> float:
    """One bucket's value of a math over its events."""
    amounts = [float(e[2]["amount"]) for e in events if "amount" in e[2]]
    per_person = Counter(person_of(e[1]) for e in events)
    if math_name == "total":
        return len(events)
    if math_name == "dau":
        return len(per_person)
    if math_name == "unique_session":
        return len({e[2]["$session_id"] for e in events})
    property_maths = {"sum": sum, "avg": statistics.mean, "min": min, "max": max}
    if math_name in property_maths:
        return property_maths[math_name](amounts) if amounts else 0
    levels = {"median": 0.5, "p90": 0.9}
    if math_name in levels:
        return quantile(amounts, levels[math_name]) if amounts else 0
    actor_maths = {"avg_count_per_actor": statistics.mean, "max_count_per_actor": max}
    if math_name in actor_maths:
        return actor_maths[math_name](list(per_person.values())) if per_person else 0
    raise AssertionError(math_name)


def series_events(event: str | None, events=EVENTS) -> list:
    return [e for e in events if event is None or e[0] == event]


def expected_series(event, math_name, date_from, date_to, interval="day", week_start=0, key=None) -> dict:
    """{breakdown key (None without breakdown): data} for one series."""
    low, high = bounds(date_from, date_to, interval, week_start)
    values = buckets(date_from, date_to, interval, week_start)
    grouped: dict = defaultdict(lambda: defaultdict(list))
    for e in series_events(event):
        moment = local(e[3])
        if low <= moment <= high:
            grouped[key(e[2]) if key else None][start_of(moment, interval, week_start)].append(e)
    return {k: [aggregate(math_name, per_bucket.get(b, [])) for b in values] for k, per_bucket in grouped.items()}


def browser_key(props: dict) -> str:
    return props.get("$browser") or BREAKDOWN_NULL_STRING_LABEL


def limited(data_by_value: dict, limit: int) -> dict:
    """Real values by total DESC then value ASC, then null; beyond the limit summed into Other."""

    def rank(item):
        return item[0] == BREAKDOWN_NULL_STRING_LABEL, -sum(item[1]), item[0]

    ranked = sorted(data_by_value.items(), key=rank)
    kept = dict(ranked[:limit])
    if ranked[limit:]:
        kept[BREAKDOWN_OTHER_STRING_LABEL] = [
            sum(column) for column in zip(*(d for _, d in ranked[limit:]), strict=True)
        ]
    return kept


# ---- the API ---------------------------------------------------------------------------------------------------------


def run_insight(client, team_id, source: dict, status: int = 200) -> dict:
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == status, response.json()
    return response.json()


SNAPSHOT_TABLES = ("events", "person", "person_distinct_id2", "person_distinct_id_overrides")
# Teams whose captured rows the snapshot tables hold, per test process (the chDB directory is per process).
_snapshot: dict[str, int] = {}


@pytest.fixture
def data(client, world, clickhouse):
    """The data set, captured through /batch/ once per process, then copied in ClickHouse for each test's teams.

    Capturing ~300 events takes most of a second; copying the captured rows takes milliseconds.
    """
    world.team.timezone = ZONE
    world.team.save()
    if not _snapshot:
        capture_events(client, world.team, EVENTS)
        capture_events(client, world.other_team, [("$pageview", "mallory", {}, "2024-01-10T12:00:00Z")] * 5)
        for table in SNAPSHOT_TABLES:
            clickhouse.command(f"DROP TABLE IF EXISTS snapshot_{table}")
            clickhouse.command(f"CREATE TABLE snapshot_{table} AS {table}")
            clickhouse.command(f"INSERT INTO snapshot_{table} SELECT * FROM {table}")
        _snapshot.update(team=world.team.id, other_team=world.other_team.id)
        return
    for table in SNAPSHOT_TABLES:
        team_id = f"if(team_id = {_snapshot['team']}, {world.team.id}, {world.other_team.id})"
        clickhouse.command(f"INSERT INTO {table} SELECT * REPLACE ({team_id} AS team_id) FROM snapshot_{table}")


def setup_week_start(world, week_start: int) -> None:
    world.team.week_start_day = week_start
    world.team.save()


def approx(values):
    return pytest.approx(values, rel=1e-9, abs=1e-9)


# ---- math x interval -----------------------------------------------------------------------------------------------

MATHS = [
    "total",
    "dau",
    "unique_session",
    "sum",
    "avg",
    "min",
    "max",
    "median",
    "p90",
    "avg_count_per_actor",
    "max_count_per_actor",
]
RANGES = {
    "day": ("2024-01-03", "2024-01-24", 0),
    "week-sunday": ("2024-01-03", "2024-01-31", 0),
    "week-monday": ("2024-01-03", "2024-01-31", 1),
}
MATRIX = [(name, kind) for kind in RANGES for name in MATHS] + [
    (name, kind) for kind in ("hour", "month") for name in ("total", "dau", "sum")
]
EXTRA_RANGES = {"hour": ("2024-01-10 00:00:00", "2024-01-10 23:59:59", 0), "month": ("2023-12-20", "2024-02-05", 0)}


@pytest.mark.parametrize(("math_name", "kind"), MATRIX, ids=[f"{m}-{k}" for m, k in MATRIX])
def test_trends_math_per_interval_matches_python(owner_client, world, data, math_name, kind):
    date_from, date_to, week_start = {**RANGES, **EXTRA_RANGES}[kind]
    interval = kind.split("-")[0]
    setup_week_start(world, week_start)
    series = {"kind": "EventsNode", "event": "$pageview", "math": math_name}
    if math_name in ("sum", "avg", "min", "max", "median", "p90"):
        series["math_property"] = "amount"
    source = {
        "kind": "TrendsQuery",
        "series": [series],
        "interval": interval,
        "dateRange": {"date_from": date_from, "date_to": date_to},
    }
    [result] = run_insight(owner_client, world.team.id, source)["results"]
    expected = expected_series("$pageview", math_name, date_from, date_to, interval, week_start)[None]
    assert result["days"] == [day_text(b, interval) for b in buckets(date_from, date_to, interval, week_start)]
    assert result["data"] == approx(expected)
    assert result["count"] == approx(sum(expected))
    assert any(expected), "the case must have data to compare"


@pytest.mark.parametrize(("math_name", "window"), [("weekly_active", 7), ("monthly_active", 30)])
def test_trends_rolling_active_users_match_python(owner_client, world, data, math_name, window):
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": math_name}],
        "dateRange": {"date_from": "2024-01-03", "date_to": "2024-01-24"},
    }
    [result] = run_insight(owner_client, world.team.id, source)["results"]
    days_active = defaultdict(set)
    for e in series_events("$pageview"):
        days_active[local(e[3]).date()].add(person_of(e[1]))
    expected = []
    for bucket in buckets("2024-01-03", "2024-01-24", "day"):
        window_days = [bucket.date() - timedelta(days=n) for n in range(window)]
        expected.append(len(set().union(*(days_active[d] for d in window_days))))
    assert result["data"] == expected


@pytest.mark.parametrize(
    ("math_name", "interval", "date_from", "date_to", "week_start"),
    [
        ("weekly_active", "hour", "2024-01-10 00:00:00", "2024-01-10 23:59:59", 0),
        ("monthly_active", "week", "2024-01-03", "2024-02-07", 0),
        ("monthly_active", "week", "2024-01-03", "2024-02-07", 1),
    ],
)
def test_trends_rolling_active_users_on_other_intervals_match_python(owner_client, world, data, math_name, interval,
                                                                     date_from, date_to, week_start):  # fmt: skip
    """PostHog's window for the bucket starting at d: events in (d - (N - 1) days, d + 1 day], up to date_to."""
    setup_week_start(world, week_start)
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": math_name}],
        "interval": interval,
        "dateRange": {"date_from": date_from, "date_to": date_to},
    }
    [result] = run_insight(owner_client, world.team.id, source)["results"]
    window = 7 if math_name == "weekly_active" else 30
    _, high = bounds(date_from, date_to, interval, week_start)
    expected = []
    for bucket in buckets(date_from, date_to, interval, week_start):
        low_edge = (bucket.replace(tzinfo=None) - timedelta(days=window - 1)).replace(tzinfo=TZ)
        high_edge = min((bucket.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=TZ), high)
        people = {person_of(e[1]) for e in series_events("$pageview") if low_edge < local(e[3]) <= high_edge}
        expected.append(len(people))
    assert result["days"] == [day_text(b, interval) for b in buckets(date_from, date_to, interval, week_start)]
    assert result["data"] == expected
    assert len(set(expected)) > 1


# ---- breakdowns, limits, sentinels ----------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 2, 3, 10])
def test_trends_breakdown_limit_other_and_null_match_python(owner_client, world, data, limit):
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "dateRange": {"date_from": "2024-01-03", "date_to": "2024-01-24"},
        "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event", "breakdown_limit": limit},
    }
    body = run_insight(owner_client, world.team.id, source)
    expected = limited(expected_series("$pageview", "total", "2024-01-03", "2024-01-24", key=browser_key), limit)
    assert [r["breakdown_value"] for r in body["results"]] == list(expected)
    assert {r["breakdown_value"]: r["data"] for r in body["results"]} == expected
    assert body["hasMore"] is (BREAKDOWN_OTHER_STRING_LABEL in expected)


def test_trends_breakdown_with_dau_and_week_interval_matches_python(owner_client, world, data):
    setup_week_start(world, 1)
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}],
        "interval": "week",
        "dateRange": {"date_from": "2024-01-03", "date_to": "2024-01-31"},
        "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event", "breakdown_limit": 3},
    }
    body = run_insight(owner_client, world.team.id, source)
    per_value = expected_series("$pageview", "dau", "2024-01-03", "2024-01-31", "week", 1, key=browser_key)
    expected = limited(per_value, 3)
    # As in PostHog, "Other" adds up the per-value series (a person seen with two browsers counts twice).
    assert BREAKDOWN_OTHER_STRING_LABEL in expected
    assert {r["breakdown_value"]: r["data"] for r in body["results"]} == expected


# ---- compare, formulas, displays ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "date_from", "date_to", "compare_to", "previous_from", "previous_to"),
    [
        ("day", "2024-01-10", "2024-01-16", None, "2024-01-03", "2024-01-09"),
        ("week", "2024-01-14", "2024-01-27", None, "2023-12-31", "2024-01-13"),
        ("day", "2024-01-10", "2024-01-16", "-2w", "2023-12-27", "2024-01-02"),
        ("day", "2024-01-20", "2024-01-24", "-1m", "2023-12-20", "2023-12-24"),
    ],
)
def test_trends_compare_matches_python(owner_client, world, data, interval, date_from, date_to, compare_to,
                                       previous_from, previous_to):  # fmt: skip
    compare = {"compare": True, **({"compare_to": compare_to} if compare_to else {})}
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}],
        "interval": interval,
        "dateRange": {"date_from": date_from, "date_to": date_to},
        "compareFilter": compare,
    }
    current, previous = run_insight(owner_client, world.team.id, source)["results"]
    assert (current["compare_label"], previous["compare_label"]) == ("current", "previous")
    assert current["data"] == expected_series("$pageview", "dau", date_from, date_to, interval)[None]
    assert previous["data"] == expected_series("$pageview", "dau", previous_from, previous_to, interval)[None]
    assert previous["days"] == [day_text(b, interval) for b in buckets(previous_from, previous_to, interval)]


FORMULAS = {
    "A+B": lambda a, b: a + b,
    "A/B": lambda a, b: a / b if b else 0,
    "(A-B)*2": lambda a, b: (a - b) * 2,
    "A%3+B": lambda a, b: a % 3 + b,
}


@pytest.mark.parametrize("formula", list(FORMULAS))
def test_trends_formula_matches_python(owner_client, world, data, formula):
    source = {
        "kind": "TrendsQuery",
        "series": [
            {"kind": "EventsNode", "event": "$pageview"},
            {"kind": "EventsNode", "event": "purchase", "math": "dau"},
        ],
        "dateRange": {"date_from": "2024-01-03", "date_to": "2024-01-24"},
        "trendsFilter": {"formulaNodes": [{"formula": formula}]},
    }
    [result] = run_insight(owner_client, world.team.id, source)["results"]
    a = expected_series("$pageview", "total", "2024-01-03", "2024-01-24")[None]
    b = expected_series("purchase", "dau", "2024-01-03", "2024-01-24")[None]
    expected = [FORMULAS[formula](x, y) for x, y in zip(a, b, strict=True)]
    assert result["data"] == approx(expected)
    assert result["label"] == f"Formula ({formula})"


def test_trends_formula_with_breakdown_matches_python(owner_client, world, data):
    breakdown = {"breakdown": "$browser", "breakdown_type": "event", "breakdown_limit": 25}
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}, {"kind": "EventsNode", "event": "purchase"}],
        "dateRange": {"date_from": "2024-01-03", "date_to": "2024-01-24"},
        "breakdownFilter": breakdown,
        "trendsFilter": {"formulaNodes": [{"formula": "A-B"}]},
    }
    results = run_insight(owner_client, world.team.id, source)["results"]
    a = expected_series("$pageview", "total", "2024-01-03", "2024-01-24", key=browser_key)
    b = expected_series("purchase", "total", "2024-01-03", "2024-01-24", key=browser_key)
    zeros = [0] * len(buckets("2024-01-03", "2024-01-24", "day"))
    expected = {k: [x - y for x, y in zip(a.get(k, zeros), b.get(k, zeros), strict=True)] for k in set(a) | set(b)}
    assert {r["breakdown_value"]: r["data"] for r in results} == expected


@pytest.mark.parametrize("math_name", ["total", "dau"])
def test_trends_cumulative_matches_python(owner_client, world, data, math_name):
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": math_name}],
        "dateRange": {"date_from": "2024-01-03", "date_to": "2024-01-24"},
        "trendsFilter": {"display": "ActionsLineGraphCumulative"},
    }
    [result] = run_insight(owner_client, world.team.id, source)["results"]
    values = buckets("2024-01-03", "2024-01-24", "day")
    low, high = bounds("2024-01-03", "2024-01-24", "day")
    in_range = [e for e in series_events("$pageview") if low <= local(e[3]) <= high]
    if math_name == "total":
        per_bucket = Counter(start_of(local(e[3]), "day") for e in in_range)
    else:  # each person once, in their first bucket
        first = {}
        for e in in_range:
            first.setdefault(person_of(e[1]), start_of(local(e[3]), "day"))
        per_bucket = Counter(first.values())
    expected = list(itertools.accumulate(per_bucket.get(b, 0) for b in values))
    assert result["data"] == expected
    assert result["count"] == expected[-1]


def test_trends_smoothing_matches_python(owner_client, world, data):
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "dateRange": {"date_from": "2024-01-03", "date_to": "2024-01-24"},
        "trendsFilter": {"smoothingIntervals": 3},
    }
    [result] = run_insight(owner_client, world.team.id, source)["results"]
    raw = expected_series("$pageview", "total", "2024-01-03", "2024-01-24")[None]
    expected = [math.floor(statistics.mean(raw[max(0, i - 2) : i + 1])) for i in range(len(raw))]
    assert result["data"] == expected


@pytest.mark.parametrize(("display", "math_name"), [("BoldNumber", "total"), ("ActionsTable", "dau"),
                                                    ("ActionsBarValue", "sum")])  # fmt: skip
def test_trends_total_value_matches_python(owner_client, world, data, display, math_name):
    series = {"kind": "EventsNode", "event": "$pageview", "math": math_name}
    if math_name == "sum":
        series["math_property"] = "amount"
    source = {
        "kind": "TrendsQuery",
        "series": [series],
        "dateRange": {"date_from": "2024-01-03", "date_to": "2024-01-24"},
        "trendsFilter": {"display": display},
    }
    [result] = run_insight(owner_client, world.team.id, source)["results"]
    low, high = bounds("2024-01-03", "2024-01-24", "day")
    in_range = [e for e in series_events("$pageview") if low <= local(e[3]) <= high]
    assert result["aggregated_value"] == approx(aggregate(math_name, in_range))
    assert result["data"] == []


def test_trends_pie_breakdown_totals_match_python(owner_client, world, data):
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "purchase"}],
        "dateRange": {"date_from": "2023-12-01", "date_to": "2024-02-10"},
        "trendsFilter": {"display": "ActionsPie"},
        "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event", "breakdown_limit": 2},
    }
    results = run_insight(owner_client, world.team.id, source)["results"]
    per_value = expected_series("purchase", "total", "2023-12-01", "2024-02-10", key=browser_key)
    expected = {k: sum(v) for k, v in limited(per_value, 2).items()}
    assert {r["breakdown_value"]: r["aggregated_value"] for r in results} == expected
