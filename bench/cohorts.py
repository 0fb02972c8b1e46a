"""Cohort calculation benchmark: a behavioural cohort ("performed $pageview at least 3 times in the last 90 days")
calculated into cohortpeople on the bench project, median of several runs, against the hand-written INSERT.

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


if __name__ == "__main__":
    main()
