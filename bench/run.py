"""Query benchmarks: each runner end to end against the hand-written ClickHouse SQL for the same answer.

Generates (once, cached in .data/bench) a project with N demo events, then for every case prints the median
of several runs of the runner (parse, print, execute, shape) and of the raw SQL, and their ratio.

    .venv/bin/python bench/run.py [--events 10000000] [--repeat 5] [--only hogql]

Cases live in bench/cases/ (one module per area). BENCH_DIR moves the generated data elsewhere.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = Path(os.environ.get("BENCH_DIR") or ROOT / ".data" / "bench").resolve()


def setup_django(events: int, days: int = 90) -> int:
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

    call_command("migrate", verbosity=0)
    from ingestion.demo import generate_demo_data
    from insights_server.services.bootstrap import bootstrap_workspace
    from queries.clickhouse.migrations import migrate

    migrate()
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
    args = parser.parse_args()
    team_id = setup_django(args.events, args.days)

    from insights_server.models import Team
    from queries.clickhouse import client
    from queries.runners.registry import get_runner
    from queries.schema import parse_query

    team = Team.objects.get(pk=team_id)
    print("runner: the whole runner (parse, print, execute, shape); printed: its own printed SQL run raw;")
    print("hand: hand-written SQL for the same answer. Medians of", args.repeat, "runs, milliseconds.")
    print(f"{'case':40} {'runner':>8} {'printed':>8} {'hand':>8} {'run/printed':>11} {'run/hand':>9}")
    from bench.cases import all_cases

    for name, node, raw_sql in all_cases(team_id):
        if args.only and args.only not in name:
            continue
        query = parse_query(node)
        response = get_runner(query, team).run("force_blocking")
        printed_sql = response.get("clickhouse")
        # The run above that yielded the printed SQL was the runner's warm-up (caches, first touch of parts); the
        # hand and printed SQL get theirs here. Then they take turns.
        functions = [lambda q=query: get_runner(q, team).run("force_blocking"), lambda s=raw_sql: client.query(s)]
        if printed_sql:
            parameters = last_parameters(query, team)
            functions.append(lambda sql=printed_sql, p=parameters: client.query(sql, parameters=p))
        for warm_up in functions[1:]:
            warm_up()
        runner_seconds, hand_seconds, *printed = interleaved_medians(functions, args.repeat)
        printed_seconds = printed[0] if printed else float("nan")
        print(
            f"{name:40} {runner_seconds * 1000:8.1f} {printed_seconds * 1000:8.1f} {hand_seconds * 1000:8.1f} "
            f"{runner_seconds / printed_seconds:11.2f} {runner_seconds / hand_seconds:9.2f}"
        )


def last_parameters(query, team) -> dict:
    """The parameters the printed SQL of a HogQL query refers to (printing again yields the same ones)."""
    from queries.hogql.execute import print_select
    from queries.hogql.parser import parse_select
    from queries.runners.registry import get_runner

    runner = get_runner(query, team)
    context = runner.print_context(values=dict(query.values or {}))
    print_select(parse_select(query.query), context, default_limit=101)
    return context.parameters


if __name__ == "__main__":
    main()
