"""Which picture a saved query and its result call for: unwraps interface nodes and names the renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TIME_SERIES_DISPLAYS = {
    "ActionsLineGraph": "trends_line",
    "ActionsLineGraphCumulative": "trends_line",
    "ActionsAreaGraph": "trends_area",
    "ActionsBar": "trends_bar",
    "ActionsStackedBar": "trends_bar",
    "ActionsUnstackedBar": "trends_bar_unstacked",
}
TOTAL_VALUE_DISPLAYS = {
    "BoldNumber": "bold_number",
    "ActionsPie": "pie",
    "ActionsBarValue": "bar_value",
    "ActionsTable": "value_table",
    "WorldMap": "value_table",
    "CalendarHeatmap": "value_table",
}
FUNNEL_VIZ = {"steps": "funnel_steps", "time_to_convert": "funnel_time_to_convert", "trends": "funnel_trends"}
INSIGHT_KINDS = {
    "RetentionQuery": "retention",
    "LifecycleQuery": "lifecycle",
    "StickinessQuery": "stickiness",
    "PathsQuery": "paths",
}
HOGQL_CHART_DISPLAYS = {
    "ActionsLineGraph",
    "ActionsBar",
    "ActionsStackedBar",
    "ActionsUnstackedBar",
    "ActionsAreaGraph",
}
WRAPPERS = {"InsightVizNode", "DataTableNode", "DataVisualizationNode"}


class UnsupportedQuery(ValueError):
    """The query is not one this package can draw; the message is shown on the error picture."""


@dataclass(frozen=True)
class Insight:
    """What a renderer needs: its kind, the source query, the outer node, the results and the whole response."""

    kind: str
    source: dict
    node: dict
    results: Any
    response: dict = field(default_factory=dict)

    @property
    def display(self) -> str | None:
        """The chart display asked for: the source's trends/stickiness filter or the visualization node's."""
        for key in ("trendsFilter", "stickinessFilter"):
            value = (self.source.get(key) or {}).get("display")
            if value:
                return value
        return self.node.get("display")

    def filter(self, key: str) -> dict:
        """One of the source's filter dicts (`trendsFilter`, `funnelsFilter`, ...), empty when absent."""
        value = self.source.get(key)
        return value if isinstance(value, dict) else {}


def split_response(result) -> tuple[Any, dict]:
    """(results, response): a runner's response dict, or its bare `results` list or dict."""
    if isinstance(result, dict) and "results" in result:
        return result["results"], result
    return result, {}


def resolve(query, result) -> Insight:
    """Unwrap `query` and pick the renderer's kind, looking at the result's shape where the query leaves a choice.

    Raises UnsupportedQuery for input that is not a query dict or names a kind nobody draws."""
    if not isinstance(query, dict) or not isinstance(query.get("kind"), str):
        raise UnsupportedQuery("The insight has no query to draw.")
    node = query
    source = query.get("source") if query["kind"] in WRAPPERS else query
    if not isinstance(source, dict) or not isinstance(source.get("kind"), str):
        raise UnsupportedQuery(f"{query['kind']} has no source query to draw.")
    results, response = split_response(result)
    kind = _kind(source, node, results)
    return Insight(kind=kind, source=source, node=node, results=results, response=response)


def _kind(source: dict, node: dict, results) -> str:
    source_kind = source["kind"]
    if source_kind == "TrendsQuery":
        return _trends_kind(source, results)
    if source_kind == "FunnelsQuery":
        return _funnel_kind(source, results)
    if source_kind in INSIGHT_KINDS:
        return INSIGHT_KINDS[source_kind]
    if node.get("kind") == "DataVisualizationNode" and node.get("display") in HOGQL_CHART_DISPLAYS:
        return "hogql_chart"
    if node.get("kind") == "DataVisualizationNode" and node.get("display") == "BoldNumber":
        return "hogql_bold_number"
    if source_kind.endswith("Query") or source_kind in ("EventsNode", "PersonsNode"):
        return "table"
    raise UnsupportedQuery(f"Pictures of {source_kind} are not supported.")


def _is_total_value(results) -> bool:
    return (
        isinstance(results, list)
        and bool(results)
        and all(isinstance(row, dict) and "aggregated_value" in row and not row.get("data") for row in results)
    )


def _trends_kind(source: dict, results) -> str:
    display = (source.get("trendsFilter") or {}).get("display") or "ActionsLineGraph"
    total = _is_total_value(results)
    if display in TOTAL_VALUE_DISPLAYS and (total or not results):
        return TOTAL_VALUE_DISPLAYS[display]
    if total:
        return "bar_value"  # a total-value result saved under a time-series display
    return TIME_SERIES_DISPLAYS.get(display, "trends_line")


def _funnel_kind(source: dict, results) -> str:
    if isinstance(results, dict):
        return "funnel_time_to_convert"
    if isinstance(results, list) and results and isinstance(results[0], dict) and "data" in results[0]:
        return "funnel_trends"
    if results:
        return "funnel_steps"
    return FUNNEL_VIZ.get((source.get("funnelsFilter") or {}).get("funnelVizType") or "steps", "funnel_steps")
