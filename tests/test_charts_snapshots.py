"""SVG snapshots of every kind of picture (small inputs), so that any change to a picture shows as a diff.

The files live in tests/snapshots/charts/ and are tied to the matplotlib version written in VERSION there (other
versions place things slightly differently, so the comparison is skipped). After an intended change, look at
the pictures, then regenerate:

    UPDATE_CHART_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_charts_snapshots.py -n0 -p no:cacheprovider
"""

import os
from pathlib import Path

import matplotlib
import pytest

from charts import render_svg
from charts import samples as s

SNAPSHOTS = Path(__file__).parent / "snapshots" / "charts"
UPDATE = bool(os.environ.get("UPDATE_CHART_SNAPSHOTS"))
BROWSERS = ["Chrome", "Safari", "$$_posthog_breakdown_other_$$"]

CASES = {
    "trends_line": (s.trends_query(), s.trends_result(days=14, breakdowns=BROWSERS)),
    "trends_bar": (s.trends_query("ActionsBar"), s.trends_result(days=7, breakdowns=BROWSERS)),
    "trends_area": (s.trends_query("ActionsAreaGraph"), s.trends_result(days=7, breakdowns=BROWSERS)),
    "trends_compare": (s.trends_query(compare=True, breakdown=None), s.trends_result(days=7, compare=True)),
    "bold_number": (s.trends_query("BoldNumber", breakdown=None, compare=True), s.bold_number_result()),
    "pie": (s.trends_query("ActionsPie"), s.trends_total_result()),
    "bar_value": (s.trends_query("ActionsBarValue"), s.trends_total_result()),
    "value_table": (s.trends_query("ActionsTable"), s.trends_total_result()),
    "funnel_steps": (s.funnel_query(), s.funnel_steps_result()),
    "funnel_top_to_bottom": (s.funnel_query(layout="horizontal"), s.funnel_steps_result()),
    "funnel_breakdown": (s.funnel_query(breakdown=True), s.funnel_steps_result(breakdown=True)),
    "funnel_time_to_convert": (s.funnel_query("time_to_convert"), s.funnel_time_result()),
    "funnel_trends": (s.funnel_query("trends"), s.funnel_trends_result(days=7)),
    "retention": (s.retention_query(intervals=5), s.retention_result(intervals=5)),
    "lifecycle": (s.lifecycle_query(), s.lifecycle_result(days=7)),
    "stickiness": (s.stickiness_query(), s.stickiness_result(size=5)),
    "paths": (s.paths_query(), s.paths_result()),
    "hogql_table": (s.hogql_query(), s.hogql_result()),
    "hogql_chart": (s.hogql_chart_query(), s.hogql_chart_result(days=7)),
    "events_table": (s.events_query(), s.events_result()),
    "no_data": (s.trends_query(), {"results": []}),
    "error": (s.trends_query(), None),
}


def _version_matches() -> bool:
    recorded = SNAPSHOTS / "VERSION"
    if UPDATE:
        recorded.write_text(f"matplotlib {matplotlib.__version__}\n")
    return recorded.exists() and recorded.read_text().split() == ["matplotlib", matplotlib.__version__]


@pytest.mark.parametrize("name", CASES)
def test_chart_svg_matches_its_snapshot(name):
    query, result = CASES[name]
    error = "Query exceeded the memory limit" if name == "error" else None
    svg = render_svg(query, result, width=640, height=360, timezone="Europe/Berlin", error=error)
    path = SNAPSHOTS / f"{name}.svg"
    if UPDATE:
        path.write_text(svg)
    if not _version_matches():
        pytest.skip(f"snapshots were drawn by another matplotlib than {matplotlib.__version__}; regenerate them")
    assert path.exists(), f"{path.name} is missing: run with UPDATE_CHART_SNAPSHOTS=1"
    assert svg == path.read_text(), f"{name} changed: look at it, then regenerate (see this module's docstring)"
