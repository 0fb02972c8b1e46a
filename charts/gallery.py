"""Draws every sample as PNG into a folder, to look at the pictures after a change:

.venv/bin/python -m charts.gallery /tmp/charts [--width 800 --height 450 --timezone Europe/Berlin]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from charts import render_png
from charts import samples as s


def gallery() -> dict[str, tuple[dict, dict | None]]:
    """One (query, result) per kind and display."""
    browsers = s.BROWSERS
    return {
        "trends_line": (s.trends_query(), s.trends_result(days=90, breakdowns=browsers)),
        "trends_bar": (s.trends_query("ActionsBar"), s.trends_result(days=14, breakdowns=browsers[:3])),
        "trends_unstacked_compare": (
            s.trends_query("ActionsUnstackedBar", breakdown=None, compare=True),
            s.trends_result(days=10, compare=True),
        ),
        "trends_area": (s.trends_query("ActionsAreaGraph"), s.trends_result(days=30, breakdowns=browsers[:3])),
        "trends_cumulative": (
            s.trends_query("ActionsLineGraphCumulative", breakdown=None),
            s.trends_result(days=30, cumulative=True),
        ),
        "trends_compare": (s.trends_query(compare=True, breakdown=None), s.trends_result(days=30, compare=True)),
        "bold_number": (s.trends_query("BoldNumber", breakdown=None, compare=True), s.bold_number_result()),
        "pie": (s.trends_query("ActionsPie"), s.trends_total_result()),
        "bar_value": (s.trends_query("ActionsBarValue", compare=True), s.trends_total_result(compare=True)),
        "value_table": (s.trends_query("ActionsTable"), s.trends_total_result()),
        "funnel_steps": (s.funnel_query(), s.funnel_steps_result()),
        "funnel_top_to_bottom": (s.funnel_query(layout="horizontal"), s.funnel_steps_result()),
        "funnel_breakdown": (s.funnel_query(breakdown=True), s.funnel_steps_result(breakdown=True)),
        "funnel_time_to_convert": (s.funnel_query("time_to_convert"), s.funnel_time_result()),
        "funnel_trends": (s.funnel_query("trends", breakdown=True), s.funnel_trends_result(breakdown=True)),
        "retention": (s.retention_query(), s.retention_result()),
        "lifecycle": (s.lifecycle_query(), s.lifecycle_result()),
        "stickiness": (s.stickiness_query(), s.stickiness_result()),
        "paths": (s.paths_query(), s.paths_result()),
        "hogql_table": (s.hogql_query(), s.hogql_result()),
        "hogql_chart": (s.hogql_chart_query(), s.hogql_chart_result()),
        "events_table": (s.events_query(), s.events_result()),
        "no_data": (s.trends_query(), {"results": []}),
        "error": (s.trends_query(), None),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Draw every sample picture as PNG.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--width", type=int, default=800)
    parser.add_argument("--height", type=int, default=450)
    parser.add_argument("--timezone", default="UTC")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    for name, (query, result) in gallery().items():
        error = "Code: 241. Memory limit (total) exceeded" if name == "error" else None
        png = render_png(query, result, width=args.width, height=args.height, timezone=args.timezone, error=error)
        (args.folder / f"{name}.png").write_bytes(png)
        print(args.folder / f"{name}.png")


if __name__ == "__main__":
    main()
