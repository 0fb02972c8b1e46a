"""Query benchmarks: each runner end to end against the hand-written ClickHouse SQL for the same answer.

Generates (once, cached in .data/bench) a project with N demo events, then for every case prints the median
of several runs of the runner (parse, print, execute, shape), of the statements the runner printed run raw, and of
the hand-written SQL, and their ratios. `--scale 1000000` adds a project with that many events next to it (same
data directory) and runs the 7-day trend on both, so the cost of one table size against the other is seen in one
run. The peak RSS of the process closes the report.

    .venv/bin/python bench/run.py [--events 10000000] [--repeat 5] [--only hogql] [--scale 1000000]

Cases live in bench/cases/ (one module per area). BENCH_DIR moves the generated data elsewhere.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = Path(os.environ.get("BENCH_DIR") or ROOT / ".data" / "bench").resolve()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DATA_DIR"] = str(BENCH_DIR)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CLICKHOUSE_URL", None)
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    os.environ["INGESTION_BACKGROUND_FLUSH"] = "0"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from queries.clickhouse.migrations import migrate

    call_command("migrate", verbosity=0)
    migrate()


def project_with_events(events: int, days: int = 90) -> int:
    """The id of the bench project with `events` demo events over `days` days, generated the first time."""
    from ingestion.demo import generate_demo_data
    from insights_server.services.bootstrap import bootstrap_workspace

    team = bootstrap_workspace("bench@example.com", "bench-password-1", "Bench", f"Bench {events}").team
    marker = BENCH_DIR / (f"generated-{team.id}-{events}" + (f"-{days}d" if days != 90 else ""))
    if not marker.exists():
        started = time.perf_counter()
        summary = generate_demo_data(team, events, days, seed=7)
        print(f"generated {summary} in {time.perf_counter() - started:.1f}s")
        marker.touch()
    return team.id


def interleaved_medians(functions: list, repeat: int) -> list[float]:
    """The median wall time of each (warmed-up) function, the functions taking turns in every round so that a
    change of machine load between rounds weighs on all of them alike."""
    samples: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for function, times in zip(functions, samples, strict=True):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
    return [statistics.median(times) for times in samples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--days", type=int, default=90, help="days the generated events span (use a new BENCH_DIR per span)"
    )
    parser.add_argument("--only", default="", help="run only cases whose name contains this text")
    parser.add_argument(
        "--scale", type=int, default=0, help="also run the 7-day trend on a project with this many events"
    )
    args = parser.parse_args()
    setup_django()
    team_id = project_with_events(args.events, args.days)
    scale_team_id = project_with_events(args.scale, args.days) if args.scale else None

    print("runner: the whole runner (parse, print, execute, shape); printed: the statements it printed, run raw;")
    print("hand: hand-written SQL for the same answer. Medians of", args.repeat, "runs, milliseconds.")
    print(f"{'case':48} {'runner':>8} {'printed':>8} {'hand':>8} {'run/printed':>11} {'run/hand':>9}")
    from bench.cases import all_cases

    for name, node, raw_sql in all_cases(team_id):
        if args.only and args.only not in name:
            continue
        bench_case(name, node, raw_sql, team_id, args.repeat)
    if scale_team_id is not None:
        for events, scale_team in sorted([(args.events, team_id), (args.scale, scale_team_id)]):
            for name, node, raw_sql in all_cases(scale_team):
                if name == SCALE_CASE:
                    bench_case(f"scale: {name} @ {events / 1e6:g}M", node, raw_sql, scale_team, args.repeat)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS of this process: {peak_kib / 1024:.0f} MiB")


SCALE_CASE = "trends: daily pageviews, last 7 days"


def bench_case(name: str, node: dict, raw_sql: str, team_id: int, repeat: int) -> None:
    """One table row: the runner, the statements it printed run raw (all of them, in order), the hand SQL."""
    from insights_server.models import Team
    from queries.clickhouse import client
    from queries.hogql.execute import recorded_statements
    from queries.runners.registry import get_runner
    from queries.schema import parse_query

    team = Team.objects.get(pk=team_id)
    query = parse_query(node)
    # This run is the runner's warm-up (caches, first touch of parts) and yields the statements it sends; the hand
    # and printed SQL get theirs below. Then they take turns.
    with recorded_statements() as statements:
        get_runner(query, team).run("force_blocking")

    def printed() -> None:
        for statement in statements:
            client.query(statement.sql, parameters=statement.parameters, settings=statement.settings)

    functions = [lambda: get_runner(query, team).run("force_blocking"), lambda: client.query(raw_sql)]
    if statements:
        functions.append(printed)
    for warm_up in functions[1:]:
        warm_up()
    runner_seconds, hand_seconds, *printed_times = interleaved_medians(functions, repeat)
    printed_seconds = printed_times[0] if printed_times else float("nan")
    print(
        f"{name:48} {runner_seconds * 1000:8.1f} {printed_seconds * 1000:8.1f} {hand_seconds * 1000:8.1f} "
        f"{runner_seconds / printed_seconds:11.2f} {runner_seconds / hand_seconds:9.2f}"
    )


if __name__ == "__main__":
    main()
