"""Chart rendering benchmark: SVG and PNG per kind, p50 and p95 against the targets (SVG 50 ms, PNG 150 ms).

The trends cases are 90 daily points with 5 breakdown values; each other kind has one typical result.

    .venv/bin/python bench/render.py [--repeat 30] [--only trends]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from charts import render_png, render_svg  # noqa: E402
from charts import samples as s  # noqa: E402

# p50, p95 and min of wall time, and p50 of CPU time (min and CPU tell the cost when other work shares the cores).
COLUMNS = ("p50", "p95", "min", "cpu")
# Wall-clock p50 targets on the 2-core development machine.
TARGETS_MS = {"svg": 50.0, "png": 150.0}


def cases() -> dict[str, tuple[dict, dict]]:
    """Every kind the runners answer, with a realistic result."""
    daily = s.trends_result(days=90, breakdowns=s.BROWSERS)
    big_paths = {
        "results": [
            {
                "source": f"{step}_/page-{a}",
                "target": f"{step + 1}_/page-{b}",
                "value": 100 - a - b,
                "average_conversion_time": 1000.0,
            }
            for step in range(1, 5)
            for a in range(4)
            for b in range(3)
        ][:50]
    }
    rows = {
        "results": [[f"event {i}", i * 7, f"2024-01-01T{i % 24:02d}:00:00Z"] for i in range(100)],
        "columns": ["event", "count", "last_seen"],
    }
    return {
        "trends_line": (s.trends_query(), daily),
        "trends_bar": (s.trends_query("ActionsBar"), daily),
        "trends_area": (s.trends_query("ActionsAreaGraph"), daily),
        "trends_cumulative": (
            s.trends_query("ActionsLineGraphCumulative"),
            s.trends_result(90, s.BROWSERS, cumulative=True),
        ),
        "trends_compare": (s.trends_query(compare=True), s.trends_result(90, s.BROWSERS, compare=True)),
        "bold_number": (s.trends_query("BoldNumber", breakdown=None, compare=True), s.bold_number_result()),
        "pie": (s.trends_query("ActionsPie"), s.trends_total_result()),
        "bar_value": (s.trends_query("ActionsBarValue"), s.trends_total_result()),
        "value_table": (s.trends_query("ActionsTable"), s.trends_total_result()),
        "funnel_steps": (s.funnel_query(breakdown=True), s.funnel_steps_result(breakdown=True)),
        "funnel_time": (s.funnel_query("time_to_convert"), s.funnel_time_result()),
        "funnel_trends": (s.funnel_query("trends", breakdown=True), s.funnel_trends_result(90, breakdown=True)),
        "retention": (s.retention_query(intervals=11), s.retention_result(intervals=11)),
        "lifecycle": (s.lifecycle_query(), s.lifecycle_result(days=90)),
        "stickiness": (s.stickiness_query(), s.stickiness_result(size=30)),
        "paths": (s.paths_query(), big_paths),
        "hogql_table": (s.hogql_query(), rows),
        "hogql_chart": (s.hogql_chart_query(), s.hogql_chart_result(days=90)),
        "no_data": (s.trends_query(), {"results": []}),
    }


def measure(render, query, result, repeat: int) -> tuple[list[float], list[float]]:
    """Sorted wall and CPU milliseconds of `repeat` renders (CPU time shows the cost when the machine is busy)."""
    render(query, result)
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        render(query, result)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return sorted(wall), sorted(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    start = time.perf_counter()
    render_svg(s.trends_query(), s.trends_result(days=3))  # import matplotlib, load the font
    print(f"first picture (imports, font cache): {(time.perf_counter() - start) * 1000:.0f} ms")
    print(
        f"{'kind':<20}" + "".join(f"{fmt + ' ' + name:>10}" for fmt in ("svg", "png") for name in COLUMNS) + "  svg KB"
    )
    slow = []
    for name, (query, result) in cases().items():
        if args.only not in name:
            continue
        line = f"{name:<20}"
        for fmt, render in (("svg", render_svg), ("png", render_png)):
            times, cpu = measure(render, query, result, args.repeat)
            p50, p95 = statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)]
            line += f"{p50:>10.1f}{p95:>10.1f}{times[0]:>10.1f}{statistics.median(cpu):>10.1f}"
            if p50 > TARGETS_MS[fmt]:
                slow.append(f"{name} {fmt} p50 {p50:.0f} ms > {TARGETS_MS[fmt]:.0f} ms")
        print(f"{line}  {len(render_svg(query, result)) / 1024:6.1f}")
    print(
        "\n".join(slow)
        if slow
        else f"all p50 within targets (svg {TARGETS_MS['svg']:.0f} ms, png {TARGETS_MS['png']:.0f} ms)"
    )
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
