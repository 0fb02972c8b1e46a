"""Cohort calculation benchmark: a behavioural cohort ("performed $pageview at least 3 times in the last 90 days")
calculated into cohortpeople on the bench project, median of several runs, against the hand-written SELECT; then a
"regularly" cohort ("a $pageview in at least 8 of the last 12 weeks", PostHog's stickiness-based definition).

    .venv/bin/python bench/cohorts.py [--events 10000000] [--repeat 5]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import setup_django  # noqa: E402

FILTERS = {
    "properties": {
        "type": "AND",
        "values": [
            {"type": "behavioral", "key": "$pageview", "event_type": "events", "value": "performed_event_multiple",
             "operator": "gte", "operator_value": 3, "time_value": 90, "time_interval": "day"}
        ],
    }
}  # fmt: skip
REGULARLY = {
    "properties": {
        "type": "AND",
        "values": [
            {"type": "behavioral", "key": "$pageview", "event_type": "events", "value": "performed_event_regularly",
             "operator": "gte", "operator_value": 1, "time_value": 1, "time_interval": "week", "min_periods": 8,
             "total_periods": 12}
        ],
    }
}  # fmt: skip


def timed_calculations(cohort, repeat: int) -> list[float]:
    from cohorts.services import cohort_enqueue_calculation

    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        cohort_enqueue_calculation(cohort)
        runs.append(time.perf_counter() - started)
    cohort.refresh_from_db()
    assert cohort.errors_calculating == 0, cohort.last_error
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    team_id = setup_django(args.events)

    from cohorts.models import Cohort
    from cohorts.services import cohort_enqueue_calculation
    from insights_server.models import Team
    from queries.clickhouse import client

    team = Team.objects.get(pk=team_id)
    cohort, _ = Cohort.objects.get_or_create(
        team=team, name="bench: 3+ pageviews in 90 days", defaults={"filters": FILTERS}
    )
    runs, hand = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        cohort_enqueue_calculation(cohort)
        runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        client.query(
            f"SELECT count() FROM (SELECT person_id FROM events WHERE team_id = {team_id} AND event = '$pageview' "
            "AND timestamp >= now() - INTERVAL 90 DAY GROUP BY person_id HAVING count() >= 3) AS m "
            f"INNER JOIN (SELECT id FROM person WHERE team_id = {team_id} GROUP BY id "
            "HAVING argMax(is_deleted, version) = 0) AS p ON p.id = m.person_id"
        )
        hand.append(time.perf_counter() - started)
    cohort.refresh_from_db()
    print(f"behavioural cohort over 90 days: {cohort.count} members, version {cohort.version}")
    print(f"calculation (insert new version, cancel old, count) median {statistics.median(runs) * 1000:.1f} ms")
    print(f"hand-written membership SELECT (no insert) median {statistics.median(hand) * 1000:.1f} ms")
    regular, _ = Cohort.objects.get_or_create(
        team=team, name="bench: a pageview in 8 of the last 12 weeks", defaults={"filters": REGULARLY}
    )
    runs = timed_calculations(regular, args.repeat)
    print(f"regularly cohort (8 of 12 weeks): {regular.count} members, median {statistics.median(runs):.2f} s")


if __name__ == "__main__":
    main()
